import MeridianModel
import Testing

@testable import PromQL

@Suite struct OverTimeFunctionTests {
    typealias F = FunctionFixtures

    /// `load 10s` evaluated `at 1m` over `[1m]`: every sample of the series.
    func window(_ notation: String) -> ArraySlice<Sample> {
        F.window(F.series(notation, interval: 10 * F.second), at: F.minute, range: F.minute)
    }

    static let avgCases: [(String, Double)] = [
        ("1 2 3 4 5", 3), ("1 2 3 4 Inf", .infinity), ("1 2 3 4 -Inf", -.infinity), ("1 2 3 Inf -Inf", .nan),
        ("Inf 0 Inf", .infinity), ("Inf Inf Inf -Inf", .nan), ("1 2 3 -Inf -Inf", -.infinity),
        ("-Inf 0 -Inf", -.infinity), ("-Inf -Inf -Inf Inf", .nan), ("1 2 -Inf -Inf Inf", .nan),
        ("9.988465674311579e+307 9.988465674311579e+307", 9.988465674311579e+307),
        ("-9.988465674311579e+307 -9.988465674311579e+307 -9.988465674311579e+307", -9.988465674311579e+307),
        ("-9.988465674311579e+307 9.988465674311579e+307", 0),
    ]

    @Test(arguments: avgCases)
    func avgOverTime(series: String, expected: Double) {
        #expect(F.almostEqual(RangeFunctions.avgOverTime(window(series)), expected))
    }

    @Test func sumOverTimeOverflowsWhereAverageDoesNot() {
        let w = window("9.988465674311579e+307 9.988465674311579e+307")
        #expect(RangeFunctions.sumOverTime(w) == .infinity)
        #expect(RangeFunctions.avgOverTime(w) == 9.988465674311579e+307)
        #expect(RangeFunctions.sumOverTime(window("1 2 3 4 5")) == 15)
        #expect(RangeFunctions.sumOverTime(window("1 2 3 Inf -Inf"))!.isNaN)
    }

    @Test func sumOverTimeCompensates() {
        // Plain addition loses the 1s entirely; Neumaier's sum keeps them.
        let w = [1e100, 1.0, -1e100, 1.0].enumerated().map { Sample(t: Int64($0.offset), v: $0.element) }[...]
        #expect(RangeFunctions.sumOverTime(w) == 2)
    }

    @Test func varianceAndDeviation() {
        let w = window("0 8 8 2 3")
        #expect(F.almostEqual(RangeFunctions.stdvarOverTime(w), 10.56))
        #expect(F.almostEqual(RangeFunctions.stddevOverTime(w), 3.249615))
        let constant = window("1.5990505637277868 1.5990505637277868 1.5990505637277868")
        #expect(RangeFunctions.stdvarOverTime(constant) == 0)
        #expect(RangeFunctions.stddevOverTime(constant) == 0)
        #expect(RangeFunctions.stdvarOverTime(window("7")) == 0)
    }

    static let quantileCases: [(Double, [Double])] = [
        (0, [0, 0, 0]), (0.5, [0.5, 1, 1]), (0.75, [0.75, 1.5, 2.5]), (0.8, [0.8, 1.6, 2.8]),
        (1, [1, 2, 4]), (-1, [-.infinity, -.infinity, -.infinity]), (2, [.infinity, .infinity, .infinity]),
    ]

    @Test(arguments: quantileCases)
    func quantileOverTime(q: Double, expected: [Double]) {
        for (series, e) in zip(["0 1", "0 1 2", "0 1 4"], expected) {
            #expect(F.almostEqual(RangeFunctions.quantileOverTime(q, window(series)), e))
        }
    }

    @Test func quantileOverTimeReusesScratch() {
        var scratch: [Double] = []
        #expect(RangeFunctions.quantileOverTime(0.5, window("4 1 3"), scratch: &scratch) == 3)
        #expect(RangeFunctions.quantileOverTime(0.5, window("10 20"), scratch: &scratch) == 15)
        #expect(RangeFunctions.quantileOverTime(.nan, window("10 20"), scratch: &scratch)!.isNaN)
    }

