/// A decoded remote-write request in a flat, allocation-light form: label names
/// and values are byte ranges into one buffer, samples are one contiguous array.
///
/// The decoder fills it; the head reads it. Known series are found by
/// ``BatchSeries/labelsHash`` and a byte comparison, so the hot path never builds a
/// `String` for a label it has seen before.
public struct SampleBatch: Sendable {
    /// The bytes that label ranges point into (the decompressed request body).
    public var bytes: [UInt8]
    /// Label name/value ranges, grouped per series in sorted order.
    public var labels: [LabelRange]
    /// One entry per series.
    public var series: [BatchSeries]
    /// The samples of every series, series after series.
    public var samples: [Sample]
    /// The metric metadata the request carried, in request order.
    public var metadata: [MetricMetadata]

    /// Creates an empty batch over `bytes`.
    public init(bytes: [UInt8] = []) {
        self.bytes = bytes
        self.labels = []
        self.series = []
        self.samples = []
        self.metadata = []
    }

    /// Builds a batch from label sets and samples, laid out as the decoder
    /// lays one out: label bytes concatenated, hashes from ``LabelsHash``.
    /// For batches Meridian makes itself (heartbeats, tests).
    public init(series: [(Labels, [Sample])]) {
        self.init()
        for (labels, samples) in series {
            var hasher = LabelsHash.Hasher()
            let labelStart = UInt32(self.labels.count)
            let ranges = Self.append(labels, to: &bytes)
            bytes.withUnsafeBytes { raw in
                for range in ranges {
                    hasher.combine(
                        name: UnsafeRawBufferPointer(
                            rebasing: raw[Int(range.nameStart)..<Int(range.nameStart + range.nameLength)]),
                        value: UnsafeRawBufferPointer(
                            rebasing: raw[Int(range.valueStart)..<Int(range.valueStart + range.valueLength)]))
                }
            }
            self.labels += ranges
            self.series.append(
                BatchSeries(
                    labelStart: labelStart, labelCount: UInt32(labels.count), sampleStart: UInt32(self.samples.count),
                    sampleCount: UInt32(samples.count), labelsHash: hasher.value))
            self.samples.append(contentsOf: samples)
        }
    }

    /// Appends the names and values of `labels` to `bytes` and returns where
    /// each went.
    public static func append(_ labels: Labels, to bytes: inout [UInt8]) -> [LabelRange] {
        labels.map { label in
            let nameStart = UInt32(bytes.count)
            bytes.append(contentsOf: label.name.utf8)
            let valueStart = UInt32(bytes.count)
            bytes.append(contentsOf: label.value.utf8)
            return LabelRange(
                nameStart: nameStart, nameLength: UInt32(label.name.utf8.count), valueStart: valueStart,
                valueLength: UInt32(label.value.utf8.count))
        }
    }

    /// The total number of samples.
    public var sampleCount: Int { samples.count }

    /// The label set of series `index`, built as Strings (for new series and errors).
    public func labelSet(of index: Int) -> Labels {
        let entry = series[index]
        var out: [Label] = []
        out.reserveCapacity(Int(entry.labelCount))
        for range in labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)] {
            out.append(Label(name: string(range.nameStart, range.nameLength), value: string(range.valueStart, range.valueLength)))
        }
        return Labels(sortedUnchecked: out)
    }

    private func string(_ start: UInt32, _ length: UInt32) -> String {
        String(decoding: bytes[Int(start)..<Int(start + length)], as: UTF8.self)
    }
}

/// Where one label's name and value sit in ``SampleBatch/bytes``.
public struct LabelRange: Sendable, Equatable {
    public var nameStart: UInt32
    public var nameLength: UInt32
    public var valueStart: UInt32
    public var valueLength: UInt32

    public init(nameStart: UInt32, nameLength: UInt32, valueStart: UInt32, valueLength: UInt32) {
        self.nameStart = nameStart
        self.nameLength = nameLength
        self.valueStart = valueStart
        self.valueLength = valueLength
    }
}

/// One series of a ``SampleBatch``.
public struct BatchSeries: Sendable, Equatable {
    /// Index of its first label in ``SampleBatch/labels``.
    public var labelStart: UInt32
    public var labelCount: UInt32
    /// Index of its first sample in ``SampleBatch/samples``.
    public var sampleStart: UInt32
    public var sampleCount: UInt32
    /// ``LabelsHash`` of its sorted labels (the same function the head uses).
    public var labelsHash: UInt64

    public init(labelStart: UInt32, labelCount: UInt32, sampleStart: UInt32, sampleCount: UInt32, labelsHash: UInt64) {
        self.labelStart = labelStart
        self.labelCount = labelCount
        self.sampleStart = sampleStart
        self.sampleCount = sampleCount
        self.labelsHash = labelsHash
    }
}
