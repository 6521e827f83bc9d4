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
        /// Each entity's probe answer and HAProxy agent reply, by its name
        /// (`bj`, `bj/checkout`).
        var answers: [String: (probe: ProbeAnswer, agent: String)] = [:]
        var decision: [String] = []
    }

    /// The engine, locked for a whole round; the published answers, locked
    /// only to read or swap them, so a probe never waits for a round.
    private let engine: Mutex<HealthEngine>
    private let published = Mutex(Published())
    /// Follows the published version, for long polls and event streams.
    private let changes = VersionSignal()
    private let closed = Atomic<Bool>(false)
    /// Bumped by every override set or lifted, so the scoring loop runs a
    /// round at once rather than at its next tick.
    let overridesChanged = VersionSignal()
    /// State changes and overrides, on disk and the recent ones in memory.
    public let audit: AuditLog
    let logger: Logger
    public var rules: ScoringRules { engine.withLock { $0.rules } }

    /// A feed for `rules`, with the overrides the audit log still has in force.
    public init(rules: ScoringRules, audit: AuditLog, logger: Logger, now: Double = Date().timeIntervalSince1970) {
        let overrides = OverrideBook.replaying(audit.all(), now: now)
        engine = Mutex(HealthEngine(rules: rules, overrides: overrides))
        self.audit = audit
        self.logger = logger
    }

    /// Runs one round over `input`, logs its events and publishes the result.
    /// - Returns: the snapshot.
    @discardableResult
    public func evaluate(_ input: RoundInput) -> HealthSnapshot {
        let (snapshot, events) = engine.withLock { $0.evaluate(input) }
        record(events)
        publish(snapshot)
        return snapshot
    }

    /// What the last round published.
    public var current: Published { published.withLock { $0 } }

    /// Puts `override` in force and logs it; the next round applies it.
    public func set(_ override: Override) {
        let event = engine.withLock { $0.setOverride(override) }
        record([event])
        overridesChanged.bump()
    }

    /// Lifts the override on `target`; false when there was none.
    public func lift(_ target: EntityKey, by: String, reason: String, now: Double) -> Bool {
        guard let event = engine.withLock({ $0.liftOverride(target, by: by, reason: reason, now: now) }) else {
            return false
        }
        record([event])
        overridesChanged.bump()
        return true
    }

    /// The overrides in force, by target.
    public var overrides: [Override] {
        engine.withLock { $0.overrides.active.values.sorted { $0.target < $1.target } }
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

    /// Renders the round's answers (outside any lock: a document of 5,000
    /// services takes tens of milliseconds) and swaps them in. Only the
    /// scoring loop publishes, one round after another.
    private func publish(_ snapshot: HealthSnapshot) {
        var next = current
        let decision = snapshot.decision
        if decision != next.decision || next.snapshot == nil { next.version += 1 }
        next.snapshot = snapshot
        next.decision = decision
        next.document = HealthDocument.render(snapshot, version: next.version)
        next.answers = Self.answers(snapshot)
        let version = next.version
        // The previous round's answers are freed after the swap, outside the
        // lock: freeing 5,000 entries' strings takes milliseconds a probe would wait.
        published.withLock { swap(&$0, &next) }
        changes.advance(to: version)
    }

    /// Every entity's probe answer and agent reply, in one pass.
    private static func answers(_ snapshot: HealthSnapshot) -> [String: (probe: ProbeAnswer, agent: String)] {
        var out: [String: (probe: ProbeAnswer, agent: String)] = [:]
        out.reserveCapacity(snapshot.centers.reduce(0) { $0 + 1 + $1.services.count })
        for center in snapshot.centers {
            for entity in [center.health] + center.services {
                out[entity.key.description] = (ProbeAnswer(entity), AgentReply.reply(entity))
            }
        }
        return out
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
    public func probe(_ name: String) -> ProbeAnswer? { published.withLock { $0.answers[name]?.probe } }

    /// The agent-check reply to a request line naming `bj` or `bj/checkout`.
    public func agentReply(_ request: Substring) -> String {
        let name = request.trimmingCharacters(in: .whitespaces)
        return published.withLock { published in
            if published.snapshot == nil { return "up #no evaluation yet" }
            return published.answers[name]?.agent ?? "down #unknown center or service \(AgentReply.clean(name))"
        }
    }
}
