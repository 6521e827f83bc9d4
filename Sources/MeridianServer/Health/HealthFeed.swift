import Foundation
import Logging
import Scoring
import Synchronization

/// The health feed: the scoring engine, what its last round published, and
/// the audit log. The scoring service feeds it rounds; the routes and the
/// agent-check responder read what each round precomputed, so answering a
/// probe is a dictionary lookup under a lock, never an evaluation.
public final class HealthFeed: Sendable {
    /// What one round published, ready to serve.
    public struct Published: Sendable {
        /// Increases whenever the routing decision changes (see ``HealthSnapshot/decision``).
        public var version = 0
        public var snapshot: HealthSnapshot?
        /// The JSON document (the `data` of `GET /api/v1/health`).
        public var document: [UInt8] = []
        /// `GET /probe/...` answers by entity (`bj`, `bj/checkout`).
        var probes: [String: ProbeAnswer] = [:]
        /// HAProxy agent replies by entity.
        var agentReplies: [String: String] = [:]
        var decision: [String] = []
    }

    private struct State {
        var engine: HealthEngine
        var published = Published()
    }

    private let state: Mutex<State>
    /// Follows the published version, for long polls and event streams.
    private let changes = VersionSignal()
    private let closed = Atomic<Bool>(false)
    /// Bumped by every override set or lifted, so the scoring loop runs a
    /// round at once rather than at its next tick.
    let overridesChanged = VersionSignal()
    /// State changes and overrides, on disk and the recent ones in memory.
    public let audit: AuditLog
    let logger: Logger
    public var rules: ScoringRules { state.withLock { $0.engine.rules } }

    /// A feed for `rules`, with the overrides the audit log still has in force.
    public init(rules: ScoringRules, audit: AuditLog, logger: Logger, now: Double = Date().timeIntervalSince1970) {
        let overrides = OverrideBook.replaying(audit.all(), now: now)
        state = Mutex(State(engine: HealthEngine(rules: rules, overrides: overrides)))
        self.audit = audit
        self.logger = logger
    }

    /// Runs one round over `input`, logs its events and publishes the result.
    /// - Returns: the snapshot.
    @discardableResult
    public func evaluate(_ input: RoundInput) -> HealthSnapshot {
        let (snapshot, events) = state.withLock { $0.engine.evaluate(input) }
        record(events)
        publish(snapshot)
        return snapshot
    }

    /// What the last round published.
    public var current: Published { state.withLock { $0.published } }

    /// Puts `override` in force and logs it; the next round applies it.
    public func set(_ override: Override) {
        let event = state.withLock { $0.engine.setOverride(override) }
        record([event])
        overridesChanged.bump()
    }

    /// Lifts the override on `target`; false when there was none.
    public func lift(_ target: EntityKey, by: String, reason: String, now: Double) -> Bool {
        guard let event = state.withLock({ $0.engine.liftOverride(target, by: by, reason: reason, now: now) }) else {
            return false
        }
        record([event])
        overridesChanged.bump()
        return true
    }

    /// The overrides in force, by target.
    public var overrides: [Override] {
        state.withLock { $0.engine.overrides.active.values.sorted { $0.target < $1.target } }
    }

    private func record(_ events: [AuditEvent]) {
        audit.append(events)
        for event in events {
            logger.notice(
                "health \(event.kind.rawValue)",
                metadata: [
                    "target": "\(event.target)", "from": "\(event.from ?? "")", "to": "\(event.to ?? "")",
                    "reason": "\(event.reason)",
                ])
        }
    }

    private func publish(_ snapshot: HealthSnapshot) {
        let decision = snapshot.decision
        let version = state.withLock { state in
            var published = state.published
            if decision != published.decision || published.snapshot == nil { published.version += 1 }
            published.snapshot = snapshot
            published.decision = decision
            published.document = HealthDocument.render(snapshot, version: published.version)
            published.probes = ProbeAnswer.all(snapshot)
            published.agentReplies = AgentReply.all(snapshot)
            state.published = published
            return published.version
        }
        changes.advance(to: version)
    }

    /// Waits for a version above `version` for at most `timeout`.
    /// - Returns: whether it changed.
    public func waitForChange(after version: Int, timeout: Duration) async -> Bool {
        await changes.wait(after: version, timeout: timeout)
    }

    /// Returns once the version is above `version`, or the task is cancelled.
    public func waitForChange(after version: Int) async { await changes.wait(after: version) }

    /// Ends the event streams (at shutdown, so they do not hold the HTTP server open).
    public func close() {
        closed.store(true, ordering: .releasing)
        changes.bump()
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// The probe answer for `bj` or `bj/checkout`, nil for an unknown name.
    public func probe(_ name: String) -> ProbeAnswer? { state.withLock { $0.published.probes[name] } }

    /// The agent-check reply to a request line naming `bj` or `bj/checkout`.
    public func agentReply(_ request: Substring) -> String {
        let name = request.trimmingCharacters(in: .whitespaces)
        return state.withLock { state in
            if state.published.snapshot == nil { return "up #no evaluation yet" }
            return state.published.agentReplies[name] ?? "down #unknown center or service \(AgentReply.clean(name))"
        }
    }
}
