/// Limits and defaults of the query engine.
public struct EngineOptions: Sendable {
    /// How far back a selector looks for a sample (Prometheus: 5 m).
    public var lookbackDelta: Int64 = 5 * 60_000
    /// The most samples one query may hold in memory at once (Prometheus'
    /// `--query.max-samples`, 50 M).
    public var maxSamples = 50_000_000
    /// How long a query may run (Prometheus' `--query.timeout`, 2 m).
    public var timeout: Duration = .seconds(120)
    /// The step of a subquery written without one (`[1h:]`): Prometheus'
    /// global `evaluation_interval`, 1 m by default.
    public var defaultEvaluationInterval: Int64 = 60_000

    public init() {}
}

