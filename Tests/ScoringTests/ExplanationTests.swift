import Testing

@testable import Scoring

/// The reasons an entity gives, a center's card built from its services,
/// and what counts as a change of the feed.
@Suite struct ExplanationTests {
    /// The embedded default signals, for centers a and b.
    private func defaults() -> Rounds { Rounds(makeRules(centers("a", "b"), signals: SignalRule.defaults)) }

    @Test func aVetoedSignalNamesItsValueAndBothThresholds() {
        var rounds = defaults()
        let r = rounds.run(["error_ratio": ["a": 0.31, "b": 0]])
        #expect(
            r["a"]?.reasons == ["veto: error_ratio 0.31 > 0.2", "error_ratio 0.31 >= 0.05 (bad): score 0, weight 3"])
        #expect(r["a"]?.reasons.contains { $0.contains("error_ratio 0.31 >= 0.05") } == true)
    }

    @Test(arguments: [
        (0.005, ["health 1 >= 0.8 (up_at)"]),
        (0.02, ["health 0.75 < 0.8 (up_at)", "error_ratio 0.02 > 0.01 (good): score 0.75, weight 3"]),
        (0.04, ["health 0.25 < 0.5 (degraded_at)", "error_ratio 0.04 > 0.01 (good): score 0.25, weight 3"]),
        (0.1, ["health 0 < 0.5 (degraded_at)", "error_ratio 0.1 >= 0.05 (bad): score 0, weight 3"]),
    ])
    func theScoreIsExplainedAgainstTheThresholds(errorRatio: Double, reasons: [String]) {
        var rounds = defaults()
        #expect(rounds.run(["error_ratio": ["a": errorRatio]])["a"]?.reasons == reasons)
    }

    @Test func everySignalOffGoodIsListedWithItsScoreAndWeight() {
        var rounds = defaults()
        let r = rounds.run(["error_ratio": ["a": 0.02], "latency_p99": ["a": 1.25], "availability": ["a": 1]])
        #expect(r["a"]?.health == 0.75, "(0.75 × 3 + 0.5 × 2 + 1 × 2) / 7")
        #expect(r["a"]?.latency == 0.5)
        #expect(
            r["a"]?.reasons == [
                "health 0.75 < 0.8 (up_at)", "error_ratio 0.02 > 0.01 (good): score 0.75, weight 3",
                "latency_p99 1.25 > 0.5 (good): score 0.5, weight 2",
            ])
    }

    @Test func aHigherIsBetterSignalSaysBelow() {
        var rounds = defaults()
        let r = rounds.run(["availability": ["a": 0.75]])
        #expect(r["a"]?.reasons == ["health 0.5 < 0.8 (up_at)", "availability 0.75 < 1 (good): score 0.5, weight 2"])
    }

    @Test func hysteresisSaysHowManyRoundsSoFar() {
        var rounds = defaults()
        rounds.run(["error_ratio": ["a": 0]])
        let first = rounds.run(["error_ratio": ["a": 0.1]])
        #expect(
            first["a"]?.reasons == [
                "up until 3 rounds say down (fall): 1 so far", "health 0 < 0.5 (degraded_at)",
                "error_ratio 0.1 >= 0.05 (bad): score 0, weight 3",
            ])
        let second = rounds.run(["error_ratio": ["a": 0.1]])
        #expect(second["a"]?.reasons.first == "up until 3 rounds say down (fall): 2 so far")
        let down = rounds.run(["error_ratio": ["a": 0.1]])
        #expect(down["a"]?.reasons.first == "health 0 < 0.5 (degraded_at)")
        let rising = rounds.run(["error_ratio": ["a": 0]])
        #expect(rising["a"]?.reasons == ["down until 5 rounds say up (rise): 1 so far", "health 1 >= 0.8 (up_at)"])
        let degrading = rounds.run(["error_ratio": ["a": 0.02]])
        #expect(degrading["a"]?.reasons.first == "down until 5 rounds say degraded (rise): 2 so far")
    }

    @Test func aCenterScoredFromItsServicesTakesTheirMeanScore() {
        var rounds = defaults()
        let r = rounds.run(["error_ratio": ["a/checkout": 0.01, "a/search": 0.05]])
        let card = r["a"]?.signals.first
        #expect(card?.score == 0.5)
        #expect(card?.value == 0.05, "the worst service's value")
        #expect(card?.detail == "mean score of 2 services; value of the worst, search")
        #expect(card?.veto == nil)
        #expect(r["a"]?.health == 0.5)
        #expect(r["a"]?.state == .degraded)
        #expect(r["a"]?.signals[1].detail == "no data")
        #expect(r["a/search"]?.state == .down)
        #expect(r["a/checkout"]?.state == .up)
    }

    @Test func aCenterWithOneServiceNamesIt() {
        var rounds = defaults()
        let r = rounds.run(["error_ratio": ["a/checkout": 0.02]])
        #expect(r["a"]?.signals.first?.detail == "service checkout")
        #expect(r["a"]?.signals.first?.score == 0.75)
    }

    @Test func aCentersOwnValueBeatsItsServices() {
        var rounds = defaults()
        let r = rounds.run(["error_ratio": ["a": 0.02, "a/checkout": 0.31]])
        #expect(r["a"]?.signals.first?.value == 0.02)
        #expect(r["a"]?.signals.first?.detail == nil)
        #expect(r["a"]?.state == .degraded)
    }

    @Test func aCenterIsVetoedOnlyWhenEveryServiceIs() {
        var rounds = defaults()
        let all = rounds.run(["error_ratio": ["a/checkout": 0.31, "a/search": 0.25, "b/checkout": 0.31, "b/search": 0]])
        #expect(all["a"]?.signals.first?.veto == "every service: error_ratio 0.31 > 0.2 (checkout)")
        #expect(all["a"]?.reasons.first == "veto: every service: error_ratio 0.31 > 0.2 (checkout)")
        #expect(all["a"]?.state == .down)
        #expect(all["b"]?.signals.first?.veto == nil, "search did not veto")
        #expect(all["b"]?.health == 0.5)
        #expect(all["b"]?.state == .degraded)
        #expect(all["b/checkout"]?.state == .down)
    }

    @Test func failedQueriesAreCarriedToTheSnapshot() {
        var rounds = defaults()
        let r = rounds.run { input in
            input.freshness["a"] = fresh()
            input.values["error_ratio"] = [SignalValue(center: "a", value: 0)]
            input.failures["latency_p99"] = "query timed out"
        }
        #expect(r.snapshot.failures == ["latency_p99": "query timed out"])
        #expect(r["a"]?.state == .up)
    }

    // MARK: The decision

    @Test func theDecisionListsWhatRoutingDependsOn() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let r = rounds.run(quality: ["a": 1, "a/checkout": 1, "b": 0])
        #expect(
            r.snapshot.decision == [
                "a up 100 true - -", "a/checkout up 100 true - -", "b down 0 false - -", "default: a,b", "fail-open -",
            ])
    }

    @Test func aScoreDriftingWithinUpLeavesTheDecisionAlone() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let before = rounds.run(quality: ["a": 0.875, "b": 1])
        let after = rounds.run(quality: ["a": 0.9375, "b": 1])
        #expect(before["a"]?.health != after["a"]?.health)
        #expect(before.snapshot.decision == after.snapshot.decision)
    }

    @Test func aScoreDriftingWithinDegradedAloneLeavesTheDecisionAlone() {
        var rounds = Rounds(makeRules(centers("a")))
        let before = rounds.run(quality: ["a": 0.75])
        let after = rounds.run(quality: ["a": 0.625])
        #expect(after["a"]?.state == .degraded)
        #expect(before.snapshot.decision == after.snapshot.decision)
    }

    /// The centers' lines only: the default region's list orders equally
    /// healthy centers by their score, so a bad round within `fall` may reorder it.
    @Test func badRoundsWithinFallLeaveTheCentersLinesAlone() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let decisions = [1.0, 0, 0].map { rounds.run(quality: ["a": $0, "b": 1]).snapshot.decision.prefix(2) }
        #expect(decisions[0] == ["a up 50 true - -", "b up 50 true - -"])
        #expect(decisions[1] == decisions[0])
        #expect(decisions[2] == decisions[0])
        let down = rounds.run(quality: ["a": 0, "b": 1]).snapshot.decision.prefix(2)
        #expect(down == ["a down 0 false - -", "b up 100 true - -"], "down on the third")
    }

    @Test func aWeightChangeChangesTheDecision() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let before = rounds.run(quality: ["a": 0.75, "b": 1])
        let after = rounds.run(quality: ["a": 0.625, "b": 1])
        #expect(before.weights == ["a": 41, "b": 59], "0.7 : 1")
        #expect(after.weights == ["a": 37, "b": 63], "0.6 : 1")
        #expect(before["a"]?.state == after["a"]?.state)
        #expect(before.snapshot.decision != after.snapshot.decision)
    }

    @Test func anOverrideChangesTheDecision() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let before = rounds.run(quality: ["a": 1, "b": 1])
        _ = rounds.engine.setOverride(override(.drain, "a", at: 1001, until: 2000))
        let after = rounds.run(quality: ["a": 1, "b": 1])
        #expect(before.snapshot.decision != after.snapshot.decision)
        #expect(after.snapshot.decision.first == "a drain 0 false drain -")
    }
}
