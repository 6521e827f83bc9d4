import Synchronization

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

/// What one query may still use: its deadline and its sample allowance,
/// shared with its subqueries. Checked between steps of work, so a query
/// stops soon after its limit, not only at the end.
final class QueryBudget: Sendable {
    let deadline: ContinuousClock.Instant
    let maxSamples: Int
    private let loaded = Atomic(0)

    init(options: EngineOptions) {
        deadline = .now + options.timeout
        maxSamples = options.maxSamples
    }

    /// Counts `count` more samples held; Prometheus' error past the limit.
    func take(_ count: Int) throws(QueryError) {
        let total = loaded.add(count, ordering: .relaxed).newValue
        if total > maxSamples {
            throw QueryError(.execution, "query processing would load too many samples into memory in query execution")
        }
    }

    /// Counts `count` samples no longer held (a series' raw samples once a
    /// function has read them).
    func release(_ count: Int) {
        loaded.subtract(count, ordering: .relaxed)
    }

    func checkDeadline() throws(QueryError) {
        if ContinuousClock.now > deadline { throw QueryError(.timeout, "query timed out in query execution") }
    }
}
