/// Everything the scoring engine is told by the `scoring:` section of the
/// config: which centers, regions and services there are, the signals that
/// score them, and how states move (thresholds, hysteresis, freshness,
/// fail-open).
///
/// A plain value: the config parser builds it, the engine reads it.
public struct ScoringRules: Sendable, Equatable {
    /// Seconds between evaluation rounds.
    public var interval: Double = 5
    /// Consecutive evaluations worse than the current state before the state
    /// follows them down (HAProxy's `fall`).
    public var fall = 3
    /// Consecutive evaluations better than the current state before the
    /// state follows them up (HAProxy's `rise`).
    public var rise = 5
    /// A health score at or above this is `up`.
    public var upAt = 0.8
    /// A health score at or above this (and below ``upAt``) is `degraded`;
    /// below it is `down`.
    public var degradedAt = 0.5
    /// A center whose newest sample is older than this (seconds) has no
    /// fresh data: it is `unknown`.
    public var staleAfter: Double = 15
    /// An entity `unknown` for this long (seconds) goes `down`.
    public var grace: Double = 30
    /// Fewer centers than this in `up` or `degraded` (and every center bad)
    /// turns on fail-open: traffic goes to all of them, and the document says so.
    public var minHealthyCenters = 1
    /// A discovered service that has had no data for this long (seconds) is
    /// dropped from the feed.
    public var forgetAfter: Double = 3600
    /// The centers (empty: discovered from the `center` label).
    public var centers: [CenterRule] = []
    /// User regions or ISPs, each with its preference order of centers.
    public var regions: [RegionRule] = []
    /// Services always shown (more are discovered from the `service` label).
    public var services: [String] = []
    /// The signals, each an expression grouped by `center` (and `service`).
    public var signals: [SignalRule] = SignalRule.defaults

    public init() {}

    /// The rule of `center`, or a default one (capacity 1, no answers).
    public func center(_ name: String) -> CenterRule {
        centers.first { $0.name == name } ?? CenterRule(name: name)
    }
}

/// One center as the config names it.
public struct CenterRule: Sendable, Equatable {
    /// The `center` label value.
    public var name: String
    /// Its share of traffic relative to the others, when all are healthy.
    public var capacity: Double = 1
    /// What a DNS GSLB should answer for this center (addresses or a CNAME);
    /// carried in the feed as given.
    public var answers: [String] = []
    /// The regions or ISPs this center serves (for the document; the order
    /// of preference is each region's).
    public var serves: [String] = []

    public init(name: String, capacity: Double = 1, answers: [String] = [], serves: [String] = []) {
        self.name = name
        self.capacity = capacity
        self.answers = answers
        self.serves = serves
    }
}

/// A user region (or ISP) and the centers its users prefer, best first.
public struct RegionRule: Sendable, Equatable {
    public var name: String
    public var preference: [String]

    public init(name: String, preference: [String]) {
        self.name = name
        self.preference = preference
    }
}
