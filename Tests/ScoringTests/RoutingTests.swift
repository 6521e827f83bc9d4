import Testing

@testable import Scoring

/// Weights, fail-open and the regions' preference lists.
@Suite struct RoutingTests {
    // MARK: Percentages

    @Test(
        arguments: [
            ([1.0, 1, 1], [34, 33, 33]),
            ([2, 1, 1], [50, 25, 25]),
            ([1, 0, 1], [50, 0, 50]),
            ([0, 1, 0, 2], [0, 33, 0, 67]),
            ([1, 1, 1, 1, 1, 1, 1], [15, 15, 14, 14, 14, 14, 14]),
            ([1, 0.75], [57, 43]),
            ([5], [100]),
            ([0.001, 0, 1000], [0, 0, 100]),
            (
                [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
                Array(repeating: 4, count: 10) + Array(repeating: 3, count: 20)
            ),
            ([0, 0, 0], [0, 0, 0]),
            ([], []),
        ] as [([Double], [Int])])
    func percentagesAreWholeAndSumToAHundred(shares: [Double], expected: [Int]) {
        let weights = HealthEngine.percentages(shares)
        #expect(weights == expected)
        if shares.reduce(0, +) > 0 { #expect(weights.reduce(0, +) == 100) }
        for (share, weight) in zip(shares, weights) where share == 0 { #expect(weight == 0, "zeros stay zero") }
    }

    @Test func percentagesOfSeededRandomSharesSumToAHundred() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for _ in 0..<500 {
            let shares = (0..<(1 + Int(next() * 9))).map { _ in next() < 0.2 ? 0 : next() * 10 }
            let weights = HealthEngine.percentages(shares)
            guard shares.reduce(0, +) > 0 else { continue }
            #expect(weights.reduce(0, +) == 100, "\(shares)")
            for (share, weight) in zip(shares, weights) where share == 0 { #expect(weight == 0, "\(shares)") }
        }
    }

    // MARK: Weights

    @Test func threeEqualHealthyCentersShareEvenly() {
        var rounds = Rounds(makeRules(centers("a", "b", "c")))
        let r = rounds.run(quality: ["a": 1, "b": 1, "c": 1])
        #expect(r.weights == ["a": 34, "b": 33, "c": 33])
        #expect(r.snapshot.centers.map(\.health.weight).reduce(0, +) == 100)
        #expect(r.snapshot.failOpen == nil)
    }

    @Test func weightsFollowCapacity() {
        let rules = makeRules([CenterRule(name: "a", capacity: 2), CenterRule(name: "b"), CenterRule(name: "c")])
        var rounds = Rounds(rules)
        let r = rounds.run(quality: ["a": 1, "b": 1, "c": 1])
        #expect(r.weights == ["a": 50, "b": 25, "c": 25])
        #expect(r.snapshot.centers.map(\.capacity) == [2, 1, 1])
    }

    @Test func aDownCenterGetsNothingAndTheOthersAbsorbIt() {
        var rounds = Rounds(makeRules(centers("a", "b", "c")))
        let r = rounds.run(quality: ["a": 1, "b": 0, "c": 1])
        #expect(r["b"]?.state == .down)
        #expect(r.weights == ["a": 50, "b": 0, "c": 50])
        #expect(r["b"]?.routable == false)
    }

    /// A degraded center takes its health to one decimal, rounded down, of its capacity.
    @Test(arguments: [(0.75, 41), (0.79, 41), (0.6875, 37), (0.625, 37), (0.5, 33)])
    func aDegradedCenterTakesASmallerShare(health: Double, weight: Int) {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let r = rounds.run(quality: ["a": 1, "b": health])
        #expect(r["b"]?.state == .degraded)
        #expect(r["b"]?.weight == weight)
        #expect(r.weights.values.reduce(0, +) == 100)
    }

    /// `up` is "healthy: takes its full share of traffic" (HealthState), and
    /// capacity is the share "when all are healthy" (CenterRule).
    @Test func anUpCenterTakesItsFullShareWhateverItsScoreWithinUp() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let r = rounds.run(quality: ["a": 0.875, "b": 1])
        #expect(r["a"]?.state == .up)
        #expect(r.weights == ["a": 50, "b": 50])
    }

    @Test func anUnknownCenterInItsGraceTakesItsFullShare() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: ["a": 1, "b": 1])
        let r = rounds.run(quality: ["a": 0.6, "b": 1], freshness: ["a": fresh(20)])
        #expect(r["a"]?.state == .unknown)
        #expect(r.weights == ["a": 50, "b": 50])
    }

    @Test func centersDiscoveredFromTheDataAreRoutedToo() {
        var rounds = Rounds(makeRules())
        let r = rounds.run(quality: ["x": 1, "y": 1])
        #expect(r.snapshot.centers.map(\.health.key.center) == ["x", "y"])
        #expect(r.weights == ["x": 50, "y": 50])
    }

