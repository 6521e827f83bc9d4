import MeridianModel
import Testing

@testable import PromQL

/// Golden cases from Prometheus 2.42 promql/testdata/histograms.test.
@Suite struct HistogramQuantileTests {
    typealias B = HistogramQuantile.Bucket
    typealias F = FunctionFixtures

    // testhistogram at 50m: ten increments of each bucket's step.
    let positive = [
        B(upperBound: 0.1, count: 50), B(upperBound: 0.2, count: 70), B(upperBound: 1, count: 110),
        B(upperBound: .infinity, count: 120),
    ]
    let negative = [
        B(upperBound: -0.2, count: 10), B(upperBound: -0.1, count: 20), B(upperBound: 0.3, count: 20),
        B(upperBound: .infinity, count: 30),
    ]

    static let quantilesCases: [(Double, Double, Double)] = [
        (-0.1, -Double.infinity, -Double.infinity), (1.01, .infinity, .infinity), (.nan, .nan, .nan),
        (0, 0, -0.2), (1, 1, 0.3), (0.2, 0.048, -0.2), (0.5, 0.15, -0.15), (0.8, 0.72, 0.3),
    ]

    @Test(arguments: quantilesCases)
    func quantiles(q: Double, expectedPositive: Double, expectedNegative: Double) {
        #expect(F.almostEqual(HistogramQuantile.quantile(q, of: positive), expectedPositive))
        #expect(F.almostEqual(HistogramQuantile.quantile(q, of: negative), expectedNegative))
    }

    @Test func orderOfBucketsDoesNotMatter() {
        #expect(F.almostEqual(HistogramQuantile.quantile(0.5, of: positive.reversed()), 0.15))
    }

    @Test func rankInTheMiddleOfABucket() {
        // testhistogram2 at 7m.
        let buckets = [
            B(upperBound: 0, count: 0), B(upperBound: 2, count: 1), B(upperBound: 4, count: 2),
            B(upperBound: 6, count: 3), B(upperBound: .infinity, count: 3),
        ]
        #expect(F.almostEqual(HistogramQuantile.quantile(1.0 / 6, of: buckets), 1))
        #expect(F.almostEqual(HistogramQuantile.quantile(0.5, of: buckets), 3))
        #expect(F.almostEqual(HistogramQuantile.quantile(5.0 / 6, of: buckets), 5))
    }

    @Test func aggregatedRates() {
        let buckets = [
            B(upperBound: 0.1, count: 10.0 / 300), B(upperBound: 0.2, count: 19.0 / 300),
            B(upperBound: .infinity, count: 25.0 / 300),
        ]
        #expect(F.almostEqual(HistogramQuantile.quantile(0.3, of: buckets), 0.075))
        #expect(F.almostEqual(HistogramQuantile.quantile(0.5, of: buckets), 0.1277777777777778))
    }

    @Test(arguments: [(0.01, 0.0045), (0.5, 8.5), (0.99, 979.75)])
    func nonMonotonicCountsAreRaised(q: Double, expected: Double) {
        let buckets = [
            B(upperBound: 0.1, count: 20), B(upperBound: 1, count: 10), B(upperBound: 10, count: 50),
            B(upperBound: 100, count: 40), B(upperBound: 1000, count: 90), B(upperBound: .infinity, count: 80),
        ]
        #expect(F.almostEqual(HistogramQuantile.quantile(q, of: buckets), expected))
    }

