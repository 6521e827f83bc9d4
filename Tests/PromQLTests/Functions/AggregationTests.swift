import Testing

@testable import PromQL

@Suite struct AggregationTests {
    typealias F = FunctionFixtures

    func mean(_ values: [Double]) -> Double {
        var accumulator = MeanAccumulator(first: values[0])
        for v in values.dropFirst() { accumulator.add(v) }
        return accumulator.mean
    }

    func variance(_ values: [Double]) -> VarianceAccumulator {
        var accumulator = VarianceAccumulator(first: values[0])
        for v in values.dropFirst() { accumulator.add(v) }
        return accumulator
    }

    static let big = 9.988465674311579e+307
    // aggregators.test "Tests for avg", series in label order.
    static let avgCases: [([Double], Double)] = [
        ([8, 10, 12], 10), ([0, .infinity, 0, .infinity], .infinity), ([.infinity, 0, .infinity], .infinity),
        ([.infinity, .infinity, -.infinity], .nan), ([-.infinity, -.infinity, 0], -.infinity),
        ([-.infinity, 0, -.infinity], -.infinity), ([-.infinity, .infinity, -.infinity], .nan),
        ([-.infinity, 0, .infinity], .nan), ([big, big, big, big], big), ([-big, -big, -big, -big], -big),
        ([-big, -big, big, big], 0),
    ]

    @Test(arguments: avgCases)
    func avg(values: [Double], expected: Double) {
        #expect(F.almostEqual(mean(values), expected))
    }

    @Test func avgCounts() {
        var accumulator = MeanAccumulator(first: .infinity)
        accumulator.add(1)
        #expect(accumulator.count == 2)
        #expect(accumulator.mean == .infinity)
        #expect(mean([.nan, 1]).isNaN)
        #expect(mean([1, .nan, .infinity]).isNaN)
    }

    @Test func stddevAndStdvar() {
        let all = variance([100, 200, 300, 400, 500, 600, 700, 800])
        #expect(F.almostEqual(all.standardDeviation, 229.12878474779))
        #expect(F.almostEqual(all.variance, 52500))
        let byInstance = variance([100, 300, 500, 700])
        #expect(F.almostEqual(byInstance.standardDeviation, 223.60679774998))
        #expect(F.almostEqual(byInstance.variance, 50000))
        let equal = variance([13.3, 13.3, 13.3])
        #expect(equal.variance == 0)
        #expect(equal.standardDeviation == 0)
    }

    @Test func stddevOfOneValueIsZeroEvenWhenInfinite() {
        #expect(variance([.infinity]).variance == 0)
        #expect(variance([.infinity, 1]).variance.isNaN)
        #expect(variance([.nan]).standardDeviation == 0)
    }

    @Test func minAndMaxSkipNaN() {
        // Label order: canary/0 = NaN, canary/1 = 3, canary/2 = 4, production/0 = 1, production/1 = 2.
        let values: [Double] = [.nan, 3, 4, 1, 2]
        #expect(values.dropFirst().reduce(values[0], Aggregation.max) == 4)
        #expect(values.dropFirst().reduce(values[0], Aggregation.min) == 1)
        #expect([Double.nan, .nan].reduce(.nan, Aggregation.max).isNaN)
        #expect(Aggregation.max(1, .nan) == 1)
    }

    @Test func sortOrdersPutNaNLast() {
        let values: [Double] = [300, .nan, 100, 800, 200]
        let ascending = values.sorted(by: Aggregation.ascendingNaNLast)
        let descending = values.sorted(by: Aggregation.descendingNaNLast)
        #expect(Array(ascending.prefix(4)) == [100, 200, 300, 800] && ascending[4].isNaN)
        #expect(Array(descending.prefix(4)) == [800, 300, 200, 100] && descending[4].isNaN)
    }

    @Test func quantileAggregation() {
        var values: [Double] = [4, 0, 1]
        #expect(F.almostEqual(Aggregation.quantile(0.8, sorting: &values), 2.8))
        #expect(values == [0, 1, 4])
    }

    @Test func countValuesLabels() {
        #expect([6.0, 7, 8].map(Aggregation.countValuesLabel) == ["6", "7", "8"])
    }
}
