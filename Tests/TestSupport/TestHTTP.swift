import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A response as tests inspect it.
public struct HTTPResult: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON.
    public func json() throws -> Any { try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
}

/// A minimal HTTP client for tests, on URLSession (loopback only).
public enum TestHTTP {
    private static let session: URLSession = {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 60
        config.httpMaximumConnectionsPerHost = 4
        return URLSession(configuration: config)
    }()

    /// Sends one request and returns status, headers and body.
    public static func send(
        _ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil, timeout: TimeInterval = 60
    ) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: timeout)
        request.httpMethod = method
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        request.httpBody = body
        return try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                    return
                }
                let http = response as! HTTPURLResponse
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
                continuation.resume(returning: HTTPResult(status: http.statusCode, headers: headers, body: data ?? Data()))
            }.resume()
        }
    }

    /// GET `url`.
    public static func get(_ url: String) async throws -> HTTPResult { try await send("GET", url) }

    /// GET `url` with `params` URL-encoded into the query string.
    public static func get(_ base: String, _ params: [(String, String)]) async throws -> HTTPResult {
        var components = URLComponents(string: base)!
        components.queryItems = params.map { URLQueryItem(name: $0.0, value: $0.1) }
        // URLComponents leaves "+" alone, which a form decoder reads as a space.
        let query = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components.percentEncodedQuery = query
        return try await send("GET", components.string!)
    }
}
