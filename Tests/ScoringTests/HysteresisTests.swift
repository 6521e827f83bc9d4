import Testing

@testable import Scoring

/// Rise and fall: how many rounds a state takes to follow the signals.
/// The `quality` signal scores its own value, so 1 says up, 0.75 degraded
/// and 0.25 down.
@Suite struct HysteresisTests {
    @Test func aSignalCrossingBadTakesThreeRoundsToGoDown() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let outcomes = [1.0, 0, 0, 0, 0].map { rounds.run(quality: ["a": $0, "b": 1]) }

        #expect(outcomes.map { $0["a"]?.state } == [.up, .up, .up, .down, .down])
        #expect(outcomes.map { $0["a"]?.hysteresis.badStreak } == [0, 1, 2, 0, 0])
        #expect(outcomes.map { $0["a"]?.hysteresis.raw } == [.up, .down, .down, .down, .down])
        #expect(outcomes.map { $0["a"]?.routable } == [true, true, true, false, false])
        #expect(outcomes.map { $0["a"]?.weight } == [50, 50, 50, 0, 0])
        #expect(outcomes.map(\.events.count) == [0, 0, 0, 1, 0])
        let report = outcomes[2]["a"]?.hysteresis
        #expect(report?.fall == 3)
        #expect(report?.rise == 5)
        #expect(report?.goodStreak == 0)
    }

    @Test(arguments: [1, 2, 3, 5, 8])
    func downTakesExactlyFallRounds(fall: Int) {
        var rounds = Rounds(makeRules(centers("a")) { $0.fall = fall })
        rounds.run(quality: ["a": 1])
        for streak in 1..<fall {
            let r = rounds.run(quality: ["a": 0])
            #expect(r["a"]?.state == .up, "round \(streak) of \(fall)")
            #expect(r["a"]?.hysteresis.badStreak == streak)
        }
        let last = rounds.run(quality: ["a": 0])
        #expect(last["a"]?.state == .down)
        #expect(last["a"]?.hysteresis.badStreak == 0)
    }

    @Test func aGradualClimbStepsThroughDegradedWithFallRoundsEach() {
        var rounds = Rounds(makeRules(centers("a")))
        let values = [1.0, 0.75, 0.75, 0.75, 0.25, 0.25, 0.25]
        let states = values.map { rounds.run(quality: ["a": $0])["a"]?.state }
        #expect(states == [.up, .up, .up, .degraded, .degraded, .degraded, .down])
    }

    @Test func roundsWorseThanTheStateCountTogetherAndTheLastOneDecides() {
        var rounds = Rounds(makeRules(centers("a")))
        let values = [1.0, 0.25, 0.75, 0.75]
        let states = values.map { rounds.run(quality: ["a": $0])["a"]?.state }
        #expect(states == [.up, .up, .up, .degraded], "the third bad round said degraded")
    }

    @Test(arguments: [1, 2, 5, 7])
    func recoveryTakesExactlyRiseGoodRounds(rise: Int) {
        // b stays up, so that a is not failed open.
        var rounds = Rounds(makeRules(centers("a", "b")) { $0.rise = rise })
        #expect(rounds.run(quality: ["a": 0, "b": 1])["a"]?.state == .down)
        for streak in 1..<rise {
            let r = rounds.run(quality: ["a": 1, "b": 1])
            #expect(r["a"]?.state == .down, "round \(streak) of \(rise)")
            #expect(r["a"]?.hysteresis.goodStreak == streak)
            #expect(r["a"]?.hysteresis.badStreak == 0)
            #expect(r["a"]?.routable == false)
        }
        let up = rounds.run(quality: ["a": 1, "b": 1])
        #expect(up["a"]?.state == .up)
        #expect(up["a"]?.hysteresis.goodStreak == 0)
        #expect(up["a"]?.routable == true)
    }

    @Test func recoveryThroughDegradedTakesRiseRoundsForEachStep() {
        var rounds = Rounds(makeRules(centers("a")))
        rounds.run(quality: ["a": 0])
        let degraded = rounds.run(5, quality: ["a": 0.75]).map { $0["a"]?.state }
        #expect(degraded == [.down, .down, .down, .down, .degraded])
        let up = rounds.run(5, quality: ["a": 1]).map { $0["a"]?.state }
        #expect(up == [.degraded, .degraded, .degraded, .degraded, .up])
    }

    @Test func aRoundThatAgreesWithTheStateStartsTheCountAgain() {
        var rounds = Rounds(makeRules(centers("a")))
        rounds.run(quality: ["a": 0])
        let values = [1.0, 1, 1, 1, 0, 1, 1, 1, 1, 1]
        let outcomes = values.map { rounds.run(quality: ["a": $0])["a"] }
        #expect(outcomes.map { $0?.state } == [.down, .down, .down, .down, .down, .down, .down, .down, .down, .up])
        #expect(outcomes.map { $0?.hysteresis.goodStreak } == [1, 2, 3, 4, 0, 1, 2, 3, 4, 0])
    }

    @Test func aFlappingSignalNeverMovesAHealthyEntity() {
        var rounds = Rounds(makeRules(centers("a")))
        rounds.run(quality: ["a": 1])
        for i in 0..<20 {
            let r = rounds.run(quality: ["a": i.isMultiple(of: 2) ? 0 : 1])
            #expect(r["a"]?.state == .up, "round \(i)")
            #expect(r["a"]?.hysteresis.badStreak == (i.isMultiple(of: 2) ? 1 : 0))
            #expect(r.events.isEmpty)
        }
    }

    @Test func aFlappingSignalNeverMovesAFailedEntity() {
        var rounds = Rounds(makeRules(centers("a")))
        rounds.run(quality: ["a": 0])
        for i in 0..<20 {
            let r = rounds.run(quality: ["a": i.isMultiple(of: 2) ? 1 : 0])
            #expect(r["a"]?.state == .down, "round \(i)")
            #expect(r.events.isEmpty)
        }
    }

    @Test(arguments: [
        (1.0, HealthState.up), (0.875, .up), (0.75, .degraded), (0.5, .degraded), (0.25, .down), (0, .down),
    ])
    func theFirstRoundAdoptsItsState(value: Double, state: HealthState) {
        var rounds = Rounds(makeRules(centers("a")))
        let r = rounds.run(quality: ["a": value])
        #expect(r["a"]?.state == state)
        #expect(r["a"]?.evaluated == state)
        #expect(r["a"]?.since == 1000)
        #expect(r["a"]?.hysteresis.badStreak == 0)
        #expect(r["a"]?.hysteresis.goodStreak == 0)
        #expect(r.events.isEmpty, "no history, no change")
    }

    @Test(arguments: [(0.75, HealthState.up), (0.7, .degraded), (0.25, .degraded), (0.2, .down)])
    func aScoreOnAThresholdCountsAsTheBetterState(value: Double, state: HealthState) {
        var rounds = Rounds(
            makeRules(centers("a")) {
                $0.upAt = 0.75
                $0.degradedAt = 0.25
            })
        #expect(rounds.run(quality: ["a": value])["a"]?.state == state)
    }

    @Test func servicesAndCentersKeepTheirOwnStreaks() {
        var rounds = Rounds(makeRules(centers("a")))
        rounds.run(quality: ["a": 1, "a/checkout": 1, "a/search": 1])
        let outcomes = (1...3).map { _ in rounds.run(quality: ["a": 1, "a/checkout": 0, "a/search": 1]) }
        #expect(outcomes.map { $0["a/checkout"]?.state } == [.up, .up, .down])
        #expect(outcomes.map { $0["a/search"]?.state } == [.up, .up, .up])
        #expect(outcomes.map { $0["a"]?.state } == [.up, .up, .up], "its own center-level signal says up")
    }
}
