import MeridianModel
import Testing

@testable import PromQL

@Suite struct RegressionFunctionTests {
    typealias F = FunctionFixtures
    let m = FunctionFixtures.minute
    let resetMiddle = FunctionFixtures.series("0+10x4 0+10x5", interval: 5 * FunctionFixtures.minute)

    @Test func derivMatchesRateOnALine() {
        let s = F.series("0+80x10", interval: 5 * m)
        #expect(F.almostEqual(RangeFunctions.deriv(F.window(s, at: 50 * m, range: 50 * m)), 0.26666666666666666))
    }

    @Test func derivIgnoresResets() {
        let w = F.window(resetMiddle, at: 50 * m, range: 100 * m)
        #expect(F.almostEqual(RangeFunctions.deriv(w), 0.010606060606060607))
    }

    @Test func predictLinearInterceptsAtEvaluationTime() {
        let w = F.window(resetMiddle, at: 50 * m, range: 100 * m)
        #expect(
            F.almostEqual(RangeFunctions.predictLinear(w, evaluationTime: 50 * m, seconds: 3600), 76.81818181818181))
        // `@ 3000` fixes the window, but the intercept still moves with the
        // evaluation time (testdata: at 10m → 51.36…, at 70m → 89.54…).
        #expect(
            F.almostEqual(RangeFunctions.predictLinear(w, evaluationTime: 10 * m, seconds: 3600), 51.36363636363637))
        #expect(
            F.almostEqual(RangeFunctions.predictLinear(w, evaluationTime: 70 * m, seconds: 3600), 89.54545454545455))
    }

    @Test func predictLinearOnALineEqualsValuePlusDeriv() {
        let s = F.series("0+80x10", interval: 5 * m)
        let w = F.window(s, at: 50 * m, range: 50 * m)
        let predicted = RangeFunctions.predictLinear(w, evaluationTime: 50 * m, seconds: 3600)!
        let viaDeriv = 800 + RangeFunctions.deriv(w)! * 3600
        #expect(F.almostEqual(predicted - viaDeriv, 0))
    }

    @Test func constantSeriesHasZeroSlope() {
        let s = [Sample(t: 0, v: 3), Sample(t: 1000, v: 3), Sample(t: 2000, v: 3)][...]
        #expect(RangeFunctions.deriv(s) == 0)
        #expect(RangeFunctions.predictLinear(s, evaluationTime: 2000, seconds: 100) == 3)
        let inf = [Sample(t: 0, v: .infinity), Sample(t: 1000, v: .infinity)][...]
        #expect(RangeFunctions.deriv(inf)!.isNaN)
        #expect(RangeFunctions.predictLinear(inf, evaluationTime: 1000, seconds: 1)!.isNaN)
    }

    @Test func twoSamplesGiveTheirSlope() {
        let s = [Sample(t: 10_000, v: 1), Sample(t: 20_000, v: 6)][...]
        #expect(RangeFunctions.deriv(s) == 0.5)
        #expect(RangeFunctions.predictLinear(s, evaluationTime: 20_000, seconds: 10) == 11)
        #expect(RangeFunctions.deriv(s.prefix(1)) == nil)
        #expect(RangeFunctions.predictLinear(s.prefix(1), evaluationTime: 0, seconds: 1) == nil)
    }

    @Test func compensatedSumsKeepEpochTimestampsExact() {
        // Slope 1/s around a 2023 timestamp: without the relative x the squares
        // of 1.7e9 would swamp the variance.
        let base: Int64 = 1_700_000_000_000
        let s = (0..<100).map { Sample(t: base + Int64($0) * 15_000, v: 1e6 + Double($0) * 15) }[...]
        #expect(Swift.abs(RangeFunctions.deriv(s)! - 1) < 1e-12)
    }

    static let holtWintersFollowsTrendsCases: [(String, Double)] = [
        ("0+10x1000 100+30x1000", 8000.0), ("0+20x1000 200+30x1000", 16000),
        ("0+30x1000 300+80x1000", 24000), ("0+40x2000", 32000),
        ("8000-10x1000", 0), ("0-20x1000", -16000), ("0+30x1000 300-80x1000", 24000), ("0-40x1000 0+40x1000", -32000),
    ]

    @Test(arguments: holtWintersFollowsTrendsCases)
    func holtWintersFollowsTrends(series: String, expected: Double) throws {
        let s = F.series(series, interval: 10 * F.second)
        let w = F.window(s, at: 8000 * F.second, range: F.minute)
        #expect(F.almostEqual(try RangeFunctions.holtWinters(w, smoothingFactor: 0.01, trendFactor: 0.1), expected))
    }

    @Test func holtWintersValidatesFactorsFirst() {
        let empty: ArraySlice<Sample> = []
        #expect(
            throws: FunctionError(
                .invalidSmoothingFactor, "invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000")
        ) {
            try RangeFunctions.holtWinters(empty, smoothingFactor: 0, trendFactor: 0.5)
        }
        #expect(
            throws: FunctionError(
                .invalidSmoothingFactor, "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000")
        ) {
            try RangeFunctions.holtWinters(empty, smoothingFactor: 1, trendFactor: 0.5)
        }
        #expect(throws: FunctionError(.invalidTrendFactor, "invalid trend factor. Expected: 0 < tf < 1, got: 1.500000"))
        {
            try RangeFunctions.holtWinters(empty, smoothingFactor: 0.5, trendFactor: 1.5)
        }
        #expect(throws: FunctionError(.invalidTrendFactor, "invalid trend factor. Expected: 0 < tf < 1, got: -Inf")) {
            try RangeFunctions.validateHoltWinters(smoothingFactor: 0.5, trendFactor: -.infinity)
        }
        // NaN compares false both ways, so Prometheus lets it through.
        #expect((try? RangeFunctions.validateHoltWinters(smoothingFactor: .nan, trendFactor: .nan)) != nil)
        #expect((try? RangeFunctions.holtWinters(empty, smoothingFactor: 0.5, trendFactor: 0.5)) == .some(nil))
    }

    @Test func holtWintersByHand() throws {
        // s1 = 1, b = 2; i=1: x = .5·3, y = .5·(1+2) → 3; i=2: b = .5·(3−1) + .5·2 = 2,
        // x = .5·5, y = .5·(3+2) → 5.
        let s = [Sample(t: 0, v: 1), Sample(t: 1, v: 3), Sample(t: 2, v: 5)][...]
        #expect(try RangeFunctions.holtWinters(s, smoothingFactor: 0.5, trendFactor: 0.5) == 5)
        #expect(try RangeFunctions.holtWinters(s.prefix(1), smoothingFactor: 0.5, trendFactor: 0.5) == nil)
    }
}
