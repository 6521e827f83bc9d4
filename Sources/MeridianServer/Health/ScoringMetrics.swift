import Prometheus

/// The scoring loop's own metrics (`/metrics`).
struct ScoringMetrics: Sendable {
    let rounds: Counter
    let roundSeconds: DurationHistogram
    let lastRoundSeconds: Gauge
    /// The last round's phases: the signals' queries, the evaluation (scores,
    /// states, the document, probes and agent replies) and the write-back.
    let lastPhaseSeconds: [String: Gauge]
    let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        rounds = registry.makeCounter(
            name: "meridian_scoring_rounds_total", labels: [], help: "Evaluation rounds of the health feed.")
        roundSeconds = registry.makeDurationHistogram(
            name: "meridian_scoring_round_duration_seconds", labels: [],
            buckets: [
                .milliseconds(5), .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                .milliseconds(500), .milliseconds(750), .seconds(1), .seconds(1.5), .seconds(2), .seconds(3), .seconds(5),
            ],
            help: "Time one evaluation round takes: the signals' queries, scoring, and the write-back.")
        lastRoundSeconds = registry.makeGauge(
            name: "meridian_scoring_last_round_duration_seconds", labels: [],
            help: "Time the last evaluation round took.")
        lastPhaseSeconds = Dictionary(
            uniqueKeysWithValues: ["queries", "evaluation", "write_back"].map { phase in
                (
                    phase,
                    registry.makeGauge(
                        name: "meridian_scoring_last_round_phase_seconds", labels: [("phase", phase)],
                        help: "Time each phase of the last evaluation round took: the signals' queries, the "
                            + "evaluation (scores, states, the document, probe and agent answers), the write-back.")
                )
            })
    }

    func finished(round: Duration, queries: Duration, evaluation: Duration, writeBack: Duration) {
        rounds.increment()
        roundSeconds.record(round)
        lastRoundSeconds.set(Self.seconds(round))
        lastPhaseSeconds["queries"]?.set(Self.seconds(queries))
        lastPhaseSeconds["evaluation"]?.set(Self.seconds(evaluation))
        lastPhaseSeconds["write_back"]?.set(Self.seconds(writeBack))
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func signalFailed(_ signal: String) {
        registry.makeCounter(
            name: "meridian_scoring_signal_failures_total", labels: [("signal", signal)],
            help: "Rounds in which a signal's query failed (the round scores without it)."
        ).increment()
    }
}
