import MeridianModel
import PromQL

/// The query seam of the scoring engine: where each signal's expression is
/// evaluated. The local PromQL engine by default (``PromQLSignalSource``), or
/// any Prometheus-compatible query API (`scoring.query_url`), so the health
/// feed can sit on top of a VictoriaMetrics, Mimir or Thanos cluster.
public protocol SignalSource: Sendable {
    /// The instant vector `expr` gives at `time` (wall-clock seconds).
    /// - Throws: when the query fails or its result is not an instant vector;
    ///   the round then scores without that signal and names the failure.
    func instant(_ expr: String, at time: Double) async throws -> [(labels: Labels, value: Double)]
}

/// Why a signal's query gave nothing usable.
public struct SignalSourceError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Evaluates signals with Meridian's own PromQL engine over a ``Querier``.
public struct PromQLSignalSource: SignalSource {
    /// Runs one evaluation (given a context to evaluate under): the shell
    /// passes its query scheduler, so the scorer's queries share the bounds
    /// and the pool of every other query.
    public typealias Runner =
        @Sendable (@escaping @Sendable (QueryContext) throws -> QueryValue) async throws -> QueryValue

    let engine: PromQLEngine
    let run: Runner

    /// A source over `engine`; `run` defaults to evaluating on the caller's
    /// task under the engine's own limits.
    public init(engine: PromQLEngine, run: Runner? = nil) {
        self.engine = engine
        self.run =
            run ?? { [engine] evaluate in
                let context = engine.makeContext()
                return try evaluate(context)
            }
    }

    public func instant(_ expr: String, at time: Double) async throws -> [(labels: Labels, value: Double)] {
        let parsed = try PromQLParser.parse(expr)
        let engine = engine
        let value = try await run { context in
            try engine.instant(parsed, at: Int64((time * 1000).rounded()), context: context)
        }
        switch value {
        case .vector(let elements): return elements.map { ($0.labels, $0.v) }
        case .scalar(let sample): return [(.empty, sample.v)]
        default: throw SignalSourceError("the expression gives a \(value.resultType), not an instant vector")
        }
    }
}

extension RoundInput {
    /// Adds a signal's result: each series' `center` and `service` labels and
    /// value (series without a `center` label are nobody's and are left out).
    public mutating func add(_ signal: String, _ result: [(labels: Labels, value: Double)]) {
        values[signal] = result.compactMap { series in
            guard let center = series.labels["center"], !center.isEmpty else { return nil }
            let service = series.labels["service"].flatMap { $0.isEmpty ? nil : $0 }
            return SignalValue(center: center, service: service, value: series.value)
        }
    }
}