    @Test func eachServiceIsWeighedAmongTheCentersOfferingIt() {
        let rules = makeRules([CenterRule(name: "a", capacity: 2), CenterRule(name: "b"), CenterRule(name: "c")])
        var rounds = Rounds(rules)
        let r = rounds.run(quality: [
            "a/checkout": 1, "b/checkout": 1, "c/checkout": 1,
            "a/search": 1, "b/search": 0, "c/search": 1,
            "c/report": 1,
        ])
        #expect(r.weights(of: "checkout") == ["a": 50, "b": 25, "c": 25])
        #expect(r.weights(of: "search") == ["a": 67, "b": 0, "c": 33])
        #expect(r.weights(of: "report") == ["c": 100])
        #expect(r["b/search"]?.weight == 0)
        #expect(r["b/search"]?.routable == false)
        #expect(r["c/report"]?.weight == 100)
    }

    // MARK: Fail-open

    @Test func everyCenterDownFailsOpenByCapacity() {
        let rules = makeRules([CenterRule(name: "a", capacity: 2), CenterRule(name: "b"), CenterRule(name: "c")])
        var rounds = Rounds(rules)
        let r = rounds.run(quality: ["a": 0, "b": 0, "c": 0])
        let text = "fail-open: 0 of 3 centers healthy, fewer than 1; routing to all 3 not taken out by an override"
        #expect(r.snapshot.failOpen == text)
        #expect(r.states == ["a": .down, "b": .down, "c": .down], "fail-open routes; it does not change states")
        #expect(r.snapshot.centers.allSatisfy { $0.health.routable })
        #expect(r.snapshot.centers.allSatisfy { $0.health.failOpen == text })
        #expect(r.weights == ["a": 50, "b": 25, "c": 25])
        #expect(r.region("default")?.answer == "a")
    }

    @Test func oneOfThreeDownWithTwoNeededIsNotFailOpen() {
        var rounds = Rounds(makeRules(centers("a", "b", "c")) { $0.minHealthyCenters = 2 })
        let r = rounds.run(quality: ["a": 1, "b": 0, "c": 1])
        #expect(r.snapshot.failOpen == nil)
        #expect(r["b"]?.routable == false)
        #expect(r["b"]?.failOpen == nil)
        #expect(r.weights == ["a": 50, "b": 0, "c": 50])
    }

    @Test func twoOfThreeDownWithTwoNeededFailsOpen() {
        var rounds = Rounds(makeRules(centers("a", "b", "c")) { $0.minHealthyCenters = 2 })
        let r = rounds.run(quality: ["a": 1, "b": 0, "c": 0])
        let text = "fail-open: 1 of 3 centers healthy, fewer than 2; routing to all 3 not taken out by an override"
        #expect(r.snapshot.failOpen == text)
        #expect(r.snapshot.centers.allSatisfy { $0.health.routable })
        #expect(r["a"]?.failOpen == nil, "routed on its own merit")
        #expect(r["b"]?.failOpen == text)
        #expect(r["c"]?.failOpen == text)
        #expect(r.weights == ["a": 34, "b": 33, "c": 33], "capacity alone")
    }

    @Test func minHealthyCentersAboveTheCountOfCentersAsksForAllOfThem() {
        var rounds = Rounds(makeRules(centers("a", "b")) { $0.minHealthyCenters = 5 })
        let healthy = rounds.run(quality: ["a": 1, "b": 1])
        #expect(healthy.snapshot.failOpen == nil)
        var other = Rounds(makeRules(centers("a", "b")) { $0.minHealthyCenters = 5 })
        let oneDown = other.run(quality: ["a": 1, "b": 0])
        #expect(oneDown.snapshot.failOpen?.hasPrefix("fail-open: 1 of 2 centers healthy, fewer than 2") == true)
    }

