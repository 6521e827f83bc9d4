/// An operator's decision that beats the scores: drain, force down or force
/// up a center or a service, until it expires or is lifted.
public struct Override: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        /// No new traffic (`drain` in HAProxy, 200 `DRAIN` on the probe).
        case drain
        /// Down, whatever the scores say.
        case down
        /// Up, whatever the scores say (a known-good center whose signals are wrong).
        case up

        /// The state it forces.
        public var state: HealthState {
            switch self {
            case .drain: return .drain
            case .down: return .down
            case .up: return .up
            }
        }
    }

    public var target: EntityKey
    public var action: Action
    public var reason: String
    /// Who set it (the API's `by`, e.g. a user name or a ticket).
    public var by: String
    /// Wall-clock seconds.
    public var setAt: Double
    public var expiresAt: Double

    public init(target: EntityKey, action: Action, reason: String, by: String, setAt: Double, expiresAt: Double) {
        self.target = target
        self.action = action
        self.reason = reason
        self.by = by
        self.setAt = setAt
        self.expiresAt = expiresAt
    }
}

/// The overrides in force, keyed by what they target; one per target (a new
/// one replaces the old).
public struct OverrideBook: Sendable, Equatable {
    public private(set) var active: [EntityKey: Override] = [:]

    public init() {}

    /// Puts `override` in force, replacing any on its target; returns the event to log.
    public mutating func set(_ override: Override) -> AuditEvent {
        active[override.target] = override
        return AuditEvent(
            time: override.setAt, kind: .overrideSet, target: override.target, to: override.action.rawValue,
            reason: override.reason, by: override.by, expiresAt: override.expiresAt)
    }

    /// Lifts the override on `target`; nil when there is none.
    public mutating func lift(_ target: EntityKey, by: String, reason: String, now: Double) -> AuditEvent? {
        guard let old = active.removeValue(forKey: target) else { return nil }
        return AuditEvent(
            time: now, kind: .overrideLifted, target: target, from: old.action.rawValue, reason: reason, by: by)
    }

    /// Removes every override whose time is up, returning their events.
    public mutating func expire(now: Double) -> [AuditEvent] {
        let due = active.values.filter { $0.expiresAt <= now }.sorted { $0.target < $1.target }
        return due.map { old in
            active[old.target] = nil
            return AuditEvent(
                time: old.expiresAt, kind: .overrideExpired, target: old.target, from: old.action.rawValue,
                reason: "expired (set by \(old.by): \(old.reason))", by: old.by)
        }
    }

    /// The override that applies to `key`: its own, or else its center's.
    public func applying(to key: EntityKey) -> Override? {
        active[key] ?? (key.service != nil ? active[key.centerKey] : nil)
    }

    /// Rebuilds the book from an audit log, oldest event first, dropping what
    /// has expired by `now`.
    public static func replaying(_ events: [AuditEvent], now: Double) -> OverrideBook {
        var book = OverrideBook()
        for event in events {
            switch event.kind {
            case .overrideSet:
                guard let to = event.to, let action = Override.Action(rawValue: to), let expiresAt = event.expiresAt
                else { continue }
                book.active[event.target] = Override(
                    target: event.target, action: action, reason: event.reason, by: event.by ?? "",
                    setAt: event.time, expiresAt: expiresAt)
            case .overrideLifted, .overrideExpired: book.active[event.target] = nil
            case .state: break
            }
        }
        _ = book.expire(now: now)
        return book
    }
}

/// One line of the audit log: a state change or an override set, lifted or expired.
public struct AuditEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case state
        case overrideSet = "override_set"
        case overrideLifted = "override_lifted"
        case overrideExpired = "override_expired"
    }

    /// Position in the log, assigned when it is written (1, 2, …).
    public var id = 0
    /// Wall-clock seconds.
    public var time: Double
    public var kind: Kind
    public var target: EntityKey
    public var from: String?
    public var to: String?
    public var reason: String
    public var by: String?
    public var expiresAt: Double?

    public init(
        time: Double, kind: Kind, target: EntityKey, from: String? = nil, to: String? = nil, reason: String,
        by: String? = nil, expiresAt: Double? = nil
    ) {
        self.time = time
        self.kind = kind
        self.target = target
        self.from = from
        self.to = to
        self.reason = reason
        self.by = by
        self.expiresAt = expiresAt
    }
}
