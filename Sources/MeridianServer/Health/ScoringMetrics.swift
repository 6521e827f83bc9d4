import Prometheus

/// The scoring loop's own metrics (`/metrics`).
struct ScoringMetrics: Sendable {
    let rounds: Counter
    let roundSeconds: DurationHistogram
    let lastRoundSeconds: Gauge
    let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        rounds = registry.makeCounter(
            name: "meridian_scoring_rounds_total", labels: [], help: "Evaluation rounds of the health feed.")
        roundSeconds = registry.makeDurationHistogram(
            name: "meridian_scoring_round_duration_seconds", labels: [],
            buckets: [.milliseconds(5), .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)],
            help: "Time one evaluation round takes: the signals' queries, scoring, and the write-back.")
        lastRoundSeconds = registry.makeGauge(
            name: "meridian_scoring_last_round_duration_seconds", labels: [],
            help: "Time the last evaluation round took.")
    }

    func finished(round: Duration, failures: Int) {
        rounds.increment()
        roundSeconds.record(round)
        lastRoundSeconds.set(Double(round.components.seconds) + Double(round.components.attoseconds) / 1e18)
    }

    func signalFailed(_ signal: String) {
        registry.makeCounter(
            name: "meridian_scoring_signal_failures_total", labels: [("signal", signal)],
            help: "Rounds in which a signal's query failed (the round scores without it)."
        ).increment()
    }
}
