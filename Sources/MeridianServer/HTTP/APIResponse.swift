import Foundation
import Hummingbird
import PromQL

/// Prometheus' API error types (`errorType` in error responses).
public enum APIErrorType: String, Sendable {
    case badData = "bad_data"
    case execution = "execution"
    case timeout = "timeout"
    case canceled = "canceled"
    case `internal` = "internal"
    case unavailable = "unavailable"
    case notFound = "not_found"
    /// Meridian's own: a token-protected endpoint without the right token (401).
    case unauthorized
    /// Meridian's own: an endpoint the config turned off (403).
    case forbidden
}

/// An error that becomes a Prometheus-shaped JSON error response.
public struct APIError: Error, Sendable {
    public let type: APIErrorType
    public let message: String
    public let status: HTTPResponse.Status

    public init(_ type: APIErrorType, _ message: String, status: HTTPResponse.Status? = nil) {
        self.type = type
        self.message = message
        self.status = status ?? APIError.defaultStatus(type)
    }

    /// A query's error, with the type and status Prometheus gives it.
    public init(_ error: QueryError) {
        switch error.kind {
        case .badData: self.init(.badData, error.message)
        case .execution: self.init(.execution, error.message)
        case .timeout: self.init(.timeout, error.message)
        case .canceled: self.init(.canceled, error.message)
        case .unavailable: self.init(.unavailable, error.message)
        }
    }

    /// The status Prometheus uses for each error type.
    static func defaultStatus(_ type: APIErrorType) -> HTTPResponse.Status {
        switch type {
        case .badData: return .badRequest
        case .execution: return .unprocessableContent
        case .timeout, .unavailable: return .serviceUnavailable
        case .canceled: return HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
        case .internal: return .internalServerError
        case .notFound: return .notFound
        case .unauthorized: return .unauthorized
        case .forbidden: return .forbidden
        }
    }

    /// `{"status":"error","errorType":"...","error":"..."}`
    public func response() -> Response {
        var w = JSONWriter()
        w.raw(#"{"status":"error","errorType":"#)
        w.string(type.rawValue)
        w.raw(#","error":"#)
        w.string(message)
        w.raw("}")
        var response = Response.json(w.bytes, status: status)
        // Load shed (the query memory or queue full): a client may retry soon.
        if type == .unavailable { response.headers[.retryAfter] = "5" }
        if type == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

extension Response {
    /// A JSON response from already-encoded bytes, gzipped when the request
    /// accepts it (``ResponseCompression``).
    public static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if ResponseCompression.acceptsGzip, let compressed = Gzip.compress(bytes) {
            headers[.contentEncoding] = "gzip"
            headers[.vary] = "Accept-Encoding"
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: compressed)))
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{"status":"success","data":<data>}` with `data` written by `body`,
    /// into a buffer of `capacity` bytes to start with.
    public static func success(capacity: Int = 256, _ body: (inout JSONWriter) -> Void) -> Response {
        var w = JSONWriter(capacity: capacity + 32)
        w.raw(#"{"status":"success","data":"#)
        body(&w)
        w.raw("}")
        return .json(w.bytes)
    }

    /// A plain-text response (remote-write errors are plain text, per the spec).
    public static func text(_ message: String, status: HTTPResponse.Status, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}

/// Whether the client of the request being answered accepts gzip: set for
/// the API routes by ``GzipMiddleware``, read by ``Response/json(_:status:)``.
enum ResponseCompression {
    @TaskLocal static var acceptsGzip = false
}

/// Compresses JSON API responses for clients that send `Accept-Encoding: gzip`
/// (Grafana and promtool do), as Prometheus does.
struct GzipMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let accepts = request.headers[.acceptEncoding].map(Self.acceptsGzip) ?? false
        return try await ResponseCompression.$acceptsGzip.withValue(accepts) { try await next(request, context) }
    }

    /// Whether an `Accept-Encoding` value lists gzip (not with `q=0`).
    static func acceptsGzip(_ header: String) -> Bool {
        header.split(separator: ",").contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.first?.lowercased() == "gzip" || parts.first == "*" else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) }
            return quality != 0
        }
    }
}
