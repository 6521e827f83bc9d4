import PromQL
import Testing

@testable import Scoring

/// One signal's value → score mapping, its vetoes, and what vetoes do to an
/// entity in the engine.
@Suite struct SignalRuleTests {
    /// Lower is better: 1 up to `good`, 0 from `bad`, linear between.
    static let latency = SignalRule(name: "latency", expr: "latency", good: 1, bad: 5, weight: 1)
    /// Higher is better.
    static let availability = SignalRule(name: "availability", expr: "up", good: 1, bad: 0.5, weight: 1)

    @Test(arguments: [
        (-3.0, 1.0), (0, 1), (1, 1), (2, 0.75), (3, 0.5), (4, 0.25), (5, 0), (6, 0), (1e9, 0),
        (.infinity, 0), (-.infinity, 1),
    ])
    func lowerIsBetterMapsLinearlyAndClamps(value: Double, score: Double) {
        #expect(Self.latency.score(value) == score)
    }

    @Test(arguments: [
        (2.0, 1.0), (1, 1), (0.875, 0.75), (0.75, 0.5), (0.625, 0.25), (0.5, 0), (0.25, 0), (-1, 0),
        (.infinity, 1), (-.infinity, 0),
    ])
    func higherIsBetterMapsLinearlyAndClamps(value: Double, score: Double) {
        #expect(Self.availability.score(value) == score)
    }

    @Test(arguments: [SignalRuleTests.latency, SignalRuleTests.availability, SignalRule.errors, SignalRule.quality])
    func notANumberScoresZero(rule: SignalRule) {
        #expect(rule.score(.nan) == 0, "a broken signal is not a good one")
    }

    @Test func everyScoreStaysWithinZeroAndOne() {
        for rule in [Self.latency, Self.availability, SignalRule.errors] {
            for value in stride(from: -10.0, through: 10, by: 0.125) {
                let score = rule.score(value)
                #expect((0...1).contains(score), "\(rule.name) \(value) scored \(score)")
            }
        }
    }

    @Test func equalThresholdsMakeAStep() {
        let step = SignalRule(name: "s", expr: "s", good: 2, bad: 2, weight: 1)
        #expect(step.score(1) == 1)
        #expect(step.score(2) == 1)
        #expect(step.score(2.5) == 0)
        #expect(step.score(.nan) == 0)
    }

    @Test(
        arguments: [
            (0.2, nil), (0.19, nil), (0.0, nil), (0.21, "error_ratio 0.21 > 0.2"), (0.31, "error_ratio 0.31 > 0.2"),
            (1, "error_ratio 1 > 0.2"), (.nan, "error_ratio NaN > 0.2"), (.infinity, "error_ratio +Inf > 0.2"),
        ] as [(Double, String?)])
    func downAboveVetoesStrictlyAbove(value: Double, veto: String?) {
        #expect(SignalRule.errors.veto(value) == veto)
    }

    @Test(
        arguments: [
            (0.5, nil), (0.75, nil), (0.4, "availability 0.4 < 0.5"), (0, "availability 0 < 0.5"),
            (.nan, "availability NaN < 0.5"),
        ] as [(Double, String?)])
    func downBelowVetoesStrictlyBelow(value: Double, veto: String?) {
        let rule = SignalRule(name: "availability", expr: "up", good: 1, bad: 0.5, weight: 2, downBelow: 0.5)
        #expect(rule.veto(value) == veto)
    }

