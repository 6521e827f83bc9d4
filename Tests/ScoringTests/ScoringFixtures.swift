import Testing

@testable import Scoring

/// Signals with round numbers, so that scores and weights come out exact.
extension SignalRule {
    /// Higher is better and scores its own value (good 1, bad 0): 0.75 scores 0.75.
    static let quality = SignalRule(name: "quality", expr: "quality", good: 1, bad: 0, weight: 1)
    /// The default error ratio's thresholds, weight and veto, fed by hand.
    static let errors = SignalRule(
        name: "error_ratio", expr: "error_ratio", good: 0.01, bad: 0.05, weight: 3, downAbove: 0.20)
}

/// Rules over `centers` scored by `signals`; `configure` sets the rest
/// (the defaults otherwise: fall 3, rise 5, up_at 0.8, degraded_at 0.5,
/// stale_after 15 s, grace 30 s, interval 5 s).
func makeRules(
    _ centers: [CenterRule] = [], signals: [SignalRule] = [.quality],
    _ configure: (inout ScoringRules) -> Void = { _ in }
) -> ScoringRules {
    var rules = ScoringRules()
    rules.centers = centers
    rules.signals = signals
    configure(&rules)
    return rules
}

/// Centers `names`, capacity 1 and no answers.
func centers(_ names: String...) -> [CenterRule] { names.map { CenterRule(name: $0) } }

/// `a` or `a/checkout` as an entity key.
func key(_ text: String) -> EntityKey {
    guard let key = EntityKey(parsing: Substring(text)) else { preconditionFailure("bad key \(text)") }
    return key
}

/// An override of `target` set at `at`, by alice for maintenance unless told.
func override(
    _ action: Override.Action, _ target: String, at: Double, until: Double, by: String = "alice",
    reason: String = "maintenance"
) -> Override {
    Override(target: key(target), action: action, reason: reason, by: by, setAt: at, expiresAt: until)
}

/// Freshness of a center whose newest sample is `age` seconds old.
func fresh(_ age: Double = 1) -> CenterFreshness { CenterFreshness(newestSampleAge: age) }

/// The outcome of one round, with lookups by name.
struct Round {
    let snapshot: HealthSnapshot
    let events: [AuditEvent]

    /// The entity `a` or `a/checkout`, or nil when the snapshot lacks it.
    subscript(_ entity: String) -> EntityHealth? { snapshot.entity(key(entity)) }

    /// Every center's weight, by name.
    var weights: [String: Int] {
        Dictionary(uniqueKeysWithValues: snapshot.centers.map { ($0.health.key.center, $0.health.weight) })
    }

    /// The weight of `service` in each center offering it, by center.
    func weights(of service: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for center in snapshot.centers {
            for s in center.services where s.key.service == service { out[s.key.center] = s.weight }
        }
        return out
    }

    /// Every entity's served state, by `a` or `a/checkout`.
    var states: [String: HealthState] {
        var out: [String: HealthState] = [:]
        for center in snapshot.centers {
            for e in [center.health] + center.services { out[e.key.description] = e.state }
        }
        return out
    }

    /// The region `name`'s answer.
    func region(_ name: String) -> RegionAnswer? { snapshot.regions.first { $0.name == name } }
}

/// Drives a ``HealthEngine`` round by round on an injected clock: the first
/// round at 1000, each next one `step` (5) seconds later.
struct Rounds {
    var engine: HealthEngine
    /// The time of the next round.
    var now: Double
    let step: Double

    init(_ rules: ScoringRules, start: Double = 1000, step: Double = 5) {
        engine = HealthEngine(rules: rules)
        now = start
        self.step = step
    }

    /// Evaluates a round built by `build` at ``now``, then moves the clock on.
    @discardableResult
    mutating func run(_ build: (inout RoundInput) -> Void) -> Round {
        var input = RoundInput(time: now)
        build(&input)
        let (snapshot, events) = engine.evaluate(input)
        now += step
        return Round(snapshot: snapshot, events: events)
    }

    /// Evaluates a round of `values` (signal name → `a` or `a/checkout` →
    /// value). Every center `values` names has fresh data (1 s old) unless
    /// `freshness` says otherwise; centers in `absent` have no entry at all.
    @discardableResult
    mutating func run(
        _ values: [String: [String: Double]], freshness: [String: CenterFreshness] = [:], absent: Set<String> = []
    ) -> Round {
        run { input in
            for (signal, byEntity) in values {
                let series = byEntity.sorted { $0.key < $1.key }.map { entity, value in
                    let k = key(entity)
                    return SignalValue(center: k.center, service: k.service, value: value)
                }
                for value in series { input.freshness[value.center] = fresh() }
                input.values[signal] = series
            }
            input.freshness.merge(freshness) { _, given in given }
            for center in absent { input.freshness[center] = nil }
        }
    }

    /// A round of the `quality` signal alone.
    @discardableResult
    mutating func run(
        quality: [String: Double], freshness: [String: CenterFreshness] = [:], absent: Set<String> = []
    ) -> Round {
        run(["quality": quality], freshness: freshness, absent: absent)
    }

    /// `count` rounds of the same `quality` values.
    mutating func run(_ count: Int, quality: [String: Double]) -> [Round] {
        (0..<count).map { _ in run(quality: quality) }
    }
}
