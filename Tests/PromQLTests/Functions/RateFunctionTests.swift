import MeridianModel
import Testing

@testable import PromQL

/// Golden cases from Prometheus 2.42 promql/testdata/functions.test, plus edges.
@Suite struct RateFunctionTests {
    typealias F = FunctionFixtures
    let m = FunctionFixtures.minute

    func rate(_ s: [Sample], at: Int64, range: Int64, offset: Int64 = 0) -> Double? {
        let w = F.window(s, at: at, range: range, offset: offset)
        return RangeFunctions.rate(w, rangeStart: at - offset - range, rangeEnd: at - offset)
    }

    func increase(_ s: [Sample], at: Int64, range: Int64) -> Double? {
        RangeFunctions.increase(F.window(s, at: at, range: range), rangeStart: at - range, rangeEnd: at)
    }

    @Test func increaseOverWholeSeries() {
        let foo = F.series("0+10x10", interval: 5 * m)
        let bar = F.series("0+10x5 0+10x5", interval: 5 * m)
        #expect(F.almostEqual(increase(foo, at: 50 * m, range: 50 * m), 100))
        #expect(F.almostEqual(increase(bar, at: 50 * m, range: 50 * m), 90))
        #expect(F.almostEqual(increase(foo, at: 50 * m, range: 100 * m), 100))
        #expect(F.almostEqual(increase(bar, at: 50 * m, range: 100 * m), 90))
    }

    @Test func increaseTreatsDecreaseAsResetToZero() {
        let s = F.series("0 1 2 3 2 3 4", interval: 5 * m)
        #expect(F.almostEqual(increase(s, at: 30 * m, range: 30 * m), 7))
    }

    @Test func rateWithResets() {
        let middle = F.series("0+10x4 0+10x5", interval: 5 * m)
        let end = F.series("0+10x9 0 10", interval: 5 * m)
        #expect(F.almostEqual(rate(middle, at: 50 * m, range: 50 * m), 0.03))
        #expect(rate(end, at: 50 * m, range: 5 * m) == 0)
    }

    @Test func rateIsPerSecondOfTheRange() {
        #expect(rate(F.series("0+80x10", interval: 5 * m), at: 50 * m, range: 50 * m) == 0.26666666666666666)
        let a = F.series("0+10x10", interval: 5 * m)
        let b = F.series("0+20x10", interval: 5 * m)
        #expect(F.almostEqual(rate(a, at: 50 * m, range: 10 * m, offset: 5 * m), 0.03333333333333333))
        #expect(F.almostEqual(rate(b, at: 50 * m, range: 10 * m, offset: 5 * m), 0.06666666666666667))
    }

    static let counterExtrapolationStopsAtZeroCases: [(String, Double, Double)] = [
        ("0+240x10", 0.5, 0.6), ("60+240x10", 0.55, 0.6), ("120+240x10", 0.6, 0.6),
        ("180+240x10", 0.65, 0.6), ("240+240x10", 0.7, 0.6), ("300+240x10", 0.6, 0.6),
    ]

    @Test(arguments: counterExtrapolationStopsAtZeroCases)
    func counterExtrapolationStopsAtZero(series: String, at10m: Double, at50m: Double) {
        let s = F.series(series, interval: 4 * m)
        #expect(F.almostEqual(rate(s, at: 10 * m, range: 20 * m), at10m))
        #expect(F.almostEqual(rate(s, at: 50 * m, range: 20 * m), at50m))
    }

    @Test func deltaOfGauges() {
        let up = F.series("0 50 100 150 200", interval: 5 * m)
        let down = F.series("200 150 100 50 0", interval: 5 * m)
        for (s, expected) in [(up, 200.0), (down, -200.0)] {
            let d = RangeFunctions.delta(F.window(s, at: 20 * m, range: 20 * m), rangeStart: 0, rangeEnd: 20 * m)
            #expect(F.almostEqual(d, expected))
        }
    }

