import Testing

@testable import MeridianModel

/// The batch operations the ingest pipeline uses: adding a center's labels,
/// finding series of another center, and taking refused samples out.
@Suite struct SampleBatchLabelsTests {
    static func batch(_ series: [[String: String]], samplesEach: Int = 2) -> SampleBatch {
        SampleBatch(
            series: series.enumerated().map { i, labels in
                (Labels(labels), (0..<samplesEach).map { Sample(t: Int64($0), v: Double(i)) })
            })
    }

    @Test func missingLabelsAreAddedInOrderAndOwnValuesWin() {
        var batch = Self.batch([
            ["__name__": "up", "job": "node"],
            ["__name__": "up", "center": "bj", "region": "own"],
            ["a": "1", "zz": "2", "__name__": "x"],
        ])
        batch.addMissingLabels(Labels(["center": "bj", "region": "north"]))
        let expected = [
            Labels(["__name__": "up", "job": "node", "center": "bj", "region": "north"]),
            Labels(["__name__": "up", "center": "bj", "region": "own"]),
            Labels(["a": "1", "zz": "2", "__name__": "x", "center": "bj", "region": "north"]),
        ]
        for (i, labels) in expected.enumerated() {
            #expect(batch.labelSet(of: i) == labels)
            #expect(batch.labelSet(of: i).labels == labels.labels, "sorted by name")
            #expect(batch.series[i].labelsHash == LabelsHash.of(labels))
        }
        #expect(batch.samples.count == 6)
    }

    @Test func seriesOfAnotherCenterAreFound() {
        let batch = Self.batch([["__name__": "up"], ["__name__": "up", "center": "bj"], ["__name__": "up", "center": "sh"]])
        #expect(batch.firstSeries(withLabel: "center", otherThan: "bj")?.index == 2)
        #expect(batch.firstSeries(withLabel: "center", otherThan: "sh")?.index == 1)
        #expect(batch.seriesHasLabel(0, name: "center", otherThan: "bj") == false)
        #expect(Self.batch([["__name__": "up"]]).firstSeries(withLabel: "center", otherThan: "bj") == nil)
    }

    @Test func removingSamplesDropsEmptiedSeries() {
        let batch = Self.batch([["__name__": "a"], ["__name__": "b"], ["__name__": "c"]], samplesEach: 3)
        let kept = batch.removingSamples(at: [0, 3, 4, 5, 8])
        #expect(kept.series.count == 2)
        #expect(kept.labelSet(of: 0) == Labels(["__name__": "a"]))
        #expect(kept.samples.map(\.t) == [1, 2, 0, 1])
        #expect(kept.labelSet(of: 1) == Labels(["__name__": "c"]))
    }
}
