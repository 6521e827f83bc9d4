import MeridianModel

extension SampleBatch {
    /// ``SampleBatch/init(series:)``, under the name the tests use.
    public static func make(_ series: [(Labels, [Sample])]) -> SampleBatch { SampleBatch(series: series) }
}

extension SampleBatch {
    /// One series whose labels keep the given order and content, valid or not:
    /// for building requests that break the protocol's label rules.
    public static func makeUnchecked(labels: [(String, String)], samples: [Sample]) -> SampleBatch {
        var batch = SampleBatch()
        for (name, value) in labels {
            let nameStart = UInt32(batch.bytes.count)
            batch.bytes.append(contentsOf: name.utf8)
            let valueStart = UInt32(batch.bytes.count)
            batch.bytes.append(contentsOf: value.utf8)
            batch.labels.append(
                LabelRange(
                    nameStart: nameStart, nameLength: UInt32(name.utf8.count), valueStart: valueStart,
                    valueLength: UInt32(value.utf8.count)))
        }
        batch.series.append(
            BatchSeries(
                labelStart: 0, labelCount: UInt32(labels.count), sampleStart: 0, sampleCount: UInt32(samples.count),
                labelsHash: 0))
        batch.samples = samples
        return batch
    }
}