    static let minMaxLastCases: [(String, Double, Double, Double)] = [
        ("2 0 3", 0.0, 3.0, 3.0), ("2 0 NaN", 0, 2, .nan), ("2 NaN 1", 1, 2, 1), ("NaN 0 1", 0, 1, 1),
        ("NaN NaN NaN", .nan, .nan, .nan),
    ]

    @Test(arguments: minMaxLastCases)
    func minMaxLast(series: String, min: Double, max: Double, last: Double) {
        let w = window(series)
        #expect(F.almostEqual(RangeFunctions.minOverTime(w), min))
        #expect(F.almostEqual(RangeFunctions.maxOverTime(w), max))
        #expect(F.almostEqual(RangeFunctions.lastOverTime(w), last))
    }

    @Test func countAndPresent() {
        #expect(RangeFunctions.countOverTime(window("1 NaN 3")) == 3)
        #expect(RangeFunctions.presentOverTime(window("NaN")) == 1)
    }

    @Test func emptyWindowsGiveNoElement() {
        let empty: ArraySlice<Sample> = []
        #expect(RangeFunctions.avgOverTime(empty) == nil)
        #expect(RangeFunctions.sumOverTime(empty) == nil)
        #expect(RangeFunctions.minOverTime(empty) == nil)
        #expect(RangeFunctions.maxOverTime(empty) == nil)
        #expect(RangeFunctions.countOverTime(empty) == nil)
        #expect(RangeFunctions.lastOverTime(empty) == nil)
        #expect(RangeFunctions.presentOverTime(empty) == nil)
        #expect(RangeFunctions.stddevOverTime(empty) == nil)
        #expect(RangeFunctions.stdvarOverTime(empty) == nil)
        #expect(RangeFunctions.quantileOverTime(0.5, empty) == nil)
        #expect(RangeFunctions.changes(empty) == nil)
        #expect(RangeFunctions.resets(empty) == nil)
    }

    static let resetsAndChangesCases: [(Int64, Double, Double, Double, Double, Double, Double)] = [
        (5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), (20, 1, 0, 0, 3, 3, 0), (30, 2, 1, 0, 4, 5, 1), (50, 3, 1, 0, 8, 9, 1),
    ]

    @Test(arguments: resetsAndChangesCases)
    func resetsAndChanges(
        rangeMinutes: Int64, fooResets: Double, barResets: Double, bizResets: Double,
        fooChanges: Double, barChanges: Double, bizChanges: Double
    ) {
        let m = F.minute
        let foo = F.series("1 2 3 0 1 0 0 1 2 0", interval: 5 * m)
        let bar = F.series("1 2 3 4 5 1 2 3 4 5", interval: 5 * m)
        let biz = F.series("0 0 0 0 0 1 1 1 1 1", interval: 5 * m)
        func w(_ s: [Sample]) -> ArraySlice<Sample> { F.window(s, at: 50 * m, range: rangeMinutes * m) }
        // The series have samples at 0…45m only; 50m has none, like testdata.
        #expect(RangeFunctions.resets(w(foo)) == fooResets)
        #expect(RangeFunctions.resets(w(bar)) == barResets)
        #expect(RangeFunctions.resets(w(biz)) == bizResets)
        #expect(RangeFunctions.changes(w(foo)) == fooChanges)
        #expect(RangeFunctions.changes(w(bar)) == barChanges)
        #expect(RangeFunctions.changes(w(biz)) == bizChanges)
    }

    @Test func changesTreatsNaNToNaNAsNoChange() {
        let m = F.minute
        let b = F.window(F.series("NaN NaN NaN", interval: 5 * m), at: 15 * m, range: 15 * m)
        let c = F.window(F.series("0 NaN 0", interval: 5 * m), at: 15 * m, range: 15 * m)
        #expect(RangeFunctions.changes(b) == 0)
        #expect(RangeFunctions.changes(c) == 2)
        #expect(RangeFunctions.resets(c) == 0)
    }
}
