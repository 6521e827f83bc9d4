import Forwarding
import Foundation
import MeridianModel
import Scoring
import Synchronization

/// Evaluates signals on any Prometheus-compatible query API
/// (`scoring.query_url`: Prometheus, VictoriaMetrics, Mimir, Thanos Query),
/// by POSTing the form `query=…&time=…` to `<query_url>/api/v1/query`.
///
/// Blocking connections, kept alive and reused, on two threads of their
/// own, so that a slow remote never holds the threads serving HTTP.
final class PrometheusAPISource: SignalSource {
    let url: UpstreamURL
    let timeout: Duration
    private let pool = WorkPool(name: "meridian-scoring-query", maxThreads: 2)
    private let idle = Mutex<[HTTPConnectionBox]>([])

    /// A source querying `baseURL` (`http://host:port[/prefix]`); each query
    /// may take `timeout`.
    init(baseURL: String, timeout: Duration) throws {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        url = try UpstreamURL(parsing: base + "/api/v1/query")
        self.timeout = timeout
    }

    func instant(_ expr: String, at time: Double) async throws -> [(labels: Labels, value: Double)] {
        let body = Array(("query=" + RequestParameters.formEncode(expr) + "&time=" + String(format: "%.3f", time)).utf8)
        let reply = try await pool.run { [self] () throws -> HTTPReply in
            let box =
                idle.withLock { $0.popLast() }
                ?? HTTPConnectionBox(
                    HTTPConnection(url: url, connectTimeout: timeout, requestTimeout: timeout, retainedBody: 16 << 20))
            let reply = try box.connection.post(
                body: body, headers: [("Content-Type", "application/x-www-form-urlencoded")])
            idle.withLock { $0.append(box) }
            return reply
        }
        return try Self.parse(reply)
    }

    /// The vector of a query API reply.
    /// - Throws: the API's error, or what is wrong with the reply.
    static func parse(_ reply: HTTPReply) throws -> [(labels: Labels, value: Double)] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any] else {
            throw SignalSourceError("status \(reply.status): the reply is not JSON: \(reply.body.prefix(200))")
        }
        guard object["status"] as? String == "success", let data = object["data"] as? [String: Any] else {
            throw SignalSourceError(
                "status \(reply.status): \(object["errorType"] as? String ?? "error"): \(object["error"] as? String ?? "")"
            )
        }
        let type = data["resultType"] as? String ?? "?"
        if type == "scalar", let value = data["result"] as? [Any], value.count == 2,
            let v = (value[1] as? String).flatMap(Self.parseValue)
        {
            return [(.empty, v)]
        }
        guard type == "vector", let result = data["result"] as? [[String: Any]] else {
            throw SignalSourceError("the expression gives a \(type), not an instant vector")
        }
        return try result.map { element in
            guard let metric = element["metric"] as? [String: String], let value = element["value"] as? [Any],
                value.count == 2, let v = (value[1] as? String).flatMap(Self.parseValue)
            else { throw SignalSourceError("a result element is not {metric, value}") }
            return (Labels(metric), v)
        }
    }

    /// Prometheus' value text: a Go float, `NaN`, `+Inf`, `-Inf`.
    static func parseValue(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }
}

/// A connection handed between the pool's threads; one thread uses it at a time.
private final class HTTPConnectionBox: @unchecked Sendable {
    let connection: HTTPConnection
    init(_ connection: HTTPConnection) { self.connection = connection }
}