    @Test func aSignalWithoutVetoesNeverVetoes() {
        for value in [0, 1e9, -1e9, .nan, .infinity] { #expect(Self.latency.veto(value) == nil) }
    }

    @Test(arguments: [
        (0.31, "0.31"), (1.0 / 3, "0.3333"), (2.0 / 3, "0.6667"), (0.3125, "0.3125"), (0.31254, "0.3125"), (30, "30"),
        (0, "0"), (1234.5, "1235"), (86400, "86400"), (0.000015, "0.000015"), (-0.25, "-0.25"), (.nan, "NaN"),
        (.infinity, "+Inf"),
    ])
    func explanationsShowFourSignificantDigits(value: Double, text: String) {
        #expect(format(value) == text)
    }

    // MARK: The defaults

    @Test func defaultSignalsParseAndGroupByCenterAndService() throws {
        let defaults = SignalRule.defaults
        #expect(defaults.map(\.name) == ["error_ratio", "latency_p99", "availability", "saturation"])
        #expect(defaults.filter(\.enabled).map(\.name) == ["error_ratio", "latency_p99", "availability"])
        #expect(defaults.filter(\.latency).map(\.name) == ["latency_p99"])
        for signal in defaults {
            _ = try PromQLParser.parse(signal.expr)
            #expect(signal.expr.contains("by (center, service"), "\(signal.name)")
            #expect(signal.good != signal.bad)
        }
        #expect(defaults[0].downAbove == 0.2)
        #expect(defaults[2].downBelow == 0.5)
    }

    // MARK: Vetoes in the engine

    @Test func aVetoTakesTheEntityDownAfterFallRoundsWhateverItsScore() {
        let errors = SignalRule(
            name: "error_ratio", expr: "error_ratio", good: 0.01, bad: 0.05, weight: 1, downAbove: 0.2)
        var quality = SignalRule.quality
        quality.weight = 9
        var rounds = Rounds(makeRules(centers("a"), signals: [quality, errors]))

        let first = rounds.run(["quality": ["a": 1], "error_ratio": ["a": 0]])
        #expect(first["a"]?.state == .up)
        var states: [HealthState] = []
        for _ in 1...3 {
            let r = rounds.run(["quality": ["a": 1], "error_ratio": ["a": 0.25]])
            #expect(r["a"]?.health == 0.9, "the weighted score alone says up")
            #expect(r["a"]?.hysteresis.raw == .down)
            states.append(r["a"]?.state ?? .unknown)
        }
        #expect(states == [.up, .up, .down])
        let down = rounds.run(["quality": ["a": 1], "error_ratio": ["a": 0.25]])
        #expect(down["a"]?.reasons.first == "veto: error_ratio 0.25 > 0.2")
        #expect(down["a"]?.signals[1].veto == "error_ratio 0.25 > 0.2")
    }

    @Test func aDownBelowVetoTakesTheEntityDownToo() {
        let availability = SignalRule(
            name: "availability", expr: "up", good: 1, bad: 0.5, weight: 1, downBelow: 0.5)
        var quality = SignalRule.quality
        quality.weight = 9
        var rounds = Rounds(makeRules(centers("a"), signals: [quality, availability]))

        rounds.run(["quality": ["a": 1], "availability": ["a": 1]])
        let states = (1...3).map { _ in
            rounds.run(["quality": ["a": 1], "availability": ["a": 0.4]])["a"]?.state
        }
        #expect(states == [.up, .up, .down])
        let down = rounds.run(["quality": ["a": 1], "availability": ["a": 0.4]])
        #expect(down["a"]?.health == 0.9)
        #expect(down["a"]?.reasons.first == "veto: availability 0.4 < 0.5")
    }

    @Test func aNotANumberValueScoresZeroAndTriggersTheVeto() {
        var rounds = Rounds(makeRules(centers("a"), signals: [.errors]))
        let r = rounds.run(["error_ratio": ["a": .nan]])
        #expect(r["a"]?.health == 0)
        #expect(r["a"]?.state == .down, "the first round adopts its state")
        #expect(r["a"]?.reasons.first == "veto: error_ratio NaN > 0.2")
    }

    @Test func theWorstOfSeveralSeriesForOneEntityCounts() {
        var rounds = Rounds(makeRules(centers("a"), signals: [.errors]))
        let r = rounds.run { input in
            input.freshness["a"] = fresh()
            input.values["error_ratio"] = [
                SignalValue(center: "a", value: 0.02), SignalValue(center: "a", value: 0.04),
                SignalValue(center: "a", value: 0.01),
            ]
        }
        let contribution = r["a"]?.signals.first
        #expect(contribution?.value == 0.04)
        #expect(contribution?.detail == "worst of 3 series")
        #expect(r["a"]?.state == .down)
    }

    @Test func healthIsTheWeightedMeanOfTheSignalsWithData() {
        let light = SignalRule(name: "light", expr: "light", good: 1, bad: 0, weight: 1, latency: true)
        let heavy = SignalRule(name: "heavy", expr: "heavy", good: 1, bad: 0, weight: 3)
        let absent = SignalRule(name: "absent", expr: "absent", good: 1, bad: 0, weight: 100)
        let off = SignalRule(name: "off", expr: "off", good: 1, bad: 0, weight: 100, enabled: false)
        var rounds = Rounds(makeRules(centers("a"), signals: [light, heavy, absent, off]))
        let r = rounds.run(["light": ["a": 0], "heavy": ["a": 1], "off": ["a": 0]])
        #expect(r["a"]?.health == 0.75, "(0 × 1 + 1 × 3) / 4; no data and disabled signals do not count")
        #expect(r["a"]?.latency == 0, "only the latency signals")
        #expect(r["a"]?.signals.map(\.name) == ["light", "heavy", "absent"])
        #expect(r["a"]?.signals[2].score == nil)
        #expect(r["a"]?.signals[2].detail == "no data")
    }
}
