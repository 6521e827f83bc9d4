/// One entity's signals in one round, scored: each signal's value and score,
/// the weighted health and latency scores, any veto, and the state those
/// alone say (before hysteresis).
struct ScoreCard {
    private(set) var contributions: [SignalContribution] = []
    private(set) var health: Double?
    private(set) var latency: Double?
    private(set) var vetoes: [String] = []

    /// The card of an entity whose values come straight from the signals'
    /// results (by signal position; several series for one entity: the worst counts).
    init(signals: [SignalRule], values: [Int: [Double]], rules: ScoringRules) {
        upAt = rules.upAt
        degradedAt = rules.degradedAt
        for (position, signal) in signals.enumerated() {
            guard let candidates = values[position], !candidates.isEmpty else {
                contributions.append(Self.missing(signal))
                continue
            }
            let value = candidates.min { signal.score($0) < signal.score($1) }!
            contributions.append(
                SignalContribution(
                    name: signal.name, value: value, good: signal.good, bad: signal.bad, weight: signal.weight,
                    score: signal.score(value), veto: signal.veto(value),
                    detail: candidates.count > 1 ? "worst of \(candidates.count) series" : nil))
        }
        total(signals)
    }

    /// The card of a center: a signal grouped by center alone counts as is;
    /// one grouped by service counts as the mean score of the center's
    /// services, vetoing only when every one of them vetoes.
    init(
        signals: [SignalRule], values: [Int: [Double]], services: [(name: String, signals: [SignalContribution])],
        rules: ScoringRules
    ) {
        upAt = rules.upAt
        degradedAt = rules.degradedAt
        let own = ScoreCard(signals: signals, values: values, rules: rules)
        for (position, signal) in signals.enumerated() {
            if own.contributions[position].score != nil {
                contributions.append(own.contributions[position])
                continue
            }
            let scored = services.compactMap { service in
                service.signals[position].score.map { (service.name, service.signals[position], $0) }
            }
            guard let worst = scored.min(by: { $0.2 < $1.2 }) else {
                contributions.append(Self.missing(signal))
                continue
            }
            let mean = scored.map(\.2).reduce(0, +) / Double(scored.count)
            let allVeto = scored.allSatisfy { $0.1.veto != nil }
            contributions.append(
                SignalContribution(
                    name: signal.name, value: worst.1.value, good: signal.good, bad: signal.bad, weight: signal.weight,
                    score: mean,
                    veto: allVeto ? "every service: \(worst.1.veto!) (\(worst.0))" : nil,
                    detail: scored.count > 1
                        ? "mean score of \(scored.count) services; value of the worst, \(worst.0)"
                        : "service \(worst.0)"))
        }
        total(signals)
    }

    private static func missing(_ signal: SignalRule) -> SignalContribution {
        SignalContribution(
            name: signal.name, value: nil, good: signal.good, bad: signal.bad, weight: signal.weight, score: nil,
            veto: nil, detail: "no data")
    }

    /// The weighted scores and the vetoes, from the contributions.
    private mutating func total(_ signals: [SignalRule]) {
        var weighted = 0.0
        var weights = 0.0
        var latencyWeighted = 0.0
        var latencyWeights = 0.0
        for (position, signal) in signals.enumerated() {
            let c = contributions[position]
            if let veto = c.veto { vetoes.append(veto) }
            guard let score = c.score else { continue }
            weighted += score * signal.weight
            weights += signal.weight
            if signal.latency {
                latencyWeighted += score * signal.weight
                latencyWeights += signal.weight
            }
        }
        health = weights > 0 ? weighted / weights : nil
        latency = latencyWeights > 0 ? latencyWeighted / latencyWeights : nil
    }

    /// Whether any signal has a value.
    var hasData: Bool { health != nil }

    /// The state thresholds, from the rules.
    private let upAt: Double
    private let degradedAt: Double

    /// The state this round's signals say, before hysteresis.
    var raw: HealthState {
        guard let health else { return .unknown }
        if !vetoes.isEmpty || health < degradedAt { return .down }
        return health >= upAt ? .up : .degraded
    }

    /// The reasons this round's signals give, the decisive first: vetoes,
    /// then the score against the thresholds, then each signal off `good`.
    var reasons: [String] {
        guard let health else { return [] }
        var out = vetoes.map { "veto: \($0)" }
        switch raw {
        case .up: out.append("health \(format(health)) >= \(format(upAt)) (up_at)")
        case .degraded: out.append("health \(format(health)) < \(format(upAt)) (up_at)")
        default:
            if vetoes.isEmpty { out.append("health \(format(health)) < \(format(degradedAt)) (degraded_at)") }
        }
        for c in contributions {
            guard let score = c.score, let value = c.value, score < 1 else { continue }
            // Past good (strictly: it scores below 1), or at or past bad (it scores 0).
            let side = (c.good < c.bad ? ">" : "<") + (score == 0 ? "=" : "")
            let limit = score == 0 ? c.bad : c.good
            out.append(
                "\(c.name) \(format(value)) \(side) \(format(limit)) (\(score == 0 ? "bad" : "good")): "
                    + "score \(format(score)), weight \(format(c.weight))")
        }
        return out
    }
}
