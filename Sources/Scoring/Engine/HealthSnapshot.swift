/// The outcome of one evaluation round: what the feed serves.
public struct HealthSnapshot: Sendable {
    /// The round's number since the process started (1, 2, …), so that a
    /// consumer can count rounds (hysteresis is counted in rounds).
    public var round = 0
    /// Wall-clock seconds of the round.
    public var generatedAt: Double
    /// After this (wall-clock seconds) a consumer should treat the document
    /// as stale: three intervals without a new round.
    public var staleAfter: Double
    /// Every center, its services inside, sorted by name.
    public var centers: [CenterHealth] = []
    /// Each region's preference list, in config order.
    public var regions: [RegionAnswer] = []
    /// Set when too few centers are healthy and traffic goes to all of them.
    public var failOpen: String?
    /// Signals whose query failed this round.
    public var failures: [String: String] = [:]

    public init(generatedAt: Double, staleAfter: Double) {
        self.generatedAt = generatedAt
        self.staleAfter = staleAfter
    }

    /// The entity `key` names, or nil.
    public func entity(_ key: EntityKey) -> EntityHealth? {
        guard let center = centers.first(where: { $0.health.key.center == key.center }) else { return nil }
        guard let service = key.service else { return center.health }
        return center.services.first { $0.key.service == service }
    }

    /// What routing depends on, without scores and explanations: a change of
    /// this is a change of the feed (a new version, an SSE event, a long poll
    /// answered), while scores drifting inside a state are not.
    public var decision: [String] {
        var lines = centers.flatMap { center in
            ([center.health] + center.services).map { e in
                "\(e.key) \(e.state.rawValue) \(e.weight) \(e.routable) \(e.override?.action.rawValue ?? "-") "
                    + "\(e.failOpen ?? "-")"
            }
        }
        lines += regions.map { "\($0.name): \($0.centers.joined(separator: ","))" }
        lines.append("fail-open \(failOpen ?? "-")")
        return lines
    }
}

/// A center as a whole, and each of its services.
public struct CenterHealth: Sendable {
    public var health: EntityHealth
    public var services: [EntityHealth]
    public var capacity: Double
    public var answers: [String]
    public var serves: [String]
}

/// The verdict on one center or service, with everything that led to it.
public struct EntityHealth: Sendable {
    public var key: EntityKey
    /// The state served (after overrides).
    public var state: HealthState
    /// The state the scores and hysteresis give, before any override.
    public var evaluated: HealthState
    /// Wall-clock seconds since which ``state`` holds.
    public var since: Double
    /// Weighted score of every signal with data, 0...1; nil without data.
    public var health: Double?
    /// Weighted score of the latency signals, 0...1; nil without any.
    public var latency: Double?
    /// Share of traffic, 0...100, among the centers (for a center) or among
    /// the centers offering the service (for a service).
    public var weight: Int
    /// Whether traffic goes to it: routable state, or fail-open.
    public var routable: Bool
    /// Why the state is what it is, most decisive first.
    public var reasons: [String]
    public var signals: [SignalContribution]
    public var hysteresis: HysteresisReport
    public var override: Override?
    /// Set when fail-open keeps this entity routed despite its state.
    public var failOpen: String?
}

/// How one signal moved an entity's score.
public struct SignalContribution: Sendable {
    public var name: String
    /// The value (for a center built from its services: the worst service's); nil without data.
    public var value: Double?
    public var good: Double
    public var bad: Double
    public var weight: Double
    /// 0...1; nil without data.
    public var score: Double?
    /// The veto it triggered, if any.
    public var veto: String?
    /// Where the value came from when not a single series (`mean of 2 services; worst checkout`).
    public var detail: String?
}

/// Where an entity's hysteresis stands.
public struct HysteresisReport: Sendable {
    /// What this round's signals alone say.
    public var raw: HealthState
    /// Consecutive rounds worse than the state, of `fall` needed to follow them.
    public var badStreak: Int
    /// Consecutive rounds better than the state, of `rise` needed to follow them.
    public var goodStreak: Int
    public var fall: Int
    public var rise: Int
}

/// A region's centers, best first, and the answer a DNS GSLB should give its users.
public struct RegionAnswer: Sendable {
    public var name: String
    /// Every center, ordered by state, the region's preference, health and latency.
    public var centers: [String]
    /// The first routable center (nil when none is).
    public var answer: String?
    /// That center's configured answers.
    public var answers: [String]
}
