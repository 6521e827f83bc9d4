import MeridianModel

/// Decodes remote-write 1.0 `WriteRequest` protobufs straight into a
/// ``SampleBatch``, without the generated types: no `String`, no allocation per
/// series, label or sample; label ranges point into the request's own bytes.
///
/// It accepts what the generated SwiftProtobuf decoder accepts, with two
/// deliberate differences, both as Prometheus does: a known field with the
/// wrong wire type is refused (SwiftProtobuf keeps it as an unknown field),
/// and every series must pass the protocol's label rules
/// (see ``RemoteWriteError/Code/invalidLabels``). Metric metadata goes into
/// the batch as Strings (senders send it rarely, once a minute by default).
/// Exemplars and native histograms are checked like any field and then
/// dropped; series that carry no float samples are checked and left out of
/// the batch.
public enum RemoteWriteDecoder {
    /// What a request carried that the batch leaves out, for the receiver's
    /// own metrics and logs.
    public struct Ignored: Sendable, Equatable {
        /// Exemplars attached to series.
        public var exemplars = 0
        /// Native histogram samples (Meridian stores float samples only).
        public var histograms = 0
        /// Series that carried no float sample, only histograms or exemplars.
        public var seriesWithoutSamples = 0

        /// Nothing ignored.
        public init() {}
    }

    /// Decodes an uncompressed `WriteRequest`.
    ///
    /// The returned batch owns `bytes`; its label ranges point into them, its
    /// samples are in request order, and each series' ``BatchSeries/labelsHash``
    /// is ``LabelsHash`` of its (sorted) labels.
    ///
    /// The count and length `limits` are checked as the walk reaches what they
    /// count (see ``RemoteWriteLimits/Limit``), so a request past one is refused
    /// whole, before anything of it is stored, and without decoding the rest.
    /// - Throws: ``RemoteWriteError`` with code `malformedProtobuf`,
    ///   `invalidUTF8`, `invalidLabels`, `limitExceeded` (all 400), or
    ///   `tooLarge` for a body past 4 GiB, which label ranges cannot address.
    /// - Complexity: O(n) in the body size; three allocations (the batch's
    ///   arrays), sized by a first pass over the series.
    public static func decode(protobuf bytes: [UInt8], limits: RemoteWriteLimits = RemoteWriteLimits())
        throws(RemoteWriteError) -> SampleBatch
    {
        var ignored = Ignored()
        return try decode(protobuf: bytes, limits: limits, ignored: &ignored)
    }

    /// Decodes an uncompressed `WriteRequest` and counts what the batch leaves
    /// out into `ignored`. See ``decode(protobuf:limits:)``.
    public static func decode(
        protobuf bytes: [UInt8], limits: RemoteWriteLimits = RemoteWriteLimits(), ignored: inout Ignored
    ) throws(RemoteWriteError) -> SampleBatch {
        try decode(protobuf: bytes, length: bytes.count, limits: limits, ignored: &ignored, adding: AddedLabels())
    }

    /// Decodes the `WriteRequest` in the first `length` of `bytes`; `added`
    /// points past them, at the labels to merge into every series that lacks
    /// them (see ``AddedLabels``).
    static func decode(
        protobuf bytes: [UInt8], length: Int, limits: RemoteWriteLimits, ignored: inout Ignored,
        adding added: AddedLabels
    ) throws(RemoteWriteError) -> SampleBatch {
        guard bytes.count <= Int(UInt32.max) else {
            throw RemoteWriteError(.tooLarge, "request of \(bytes.count) bytes exceeds the 4 GiB a batch can address")
        }
        var builder = BatchBuilder(added: added.ranges)
        var counts = Ignored()
        let outcome: Result<Void, RemoteWriteError> = bytes.withUnsafeBytes { raw in
            // An empty request has no base address; it is valid and holds nothing.
            guard let base = raw.baseAddress else { return .success(()) }
            return Result { () throws(RemoteWriteError) in
                let reader = WireReader(base: base, position: 0, end: length)
                builder.reserve(for: reader)
                do throws(RemoteWriteError) {
                    try decodeRequest(reader, limits: limits, into: &builder, ignored: &counts)
                } catch  where error.code == .limitExceeded && error.refusedSamples == 0 {
                    throw error.refusing(RequestTally(reader).samples)
                }
            }
        }
        try outcome.get()
        ignored = counts
        var batch = SampleBatch(bytes: bytes)
        batch.labels = builder.labels
        batch.series = builder.series
        batch.samples = builder.samples
        batch.metadata = builder.metadata
        return batch
    }

