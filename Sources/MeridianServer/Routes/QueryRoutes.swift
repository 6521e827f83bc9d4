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
    func instant(_ request: Request) async throws -> Response {
        let params = try await RequestParameters.from(request)
        let time = try params["time"].map { try TimeParameter.parse($0, parameter: "time", wrapped: true) }
            ?? Timestamp(Date().timeIntervalSince1970 * 1000)
        let expr = try Self.parse(params, prefixed: true)
        let engine = try engine(timeout: params)
        let value = try await run { try engine.instant(expr, at: time) }
        return .success { Self.write(value, into: &$0) }
    }

    /// `GET|POST /api/v1/query_range?query=…&start=…&end=…&step=…&timeout=…`
    func range(_ request: Request) async throws -> Response {
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
        let engine = try engine(timeout: params)
        let value = try await run { try engine.range(expr, start: start, end: end, step: step) }
        return .success { Self.write(value, into: &$0) }
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

    /// The engine with the request's `timeout`, if shorter than the server's.
    private func engine(timeout params: RequestParameters) throws -> PromQLEngine {
        guard let text = params["timeout"] else { return engine }
        let ms = try Self.duration(text, parameter: "timeout")
        var options = engine.options
        options.timeout = min(options.timeout, .milliseconds(ms))
        return PromQLEngine(querier: engine.querier, options: options)
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

    /// Runs a query off the request threads, mapping its errors to Prometheus' types.
    private func run(_ query: @escaping @Sendable () throws -> QueryValue) async throws -> QueryValue {
        do {
            return try await onBlockingThread(query)
        } catch let error as QueryError {
            switch error.kind {
            case .badData: throw APIError(.badData, error.message)
            case .execution: throw APIError(.execution, error.message)
            case .timeout: throw APIError(.timeout, error.message)
            case .canceled: throw APIError(.canceled, error.message)
            }
        }
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
