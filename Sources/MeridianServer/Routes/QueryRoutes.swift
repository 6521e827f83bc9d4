import Foundation
import Hummingbird
import MeridianModel
import PromQL

/// `/api/v1/query` and `/api/v1/query_range`, with Prometheus 2.42's
/// parameters, limits, JSON shapes and errors.
struct QueryRoutes: Sendable {
    let state: ServerState
    let engine: PromQLEngine

    /// Prometheus refuses range queries of more points than this per series.
    static let maxPointsPerSeries: Int64 = 11_000

    init(state: ServerState) {
        self.state = state
        self.engine = PromQLEngine(querier: state.querier, options: state.queryOptions)
    }

    /// `GET|POST /api/v1/query?query=…&time=…&timeout=…`
    func instant(_ request: Request, _ context: MeridianRequestContext) async throws -> Response {
        let params = try await RequestParameters.from(request)
        let time = try params["time"].map { try TimeParameter.parse($0, parameter: "time", wrapped: true) }
            ?? Timestamp(Date().timeIntervalSince1970 * 1000)
        let expr = try Self.parse(params, prefixed: true)
        let query = try queryContext(params, context)
        return try await run(query, inline: Self.runsInline(expr, steps: 1)) { [engine] in
            try engine.instant(expr, at: time, context: query)
        }
    }

    /// `GET|POST /api/v1/query_range?query=…&start=…&end=…&step=…&timeout=…`
    func range(_ request: Request, _ context: MeridianRequestContext) async throws -> Response {
        let params = try await RequestParameters.from(request)
        let start = try TimeParameter.parse(params["start"] ?? "", parameter: "start")
        let end = try TimeParameter.parse(params["end"] ?? "", parameter: "end")
        guard end >= start else {
            throw APIError(.badData, "invalid parameter \"end\": end timestamp must not be before start time")
        }
        let step = try Self.duration(params["step"] ?? "", parameter: "step")
        guard step > 0 else {
            throw APIError(
                .badData,
                "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"
            )
        }
        guard (end - start) / step <= Self.maxPointsPerSeries else {
            throw APIError(
                .badData,
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        let expr = try Self.parse(params, prefixed: false)
        let query = try queryContext(params, context)
        return try await run(query, inline: Self.runsInline(expr, steps: (end - start) / step + 1)) { [engine] in
            try engine.range(expr, start: start, end: end, step: step, context: query)
        }
    }

    /// Parses `query`; Prometheus 2.42 names the parameter in instant
    /// queries' parse errors but not in range queries'.
    private static func parse(_ params: RequestParameters, prefixed: Bool) throws -> Expr {
        do {
            return try PromQLParser.parse(params["query"] ?? "")
        } catch {
            throw APIError(.badData, prefixed ? "invalid parameter \"query\": \(error)" : "\(error)")
        }
    }

    /// The query's context: the request's `timeout` when shorter than the
    /// server's, and the client's connection.
    private func queryContext(_ params: RequestParameters, _ context: MeridianRequestContext) throws -> QueryContext {
        let timeout = try params["timeout"].map { Duration.milliseconds(try Self.duration($0, parameter: "timeout")) }
        return state.queryContext(timeout: timeout, clientGone: context.clientGone)
    }

    /// Prometheus' durations in parameters: float seconds, or `5m`, `1h30m`…, in ms.
    static func duration(_ text: String, parameter: String) throws -> Int64 {
        if let seconds = Double(text), seconds.isFinite {
            guard abs(seconds) * 1000 < Double(Int64.max) else {
                throw APIError(
                    .badData,
                    "invalid parameter \"\(parameter)\": cannot parse \"\(text)\" to a valid duration. It overflows int64")
            }
            return Int64(seconds * 1000)
        }
        if let ms = PromQLParser.parseDuration(text) { return ms }
        throw APIError(.badData, "invalid parameter \"\(parameter)\": cannot parse \"\(text)\" to a valid duration")
    }

    /// Whether `expr` may skip the query pool: it reads no data and has no
    /// subquery, so its cost (about nodes × steps) is known before it runs,
    /// and it is tiny: at most 64 nodes (so its recursion fits the small
    /// stack of a task) and 32,768 node-steps. Health probes (`vector(1)`,
    /// Grafana's `1+1`) then cost no thread hop and never wait behind
    /// heavy queries.
    static func runsInline(_ expr: Expr, steps: Int64) -> Bool {
        guard let nodes = expr.dataFreeNodeCount(upTo: 64), nodes <= 64 else { return false }
        return Int64(nodes) * steps <= 32_768
    }

    /// Runs a query (on the query pool unless `inline`) and writes its
    /// result, with the response's bytes charged to the query before they
    /// are written; the query's memory goes back to the pool once the
    /// response is built.
    private func run(
        _ query: QueryContext, inline: Bool, _ evaluate: @escaping @Sendable () throws -> QueryValue
    ) async throws -> Response {
        defer { query.finish() }
        let value = inline ? try evaluate() : try await state.queries.run(query, evaluate)
        let size = Self.estimatedSize(value)
        // The writer's bytes and the buffer they are copied into.
        try query.reserve(bytes: 2 * size)
        return .success(capacity: size) { Self.write(value, into: &$0) }
    }

    /// About how many bytes ``write(_:into:)`` writes for `value`: a little
    /// more than it does for plain label text and typical values, so that it
    /// serves both to charge the response and to size its buffer once.
    /// - Complexity: O(series × labels).
    static func estimatedSize(_ value: QueryValue) -> Int {
        /// `[1700000000.123,"-1.2345678901234567e-300"],` is 44 bytes.
        let pointBytes = 44
        switch value {
        case .scalar: return 64
        case .string(let text, _): return 64 + 2 * text.utf8.count
        case .vector(let elements):
            return elements.reduce(64) { $0 + 24 + estimatedSize(labels: $1.labels) + pointBytes }
        case .matrix(let series):
            return series.reduce(64) { $0 + 24 + estimatedSize(labels: $1.labels) + pointBytes * $1.samples.count }
        }
    }

    /// About how many bytes a label set takes as a JSON object.
    static func estimatedSize(labels: Labels) -> Int {
        labels.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 6 }
    }

    /// `{"resultType":…,"result":…}` in Prometheus' shapes: times as float
    /// seconds, values as strings in Go's shortest float text.
    static func write(_ value: QueryValue, into w: inout JSONWriter) {
        w.raw(#"{"resultType":"#)
        w.string(value.resultType)
        w.raw(#","result":"#)
        switch value {
        case .scalar(let sample):
            point(sample.t, sample.v, into: &w)
        case .string(let text, let t):
            w.raw("[")
            w.seconds(t)
            w.raw(",")
            w.string(text)
            w.raw("]")
        case .vector(let elements):
            w.raw("[")
            for (i, e) in elements.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw(#"{"metric":"#)
                w.labels(e.labels)
                w.raw(#","value":"#)
                point(e.t, e.v, into: &w)
                w.raw("}")
            }
            w.raw("]")
        case .matrix(let series):
            w.raw("[")
            for (i, s) in series.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw(#"{"metric":"#)
                w.labels(s.labels)
                w.raw(#","values":["#)
                for (j, sample) in s.samples.enumerated() {
                    if j > 0 { w.raw(",") }
                    point(sample.t, sample.v, into: &w)
                }
                w.raw("]}")
            }
            w.raw("]")
        }
        w.raw("}")
    }

    private static func point(_ t: Timestamp, _ v: Double, into w: inout JSONWriter) {
        w.raw("[")
        w.seconds(t)
        w.raw(",")
        w.sampleValue(v)
        w.raw("]")
    }
}