    /// The top level: `repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3;`.
    /// The request-wide limits are checked here: series and metadata entries
    /// before the one past the limit is decoded, samples after each series.
    static func decodeRequest(
        _ reader: WireReader, limits: RemoteWriteLimits, into builder: inout BatchBuilder, ignored: inout Ignored
    ) throws(RemoteWriteError) {
        var r = reader
        var index = 0
        while !r.isAtEnd {
            let at = r.position
            let tag = try r.readTag()
            switch tag {
            case 0x0a:
                let body = try r.readLengthDelimited()
                if index == limits.maxSeriesPerRequest { throw requestLimitError(.seriesPerRequest, reader, limits) }
                do {
                    try decodeSeries(
                        r.subReader(body), index: index, limits: limits, into: &builder, ignored: &ignored)
                } catch  where error.code == .malformedProtobuf {
                    throw RemoteWriteError(.malformedProtobuf, error.message + " (in series at index \(index))")
                }
                if builder.samples.count > limits.maxSamplesPerRequest {
                    throw requestLimitError(.samplesPerRequest, reader, limits)
                }
                index += 1
            case 0x1a:
                let body = try r.readLengthDelimited()
                if builder.metadata.count == limits.maxMetadataPerRequest {
                    throw requestLimitError(.metadataPerRequest, reader, limits)
                }
                try builder.metadata.append(readMetadata(r.subReader(body)))
            default:
                if tag >> 3 == 1 || tag >> 3 == 3 {
                    throw r.wrongWireType(field: tag >> 3, wire: tag & 7, in: "WriteRequest", at: at)
                }
                try r.skipField(tag: tag, depth: 1)
            }
        }
    }
}

/// The three arrays of a ``SampleBatch`` while they fill.
struct BatchBuilder {
    /// Labels merged into every series that lacks them, sorted by name.
    let added: [LabelRange]
    var labels: [LabelRange] = []
    var series: [BatchSeries] = []
    var samples: [Sample] = []
    var metadata: [MetricMetadata] = []

    init(added: [LabelRange] = []) { self.added = added }

    /// Reserves each array once, exactly, by counting series, labels and
    /// samples in a quick pass that reads only tags and lengths (a few percent
    /// of the decoding work; cheaper than regrowing three arrays a dozen times).
    /// It follows only the usual layout (every field length-delimited, short
    /// lengths) and stops counting at anything else: the arrays then grow as
    /// needed, and the real pass reports whatever is malformed.
    mutating func reserve(for reader: WireReader) {
        let base = reader.base
        @inline(__always) func length(_ i: inout Int, _ end: Int) -> Int? {
            var value = 0
            var shift = 0
            while i < end && shift < 28 {
                let b = base.load(fromByteOffset: i, as: UInt8.self)
                i &+= 1
                value |= Int(b & 0x7f) << shift
                if b < 0x80 { return value <= end &- i ? value : nil }
                shift &+= 7
            }
            return nil
        }
        var seriesCount = 0
        var labelCount = 0
        var sampleCount = 0
        var i = reader.position
        let end = reader.end
        outer: while i < end {
            let tag = base.load(fromByteOffset: i, as: UInt8.self)
            i &+= 1
            guard tag & 7 == 2, let n = length(&i, end) else { break }
            if tag == 0x0a {
                seriesCount &+= 1
                var j = i
                let seriesEnd = i &+ n
                while j < seriesEnd {
                    let inner = base.load(fromByteOffset: j, as: UInt8.self)
                    j &+= 1
                    guard inner & 7 == 2, let m = length(&j, seriesEnd) else { break outer }
                    if inner == 0x0a { labelCount &+= 1 } else if inner == 0x12 { sampleCount &+= 1 }
                    j &+= m
                }
            }
            i &+= n
        }
        labels.reserveCapacity(labelCount + seriesCount * added.count)
        series.reserveCapacity(seriesCount)
        samples.reserveCapacity(sampleCount)
    }
}

/// Labels the decoder merges into every series that lacks a label of that
/// name (a series' own value wins), as a center adds its `center` label and
/// external labels: done while decoding, the labels are placed and hashed
/// with the series' own, instead of rebuilding every label set afterwards
/// (``SampleBatch/addMissingLabels(_:)``).
struct AddedLabels {
    /// Ranges into the decoded bytes, past the protobuf, sorted by name.
    var ranges: [LabelRange] = []

    /// Appends the names and values of `labels` to `bytes` (past the
    /// protobuf) and returns their ranges.
    static func append(_ labels: Labels, to bytes: inout [UInt8]) -> AddedLabels {
        AddedLabels(ranges: SampleBatch.append(labels, to: &bytes))
    }

    /// The bytes `append` adds for `labels`.
    static func byteCount(_ labels: Labels) -> Int {
        labels.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
    }
}