    /// The engine passes each series' reset positions instead of letting
    /// every window scan for them; every window must give the same bits.
    @Test func knownResetsGiveTheScannedResultToTheBit() {
        var x: UInt64 = 42
        func random(_ n: UInt64) -> UInt64 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (x >> 33) % n
        }
        for _ in 0..<50 {
            var v = 0.0
            let samples = (0..<200).map { i -> Sample in
                v = random(15) == 0 ? Double(random(50)) / 7 : v + Double(random(1000)) / 3
                return Sample(t: Int64(i) * 15_000 + Int64(random(30)), v: v)
            }
            let resets = RangeFunctions.resetPositions(samples)
            #expect(!resets.isEmpty)
            for _ in 0..<100 {
                let low = Int(random(UInt64(samples.count)))
                let high = low + Int(random(UInt64(samples.count - low))) + 1
                let w = samples[low..<high]
                let start = w.first!.t - Int64(random(20_000))
                let end = w.last!.t + Int64(random(20_000))
                for isRate in [true, false] {
                    let scanned = RangeFunctions.extrapolatedRate(
                        w, rangeStart: start, rangeEnd: end, isCounter: true, isRate: isRate)
                    let known = RangeFunctions.extrapolatedRate(
                        w, rangeStart: start, rangeEnd: end, isCounter: true, isRate: isRate, resets: resets)
                    #expect(scanned?.bitPattern == known?.bitPattern)
                }
            }
        }
    }

    @Test func fewerThanTwoSamplesGiveNoElement() {
        let one = [Sample(t: 1000, v: 5)][...]
        #expect(RangeFunctions.rate([][...], rangeStart: 0, rangeEnd: 60_000) == nil)
        #expect(RangeFunctions.rate(one, rangeStart: 0, rangeEnd: 60_000) == nil)
        #expect(RangeFunctions.increase(one, rangeStart: 0, rangeEnd: 60_000) == nil)
        #expect(RangeFunctions.delta(one, rangeStart: 0, rangeEnd: 60_000) == nil)
        #expect(RangeFunctions.irate(one) == nil)
        #expect(RangeFunctions.idelta(one) == nil)
    }

    @Test func twoSamplesExtrapolateWithinThreshold() {
        // Samples at 10s and 40s in [0, 60s]: average interval 30s, threshold
        // 33s; both gaps (10s, 20s) are under it, so the 30s of data stretch to 60s.
        let s = [Sample(t: 10_000, v: 10), Sample(t: 40_000, v: 40)][...]
        #expect(RangeFunctions.delta(s, rangeStart: 0, rangeEnd: 60_000) == 60)
        // As a counter the zero point (10s before the first sample) is not
        // earlier than the window start, so the result is the same.
        #expect(RangeFunctions.increase(s, rangeStart: 0, rangeEnd: 60_000) == 60)
        #expect(RangeFunctions.rate(s, rangeStart: 0, rangeEnd: 60_000) == 1)
    }

    @Test func gapsBeyondThresholdExtrapolateHalfAnInterval() {
        // Samples at 100s and 110s in [0, 200s]: gaps of 100s and 90s exceed
        // 1.1 × 10s, so each side adds 5s: 10s of data become 20s.
        let s = [Sample(t: 100_000, v: 0), Sample(t: 110_000, v: 10)][...]
        #expect(RangeFunctions.delta(s, rangeStart: 0, rangeEnd: 200_000) == 20)
        // A counter starting at 0 is never extrapolated before its zero point.
        #expect(RangeFunctions.increase(s, rangeStart: 0, rangeEnd: 200_000) == 15)
        #expect(F.almostEqual(RangeFunctions.rate(s, rangeStart: 0, rangeEnd: 200_000), 0.075))
    }

    @Test func thresholdIsStrictlyBelowOnePointOneAverageIntervals() {
        // Average interval 10s → threshold 10 × 1.1 = 11 (the product's excess
        // over 11 is exactly half an ulp and rounds to even). A gap of 11s is
        // not below it, so that side gets half an interval (5s): 10s of data
        // become 15s.
        let exact = [Sample(t: 11_000, v: 100), Sample(t: 21_000, v: 110)][...]
        #expect(RangeFunctions.delta(exact, rangeStart: 0, rangeEnd: 21_000) == 15)
        // A gap of 10.999s is below it: extrapolate all the way to the start.
        let near = [Sample(t: 10_999, v: 100), Sample(t: 20_999, v: 110)][...]
        #expect(F.almostEqual(RangeFunctions.delta(near, rangeStart: 0, rangeEnd: 20_999), 20.999))
        // The end side follows the same rule.
        let late = [Sample(t: 0, v: 100), Sample(t: 10_000, v: 110)][...]
        #expect(RangeFunctions.delta(late, rangeStart: 0, rangeEnd: 21_000) == 15)
        #expect(F.almostEqual(RangeFunctions.delta(late, rangeStart: 0, rangeEnd: 20_999), 20.999))
    }

    @Test func negativeFirstValueSkipsZeroCutoff() {
        // A "counter" starting below zero is extrapolated like a gauge at the start.
        let s = [Sample(t: 100_000, v: -10), Sample(t: 110_000, v: 0)][...]
        #expect(RangeFunctions.increase(s, rangeStart: 0, rangeEnd: 200_000) == 20)
    }

    @Test func irateUsesLastTwoSamples() {
        let foo = F.series("0+10x10", interval: 5 * m)
        let bar = F.series("0+10x5 0+10x5", interval: 5 * m)
        #expect(F.almostEqual(RangeFunctions.irate(F.window(foo, at: 50 * m, range: 50 * m)), 0.03333333333333333))
        #expect(F.almostEqual(RangeFunctions.irate(F.window(bar, at: 50 * m, range: 50 * m)), 0.03333333333333333))
        #expect(F.almostEqual(RangeFunctions.irate(F.window(foo, at: 30 * m, range: 50 * m)), 0.03333333333333333))
        // The reset at 30m: 50 → 0 counts as 0 − 0 over the interval.
        #expect(RangeFunctions.irate(F.window(bar, at: 30 * m, range: 50 * m)) == 0)
        // A reset to a positive value counts from zero.
        #expect(RangeFunctions.irate([Sample(t: 0, v: 50), Sample(t: 10_000, v: 5)][...]) == 0.5)
    }

    @Test func ideltaIsTheLastDifference() {
        let foo = F.series("0 50 100 150", interval: 5 * m)
        let bar = F.series("0 50 100 50", interval: 5 * m)
        #expect(RangeFunctions.idelta(F.window(foo, at: 20 * m, range: 20 * m)) == 50)
        #expect(RangeFunctions.idelta(F.window(bar, at: 20 * m, range: 20 * m)) == -50)
    }

    @Test func sameTimestampGivesNoInstantRate() {
        let s = [Sample(t: 5, v: 1), Sample(t: 5, v: 2)][...]
        #expect(RangeFunctions.irate(s) == nil)
        #expect(RangeFunctions.idelta(s) == nil)
    }

    @Test func nanAndInfinityPropagate() {
        let nan = [Sample(t: 0, v: 1), Sample(t: 10_000, v: .nan)][...]
        #expect(RangeFunctions.rate(nan, rangeStart: 0, rangeEnd: 10_000)!.isNaN)
        let inf = [Sample(t: 0, v: 1), Sample(t: 10_000, v: .infinity)][...]
        #expect(RangeFunctions.delta(inf, rangeStart: 0, rangeEnd: 10_000) == .infinity)
    }

    @Test func dispatchByName() throws {
        let s = F.series("0+10x10", interval: 5 * m)
        let w = F.window(s, at: 50 * m, range: 50 * m)
        let window = RangeWindow(rangeStart: 0, rangeEnd: 50 * m)
        #expect(try RangeFunction(name: "increase")?.evaluate(w, window: window) == 100)
        #expect(try RangeFunction(name: "quantile_over_time")?.evaluate(w, window: window, scalars: [0.5]) == 50)
        #expect(RangeFunction(name: "absent_over_time") == nil)
        #expect(RangeFunction.allCases.allSatisfy { PromQLFunction.named($0.rawValue) != nil })
    }
}
