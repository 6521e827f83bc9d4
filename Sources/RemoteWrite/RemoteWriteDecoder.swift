import MeridianModel

/// Decodes remote-write 1.0 `WriteRequest` protobufs straight into a
/// ``SampleBatch``, without the generated types: no `String`, no allocation per
/// series, label or sample; label ranges point into the request's own bytes.
///
/// It accepts what the generated SwiftProtobuf decoder accepts, with two
/// deliberate differences, both as Prometheus does: a known field with the
/// wrong wire type is refused (SwiftProtobuf keeps it as an unknown field),
/// and every series must pass the protocol's label rules
/// (see ``RemoteWriteError/Code/invalidLabels``). Metadata, exemplars and
/// native histograms are checked like any field and then dropped; series that
/// carry no float samples are checked and left out of the batch.
public enum RemoteWriteDecoder {
    /// What a request carried that the batch leaves out, for the receiver's
    /// own metrics and logs.
    public struct Ignored: Sendable, Equatable {
        /// `MetricMetadata` entries.
        public var metadata = 0
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
    /// - Throws: ``RemoteWriteError`` with code `malformedProtobuf`,
    ///   `invalidUTF8`, `invalidLabels` (all 400), or `tooLarge` for a body past
    ///   4 GiB, which label ranges cannot address.
    /// - Complexity: O(n) in the body size; three allocations (the batch's
    ///   arrays), sized by a first pass over the series.
    public static func decode(protobuf bytes: [UInt8]) throws(RemoteWriteError) -> SampleBatch {
        var ignored = Ignored()
        return try decode(protobuf: bytes, ignored: &ignored)
    }

    /// Decodes an uncompressed `WriteRequest` and counts what the batch leaves
    /// out into `ignored`. See ``decode(protobuf:)``.
    public static func decode(protobuf bytes: [UInt8], ignored: inout Ignored) throws(RemoteWriteError)
        -> SampleBatch
    {
        guard bytes.count <= Int(UInt32.max) else {
            throw RemoteWriteError(.tooLarge, "request of \(bytes.count) bytes exceeds the 4 GiB a batch can address")
        }
        var builder = BatchBuilder()
        var counts = Ignored()
        let outcome: Result<Void, RemoteWriteError> = bytes.withUnsafeBytes { raw in
            // An empty request has no base address; it is valid and holds nothing.
            guard let base = raw.baseAddress else { return .success(()) }
            return Result { () throws(RemoteWriteError) in
                let reader = WireReader(base: base, position: 0, end: raw.count)
                builder.reserve(for: reader)
                try decodeRequest(reader, into: &builder, ignored: &counts)
            }
        }
        try outcome.get()
        ignored = counts
        var batch = SampleBatch(bytes: bytes)
        batch.labels = builder.labels
        batch.series = builder.series
        batch.samples = builder.samples
        return batch
    }

    /// The top level: `repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3;`.
    static func decodeRequest(_ reader: WireReader, into builder: inout BatchBuilder, ignored: inout Ignored)
        throws(RemoteWriteError)
    {
        var r = reader
        var index = 0
        while !r.isAtEnd {
            let at = r.position
            let tag = try r.readTag()
            switch tag {
            case 0x0a:
                let body = try r.readLengthDelimited()
                do {
                    try decodeSeries(r.subReader(body), index: index, into: &builder, ignored: &ignored)
                } catch where error.code == .malformedProtobuf {
                    throw RemoteWriteError(.malformedProtobuf, error.message + " (in series at index \(index))")
                }
                index += 1
            case 0x1a:
                let body = try r.readLengthDelimited()
                try SkippedMessage.metricMetadata.check(r.subReader(body), depth: 2)
                ignored.metadata += 1
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
    var labels: [LabelRange] = []
    var series: [BatchSeries] = []
    var samples: [Sample] = []

    /// Reserves each array once, exactly, by counting series, labels and
    /// samples in a quick pass that only reads tags and lengths (a tenth of
    /// the decoding work; cheaper than regrowing three arrays a dozen times).
    /// Stops counting at anything malformed: the real pass reports it.
    mutating func reserve(for reader: WireReader) {
        var r = reader
        var seriesCount = 0
        var labelCount = 0
        var sampleCount = 0
        outer: while !r.isAtEnd {
            guard let tag = try? r.readTag() else { break }
            guard tag == 0x0a else {
                if (try? r.skipField(tag: tag, depth: 1)) == nil { break }
                continue
            }
            guard let body = try? r.readLengthDelimited() else { break }
            seriesCount += 1
            var s = r.subReader(body)
            while !s.isAtEnd {
                guard let inner = try? s.readTag() else { break outer }
                if inner == 0x0a {
                    labelCount += 1
                } else if inner == 0x12 {
                    sampleCount += 1
                }
                if (try? s.skipField(tag: inner, depth: 2)) == nil { break outer }
            }
        }
        labels.reserveCapacity(labelCount)
        series.reserveCapacity(seriesCount)
        samples.reserveCapacity(sampleCount)
    }
}
