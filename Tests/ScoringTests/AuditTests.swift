import Testing

@testable import Scoring

/// The `.state` events of the audit log, and `since`.
@Suite struct AuditTests {
    @Test func aServedStateChangeGivesExactlyOneEvent() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let outcomes = [1.0, 0, 0, 0, 0].map { rounds.run(quality: ["a": $0, "b": 1]) }
        #expect(outcomes.map(\.events.count) == [0, 0, 0, 1, 0])
        #expect(
            outcomes[3].events == [
                AuditEvent(
                    time: 1015, kind: .state, target: key("a"), from: "up", to: "down",
                    reason: "health 0 < 0.5 (degraded_at)")
            ])
    }

    @Test func aCenterAndItsServiceChangingGiveOneEventEach() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a/checkout": 1, "b/checkout": 1])
        let outcomes = (0..<3).map { _ in rounds.run(quality: ["a/checkout": 0, "b/checkout": 1]) }
        #expect(outcomes.map(\.events.count) == [0, 0, 2])
        #expect(outcomes[2].events.map(\.target) == [key("a"), key("a/checkout")])
        #expect(outcomes[2].events.allSatisfy { $0.kind == .state && $0.from == "up" && $0.to == "down" })
        #expect(outcomes[2].events.allSatisfy { $0.time == 1015 && !$0.reason.isEmpty })
    }

    @Test func stableRoundsGiveNoEvents() {
        var rounds = Rounds(makeRules(centers("a", "b", "c")))
        let outcomes = (0..<10).map { i in
            rounds.run(quality: ["a": 1, "b": 0.75, "c": 0, "a/checkout": i.isMultiple(of: 2) ? 1 : 0.875])
        }
        #expect(outcomes.allSatisfy { $0.events.isEmpty })
    }

    @Test func everyStepOfAClimbAndARecoveryIsLogged() {
        var rounds = Rounds(makeRules(centers("a")))
        var log: [AuditEvent] = []
        for value in [1.0, 0.75, 0.75, 0.75, 0.25, 0.25, 0.25] + Array(repeating: 1, count: 5) {
            log += rounds.run(quality: ["a": value]).events
        }
        #expect(log.map { "\($0.from ?? "") → \($0.to ?? "")" } == ["up → degraded", "degraded → down", "down → up"])
        #expect(log.map(\.time) == [1015, 1030, 1055])
    }

    @Test func sinceStaysAtWhenTheStateBegan() {
        var rounds = Rounds(makeRules(centers("a")))
        let outcomes = [1.0, 1, 0, 0, 0, 0, 1].map { rounds.run(quality: ["a": $0]) }
        #expect(outcomes.map { $0["a"]?.since } == [1000, 1000, 1000, 1000, 1020, 1020, 1020])
    }

    @Test func sinceFollowsTheServedStateNotTheEvaluatedOne() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        _ = rounds.engine.setOverride(override(.drain, "a", at: 1003, until: 2000))
        let drained = [1.0, 0, 0, 0, 0].map { rounds.run(quality: ["a": $0, "b": 1]) }
        #expect(drained.map { $0["a"]?.evaluated } == [.up, .up, .up, .down, .down])
        #expect(drained.map { $0["a"]?.state } == [.drain, .drain, .drain, .drain, .drain])
        #expect(drained.map { $0["a"]?.since } == [1005, 1005, 1005, 1005, 1005])
        #expect(drained.map(\.events.count) == [1, 0, 0, 0, 0], "the evaluated change underneath is not served")
        #expect(drained[0].events.first?.reason == "override drain by alice: maintenance")
        #expect(drained[0].events.first?.to == "drain")
    }

    @Test func goingStaleAndComingBackAreLogged() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        let stale = rounds.run(quality: ["b": 1], freshness: ["a": fresh(20)])
        #expect(
            stale.events == [
                AuditEvent(
                    time: 1005, kind: .state, target: key("a"), from: "up", to: "unknown",
                    reason: "no new data from the center (newest 20s old) for 0s; down after 30s")
            ])
        let back = rounds.run(quality: ["a": 1, "b": 1])
        #expect(back.events.map(\.to) == ["up"])
        #expect(back["a"]?.since == 1010)
    }
}
