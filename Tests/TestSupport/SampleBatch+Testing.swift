import MeridianModel

extension SampleBatch {
    /// Builds a batch from label sets and samples, the way the decoder lays one
    /// out, but without protobuf: label bytes concatenated, hashes from `LabelsHash`.
    public static func make(_ series: [(Labels, [Sample])]) -> SampleBatch {
        var batch = SampleBatch()
        for (labels, samples) in series {
            var hasher = LabelsHash.Hasher()
            let labelStart = UInt32(batch.labels.count)
            for label in labels {
                let nameStart = UInt32(batch.bytes.count)
                batch.bytes.append(contentsOf: label.name.utf8)
                let valueStart = UInt32(batch.bytes.count)
                batch.bytes.append(contentsOf: label.value.utf8)
                batch.labels.append(
                    LabelRange(
                        nameStart: nameStart, nameLength: UInt32(label.name.utf8.count), valueStart: valueStart,
                        valueLength: UInt32(label.value.utf8.count)))
            }
            for label in labels {
                var name = label.name
                var value = label.value
                name.withUTF8 { n in
                    value.withUTF8 { v in hasher.combine(name: UnsafeRawBufferPointer(n), value: UnsafeRawBufferPointer(v)) }
                }
            }
            batch.series.append(
                BatchSeries(
                    labelStart: labelStart, labelCount: UInt32(labels.count), sampleStart: UInt32(batch.samples.count),
                    sampleCount: UInt32(samples.count), labelsHash: hasher.value))
            batch.samples.append(contentsOf: samples)
        }
        return batch
    }
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