    @Test func edgeCasesGiveNaN() {
        // No +Inf bucket.
        #expect(HistogramQuantile.quantile(0.5, of: [B(upperBound: 1, count: 1), B(upperBound: 2, count: 2)]).isNaN)
        // Only the +Inf bucket (after merging duplicates).
        #expect(
            HistogramQuantile.quantile(
                0.5,
                of: [
                    B(upperBound: .infinity, count: 0),
                    B(upperBound: .infinity, count: 0),
                ]
            ).isNaN)
        // No observations.
        #expect(
            HistogramQuantile.quantile(
                0.2,
                of: [
                    B(upperBound: 0.1, count: 0), B(upperBound: 0.2, count: 0),
                    B(upperBound: .infinity, count: 0),
                ]
            ).isNaN)
        #expect(HistogramQuantile.quantile(0.2, of: []).isNaN)
        // q is checked before anything else.
        #expect(HistogramQuantile.quantile(2, of: []) == .infinity)
        #expect(HistogramQuantile.quantile(-2, of: [B(upperBound: 1, count: 1)]) == -.infinity)
    }

    @Test func rankInInfBucketReturnsHighestFiniteBound() {
        let buckets = [B(upperBound: 1, count: 1), B(upperBound: 2, count: 2), B(upperBound: .infinity, count: 10)]
        #expect(HistogramQuantile.quantile(0.9, of: buckets) == 2)
    }

    @Test func lowestBucketInterpolatesFromZeroOnlyWhenPositive() {
        #expect(
            HistogramQuantile.quantile(0.25, of: [B(upperBound: 4, count: 2), B(upperBound: .infinity, count: 2)]) == 1)
        #expect(
            HistogramQuantile.quantile(0.25, of: [B(upperBound: -4, count: 2), B(upperBound: .infinity, count: 2)])
                == -4)
        #expect(
            HistogramQuantile.quantile(0.25, of: [B(upperBound: 0, count: 2), B(upperBound: .infinity, count: 2)]) == 0)
    }

    @Test func equalBoundsAreMerged() {
        var buckets = [
            B(upperBound: 0.2, count: 1), B(upperBound: .infinity, count: 4), B(upperBound: 0.1, count: 1),
            B(upperBound: 0.2, count: 1), B(upperBound: 0.2, count: 1),
        ]
        #expect(F.almostEqual(HistogramQuantile.quantile(0.5, buckets: &buckets), 0.15))
        #expect(
            buckets == [B(upperBound: 0.1, count: 1), B(upperBound: 0.2, count: 3), B(upperBound: .infinity, count: 4)])
    }

    // MARK: Whole vectors

    func element(_ name: String, _ le: String?, _ v: Double, _ extra: [String: String] = [:]) -> LabeledValue {
        var labels = extra
        labels["__name__"] = name
        if let le { labels["le"] = le }
        return LabeledValue(labels: Labels(labels), value: v)
    }

    @Test func vectorGroupsByLabelsWithoutLe() {
        let vector = [
            element("mixed_bucket", "0.1", 1, ["instance": "ins1"]),
            element("mixed_bucket", "0.2", 1, ["instance": "ins1"]),
            element("mixed_bucket", "2e-1", 1, ["instance": "ins1"]),
            element("mixed_bucket", "2.0e-1", 1, ["instance": "ins1"]),
            element("mixed_bucket", "+Inf", 4, ["instance": "ins1"]),
            element("mixed_bucket", "+inf", 0, ["instance": "ins2"]),
            element("mixed_bucket", "+Inf", 0, ["instance": "ins2"]),
            element("mixed_bucket", "bogus", 7, ["instance": "ins3"]),
            element("mixed_bucket", nil, 7, ["instance": "ins3"]),
        ]
        let result = HistogramQuantile.evaluate(0.75, vector)
        #expect(result.count == 2)
        #expect(result[0].labels == Labels(["instance": "ins1"]))
        #expect(F.almostEqual(result[0].value, 0.2))
        #expect(result[1].labels == Labels(["instance": "ins2"]))
        #expect(result[1].value.isNaN)
    }

    @Test func metricNameIsPartOfTheGroupKey() {
        let vector = [
            element("a_bucket", "1", 1), element("a_bucket", "+Inf", 2),
            element("b_bucket", "1", 1), element("b_bucket", "+Inf", 4),
        ]
        let result = HistogramQuantile.evaluate(0.5, vector)
        // Two groups with the same output labels: the engine reports the collision.
        #expect(result.map { $0.labels } == [Labels.empty, Labels.empty])
        // a: rank 1 falls at the top of the first bucket; b: rank 2 falls in +Inf.
        #expect(result.map { $0.value } == [1, 1])
    }

    @Test func upperBoundFromLabels() {
        #expect(HistogramQuantile.upperBound(of: Labels(["le": "+Inf"])) == .infinity)
        #expect(HistogramQuantile.upperBound(of: Labels(["le": "1e3"])) == 1000)
        #expect(HistogramQuantile.upperBound(of: Labels(["le": ".5"])) == 0.5)
        #expect(HistogramQuantile.upperBound(of: Labels(["le": "1,5"])) == nil)
        #expect(HistogramQuantile.upperBound(of: Labels(["job": "x"])) == nil)
    }
}

@Suite struct QuantileTests {
    @Test func aggregationGoldenValues() {
        // quantile without(point)(0.8, data) in aggregators.test.
        #expect(FunctionFixtures.almostEqual(Quantile.quantile(0.8, of: [0.0, 1]), 0.8))
        #expect(FunctionFixtures.almostEqual(Quantile.quantile(0.8, of: [2.0, 0, 1]), 1.6))
        #expect(FunctionFixtures.almostEqual(Quantile.quantile(0.8, of: [0.0, 4, 1]), 2.8))
        #expect(Quantile.quantile(.nan, of: [0.0, 1]).isNaN)
    }

    @Test func edges() {
        #expect(Quantile.quantile(0.5, of: [Double]()).isNaN)
        #expect(Quantile.quantile(-0.5, of: [1.0]) == -.infinity)
        #expect(Quantile.quantile(1.5, of: [1.0]) == .infinity)
        #expect(Quantile.quantile(0.5, of: [7.0]) == 7)
        #expect(Quantile.quantile(1, of: [3.0, 1, 2]) == 3)
        #expect(Quantile.quantile(0, of: [3.0, 1, 2]) == 1)
    }

    @Test func nanSortsBelowNumbers() {
        #expect(Quantile.quantile(0, of: [1.0, .nan, 2]).isNaN)
        #expect(Quantile.quantile(1, of: [1.0, .nan, 2]) == 2)
        #expect(Quantile.quantile(0.75, of: [.nan, 1.0, .nan, 2]) == 1.25)
    }
}
