import Testing

@testable import Scoring

/// Stale data, the grace, links down and centers never heard from (stale
/// after 15 s, a 30 s grace, a round every 5 s).
@Suite struct FreshnessTests {
    /// Two healthy centers, and `a` stale from the second round on: the rounds
    /// from 1005, the age of its newest sample growing with the clock.
    private func staleA(rounds count: Int, _ rounds: inout Rounds) -> [Round] {
        (0..<count).map { i in
            rounds.run(quality: ["b": 1], freshness: ["a": fresh(16 + 5 * Double(i))])
        }
    }

    @Test(arguments: [(15.0, HealthState.up), (15.5, .unknown), (16, .unknown), (3600, .unknown)])
    func dataOlderThanStaleAfterMakesTheCenterUnknownAtOnce(age: Double, state: HealthState) {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        let r = rounds.run(quality: ["a": 1, "b": 1], freshness: ["a": fresh(age)])
        #expect(r["a"]?.state == state)
        #expect(r["a"]?.evaluated == state)
        #expect(r["b"]?.state == .up)
    }

    @Test func aStaleCenterRoutesAsItsLastStateThroughTheGraceAndGoesDownWhenItEnds() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        let stale = staleA(rounds: 8, &rounds)

        #expect(stale.map(\.snapshot.generatedAt) == [1005, 1010, 1015, 1020, 1025, 1030, 1035, 1040])
        #expect(
            stale.map { $0["a"]?.state } == [.unknown, .unknown, .unknown, .unknown, .unknown, .unknown, .down, .down])
        #expect(stale.map { $0["a"]?.routable } == [true, true, true, true, true, true, false, false])
        #expect(stale.map { $0["a"]?.weight } == [50, 50, 50, 50, 50, 50, 0, 0])
        #expect(stale.map { $0["b"]?.weight } == [50, 50, 50, 50, 50, 50, 100, 100])
        #expect(stale.map { $0["a"]?.hysteresis.raw } == Array(repeating: .unknown, count: 8))
        #expect(stale.map(\.events.count) == [1, 0, 0, 0, 0, 0, 1, 0])
        #expect(
            stale[0]["a"]?.reasons == [
                "no new data from the center (newest 16s old) for 0s; down after 30s",
                "last known state up before its data stopped",
            ])
        #expect(
            stale[5]["a"]?.reasons == [
                "no new data from the center (newest 41s old) for 25s; down after 30s",
                "last known state up before its data stopped",
            ])
        #expect(
            stale[6]["a"]?.reasons == [
                "no new data from the center (newest 46s old) for 30s, past the 30s grace",
                "last known state up before its data stopped",
            ])
        #expect(stale[6]["a"]?.since == 1035)
    }

    @Test(arguments: [10.0, 30, 60])
    func theGraceIsMeasuredFromTheFirstRoundWithoutData(grace: Double) {
        var rounds = Rounds(makeRules(centers("a", "b")) { $0.grace = grace })
        rounds.run(quality: ["a": 1, "b": 1])
        let stale = staleA(rounds: Int(grace / 5) + 2, &rounds)
        let firstDown = stale.firstIndex { $0["a"]?.state == .down }
        #expect(firstDown.map { stale[$0].snapshot.generatedAt } == 1005 + grace)
    }

    @Test func dataBackWithinTheGraceResumesTheLastState() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        _ = staleA(rounds: 5, &rounds)
        let back = rounds.run(quality: ["a": 1, "b": 1])
        #expect(back["a"]?.state == .up, "a missed scrape costs nothing")
        #expect(back["a"]?.since == 1030)
        #expect(back["a"]?.weight == 50)
        #expect(back.events.map(\.from) == ["unknown"])
        #expect(back.events.map(\.to) == ["up"])
    }

    @Test func dataBackWithinTheGraceResumesADegradedStateAndCountsFromThere() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 0.75, "b": 1])
        _ = staleA(rounds: 2, &rounds)
        let better = rounds.run(quality: ["a": 1, "b": 1])
        #expect(better["a"]?.state == .degraded, "back to degraded, not straight to what the data says")
        #expect(better["a"]?.hysteresis.goodStreak == 1)
        _ = staleA(rounds: 2, &rounds)
        let worse = rounds.run(quality: ["a": 0, "b": 1])
        #expect(worse["a"]?.state == .degraded)
        #expect(worse["a"]?.hysteresis.badStreak == 1)
    }

    @Test func afterTheGraceRecoveryNeedsRiseRounds() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        let stale = staleA(rounds: 7, &rounds)
        #expect(stale.last?["a"]?.state == .down)
        let back = rounds.run(5, quality: ["a": 1, "b": 1])
        #expect(back.map { $0["a"]?.state } == [.down, .down, .down, .down, .up])
        #expect(back.map { $0["a"]?.hysteresis.goodStreak } == [1, 2, 3, 4, 0])
    }

    @Test func aCenterAlreadyDownStaysDownWhenItsDataStops() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 0, "b": 1])
        let stale = staleA(rounds: 8, &rounds)
        #expect(stale.allSatisfy { $0["a"]?.state == .down })
        #expect(stale.allSatisfy { $0.events.isEmpty })
    }

    @Test func aLinkDownMakesTheCenterUnknownAndSaysSo() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        let r = rounds.run(
            quality: ["a": 1, "b": 1], freshness: ["a": CenterFreshness(newestSampleAge: 3, linkDown: true)])
        #expect(r["a"]?.state == .unknown)
        #expect(r["a"]?.routable == true)
        #expect(
            r["a"]?.reasons.first == "the center's link to this layer is down (last data 3s old) for 0s; down after 30s"
        )
        #expect(r.events.first?.reason.contains("link") == true)
    }

    @Test func aLinkDownIsNamedEvenWhenNoSampleAgeIsKnown() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        let r = rounds.run(
            quality: ["a": 1, "b": 1], freshness: ["a": CenterFreshness(newestSampleAge: nil, linkDown: true)])
        #expect(r["a"]?.state == .unknown)
        #expect(r["a"]?.reasons.first == "the center's link to this layer is down for 0s; down after 30s")
    }

    @Test func aLinkDownWithFreshDataStillMakesTheCenterUnknown() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        let r = rounds.run(
            quality: ["a": 1, "b": 1], freshness: ["a": CenterFreshness(newestSampleAge: 0, linkDown: true)])
        #expect(r["a"]?.state == .unknown)
    }

    @Test func aCenterWithoutAFreshnessEntryIsUnknown() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let configured = rounds.run(quality: ["b": 1])
        #expect(configured["a"]?.state == .unknown, "configured, never heard from")
        #expect(
            configured["a"]?.reasons == [
                "no data from the center for 0s; down after 30s", "last known state up before its data stopped",
            ])
        #expect(configured["a"]?.health == nil)

        let withValues = rounds.run(quality: ["a": 1, "b": 1], absent: ["a"])
        #expect(withValues["a"]?.state == .unknown, "values without freshness are not fresh data")
        #expect(withValues["a"]?.reasons.first == "no data from the center for 5s; down after 30s")
    }

    @Test func aCenterThatNeverSentASampleIsUnknown() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let r = rounds.run(quality: ["a": 1, "b": 1], freshness: ["a": CenterFreshness(newestSampleAge: nil)])
        #expect(r["a"]?.state == .unknown)
        #expect(r["a"]?.reasons.first == "no data from the center for 0s; down after 30s")
    }

    @Test func aFreshCenterWithoutSignalValuesIsUnknown() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        let r = rounds.run(quality: ["b": 1], freshness: ["a": fresh()])
        #expect(r["a"]?.state == .unknown)
        #expect(
            r["a"]?.reasons == [
                "no signal has data for 0s; down after 30s", "last known state up before its data stopped",
            ])
    }

    @Test func theServicesOfAStaleCenterFollowIt() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a/checkout": 1, "b/checkout": 1])
        let stale = (0..<7).map { i in
            rounds.run(quality: ["b/checkout": 1], freshness: ["a": fresh(16 + 5 * Double(i))])
        }
        #expect(
            stale.map { $0["a/checkout"]?.state } == [
                .unknown, .unknown, .unknown, .unknown, .unknown, .unknown, .down,
            ])
        #expect(stale.map { $0.weights(of: "checkout") }.first == ["a": 50, "b": 50])
        #expect(stale.map { $0.weights(of: "checkout") }.last == ["a": 0, "b": 100])
    }

    @Test func aDiscoveredServiceSilentForForgetAfterIsDropped() {
        var rounds = Rounds(
            makeRules(centers("a")) {
                $0.forgetAfter = 20
                $0.services = ["search"]
            })
        let first = rounds.run(quality: ["a": 1, "a/checkout": 1])
        #expect(first["a/checkout"]?.state == .up)
        #expect(first["a/search"]?.state == .unknown, "configured services are shown without data")
        let later = (0..<4).map { _ in rounds.run(quality: ["a": 1]) }
        #expect(later.map { $0["a/checkout"]?.state } == [.unknown, .unknown, .unknown, nil])
        #expect(later.map { $0["a/search"] != nil } == [true, true, true, true])
    }

    @Test func theSnapshotGoesStaleAfterThreeIntervalsAndCountsRounds() {
        var rounds = Rounds(makeRules(centers("a")) { $0.interval = 10 })
        let r = rounds.run(quality: ["a": 1])
        #expect(r.snapshot.generatedAt == 1000)
        #expect(r.snapshot.staleAfter == 1030)
        #expect(r.snapshot.round == 1)
        #expect(rounds.run(quality: ["a": 1]).snapshot.round == 2)
        #expect(rounds.engine.rounds == 2)
    }
}
