/// What the feed says of a center or a service.
public enum HealthState: String, Sendable, CaseIterable, Comparable {
    /// Healthy: takes its full share of traffic.
    case up
    /// Serving, but with a score between `degraded_at` and `up_at`: takes a
    /// smaller share, and HTTP monitors see 429.
    case degraded
    /// Taken out by an operator: finishes what it has, gets no new traffic.
    case drain
    /// Failing (score below `degraded_at`, a veto, or no data past the grace).
    case down
    /// No fresh data: the last known state still routes until the grace ends.
    case unknown

    /// How bad a state is, for hysteresis and for ordering preference lists.
    var badness: Int {
        switch self {
        case .up: return 0
        case .degraded: return 1
        case .unknown: return 2
        case .drain: return 3
        case .down: return 4
        }
    }

    public static func < (lhs: HealthState, rhs: HealthState) -> Bool { lhs.badness < rhs.badness }

    /// Whether traffic may go to an entity in this state.
    public var routable: Bool { self == .up || self == .degraded }
}

/// A center, or one service in a center.
public struct EntityKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var center: String
    /// nil for the center as a whole.
    public var service: String?

    public init(center: String, service: String? = nil) {
        self.center = center
        self.service = service
    }

    /// Parses `bj` or `bj/checkout` (as the agent check and the probe paths name them).
    public init?(parsing text: Substring) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        center = String(parts[0])
        service = parts.count == 2 ? String(parts[1]) : nil
    }

    /// The center as a whole.
    public var centerKey: EntityKey { EntityKey(center: center) }

    public var description: String { service.map { "\(center)/\($0)" } ?? center }

    public static func < (lhs: EntityKey, rhs: EntityKey) -> Bool {
        (lhs.center, lhs.service ?? "") < (rhs.center, rhs.service ?? "")
    }
}