    @Test func aCenterDrainedByAnOverrideStaysOutOfFailOpen() {
        var rounds = Rounds(makeRules(centers("a", "b", "c")))
        _ = rounds.engine.setOverride(override(.drain, "a", at: 999, until: 2000))
        let r = rounds.run(quality: ["a": 1, "b": 0, "c": 0])
        #expect(
            r.snapshot.failOpen
                == "fail-open: 0 of 3 centers healthy, fewer than 1; routing to all 2 not taken out by an override")
        #expect(r["a"]?.state == .drain)
        #expect(r["a"]?.routable == false)
        #expect(r["a"]?.failOpen == nil)
        #expect(r.weights == ["a": 0, "b": 50, "c": 50])
    }

    @Test func everyCenterTakenOutLeavesNothingRoutedAndNoFailOpen() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        _ = rounds.engine.setOverride(override(.drain, "a", at: 999, until: 2000))
        _ = rounds.engine.setOverride(override(.down, "b", at: 999, until: 2000))
        let r = rounds.run(quality: ["a": 1, "b": 1])
        #expect(r.snapshot.failOpen == nil)
        #expect(r.weights == ["a": 0, "b": 0])
        #expect(r.region("default")?.answer == nil)
        #expect(r.region("default")?.answers == [])
    }

    @Test func aServiceDownEverywhereFailsOpenWithoutTheCentersDoingSo() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let r = rounds.run(quality: ["a": 1, "b": 1, "a/checkout": 0, "b/checkout": 0])
        #expect(r.snapshot.failOpen == nil, "the snapshot's flag is about centers")
        #expect(r["a/checkout"]?.routable == true)
        #expect(
            r["a/checkout"]?.failOpen
                == "fail-open: 0 of 2 centers offering checkout healthy, fewer than 1; routing to all 2 not taken out by an override"
        )
        #expect(r.weights(of: "checkout") == ["a": 50, "b": 50])
    }

    // MARK: Regions

    static let regional = makeRules([
        CenterRule(name: "a", answers: ["10.0.0.1"], serves: ["north"]),
        CenterRule(name: "b", answers: ["10.0.0.2", "10.0.0.3"]),
        CenterRule(name: "c", answers: ["c.example.net."]),
    ]) {
        $0.regions = [
            RegionRule(name: "north", preference: ["b", "a", "c"]),
            RegionRule(name: "south", preference: ["c", "b", "a"]),
            RegionRule(name: "west", preference: ["a"]),
        ]
    }

    @Test func healthyCentersKeepEachRegionsPreference() {
        var rounds = Rounds(Self.regional)
        let r = rounds.run(quality: ["a": 1, "b": 1, "c": 1])
        #expect(r.snapshot.regions.map(\.name) == ["north", "south", "west"], "config order")
        #expect(r.region("north")?.centers == ["b", "a", "c"])
        #expect(r.region("north")?.answer == "b")
        #expect(r.region("north")?.answers == ["10.0.0.2", "10.0.0.3"])
        #expect(r.region("south")?.centers == ["c", "b", "a"])
        #expect(r.region("south")?.answers == ["c.example.net."])
        #expect(r.region("west")?.centers == ["a", "b", "c"], "unlisted centers after the listed ones")
        #expect(r.snapshot.centers.first?.serves == ["north"])
        #expect(r.snapshot.centers.first?.answers == ["10.0.0.1"])
    }

    @Test func aDownPreferredCenterMovesBehindTheRoutableOnes() {
        var rounds = Rounds(Self.regional)
        let r = rounds.run(quality: ["a": 1, "b": 0, "c": 1])
        #expect(r.region("north")?.centers == ["a", "c", "b"])
        #expect(r.region("north")?.answer == "a")
        #expect(r.region("north")?.answers == ["10.0.0.1"])
        #expect(r.region("south")?.centers == ["c", "a", "b"])
    }

    @Test func aDegradedPreferredCenterMovesBehindTheUpOnes() {
        var rounds = Rounds(Self.regional)
        let r = rounds.run(quality: ["a": 1, "b": 0.75, "c": 1])
        #expect(r.region("north")?.centers == ["a", "c", "b"])
        #expect(r.region("north")?.answer == "a")
    }

    @Test func anUnknownCenterInItsGraceComesAfterHealthyOnesAndBeforeDownOnes() {
        var rounds = Rounds(Self.regional)
        rounds.run(quality: ["a": 1, "b": 1, "c": 0])
        let r = rounds.run(quality: ["a": 1, "c": 0], freshness: ["b": fresh(20)])
        #expect(r["b"]?.state == .unknown)
        #expect(r.region("north")?.centers == ["a", "b", "c"])
        #expect(r.region("south")?.centers == ["a", "b", "c"])
    }

    @Test func failOpenOrdersByPreferenceAsIfHealthy() {
        var rounds = Rounds(Self.regional)
        let r = rounds.run(quality: ["a": 0, "b": 0, "c": 0])
        #expect(r.snapshot.failOpen != nil)
        #expect(r.region("north")?.centers == ["b", "a", "c"])
        #expect(r.region("north")?.answer == "b")
    }

    @Test func withoutRegionsADefaultRegionOrdersByStateHealthAndName() {
        var rounds = Rounds(makeRules(centers("a", "b", "c", "d")))
        let r = rounds.run(quality: ["a": 0.875, "b": 0, "c": 1, "d": 1])
        #expect(r.snapshot.regions.count == 1)
        #expect(r.region("default")?.centers == ["c", "d", "a", "b"])
        #expect(r.region("default")?.answer == "c")
        #expect(r.region("default")?.answers == [])
    }

    @Test func theLatencyScoreOrdersEquallyHealthyCenters() {
        let latency = SignalRule(name: "latency", expr: "latency", good: 1, bad: 0, weight: 1, latency: true)
        var rounds = Rounds(makeRules(centers("a", "b"), signals: [.quality, latency]))
        let r = rounds.run(["quality": ["a": 1, "b": 0.75], "latency": ["a": 0.75, "b": 1]])
        #expect(r["a"]?.health == r["b"]?.health)
        #expect(r["b"]?.latency == 1)
        #expect(r.region("default")?.centers == ["b", "a"])
    }
}
