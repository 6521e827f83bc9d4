/// The messages of the schema that Meridian does not decode into a batch
/// field by field (exemplars, native histograms; metadata is checked here
/// before it is read), with just enough of their schema to check
/// them the way a generated decoder would: wire types of known fields, UTF-8
/// of strings, nested messages, packed repeated fields.
///
/// Checking costs one pass without allocation; skipping them unchecked would
/// make the decoder accept bodies that Prometheus and SwiftProtobuf refuse.
enum SkippedMessage {
    case metricMetadata
    case exemplar
    case label
    case histogram
    case bucketSpan

    /// What a field of the message holds on the wire.
    enum FieldKind {
        case varint
        case fixed64
        case string
        case message(SkippedMessage)
        /// `repeated` of a varint type: one value, or packed in one body.
        case repeatedVarint
        /// `repeated double`: one value, or packed in one body.
        case repeatedFixed64
    }

    var name: String {
        switch self {
        case .metricMetadata: return "MetricMetadata"
        case .exemplar: return "Exemplar"
        case .label: return "Label"
        case .histogram: return "Histogram"
        case .bucketSpan: return "BucketSpan"
        }
    }

    /// The kind of field `number`, or nil when the schema does not know it.
    func kind(of number: UInt32) -> FieldKind? {
        switch (self, number) {
        case (.metricMetadata, 1): return .varint
        case (.metricMetadata, 2), (.metricMetadata, 4), (.metricMetadata, 5): return .string
        case (.exemplar, 1): return .message(.label)
        case (.exemplar, 2): return .fixed64
        case (.exemplar, 3): return .varint
        case (.label, 1), (.label, 2): return .string
        case (.histogram, 1), (.histogram, 4), (.histogram, 6), (.histogram, 14), (.histogram, 15): return .varint
        case (.histogram, 2), (.histogram, 3), (.histogram, 5), (.histogram, 7): return .fixed64
        case (.histogram, 8), (.histogram, 11): return .message(.bucketSpan)
        case (.histogram, 9), (.histogram, 12): return .repeatedVarint
        case (.histogram, 10), (.histogram, 13): return .repeatedFixed64
        case (.bucketSpan, 1), (.bucketSpan, 2): return .varint
        default: return nil
        }
    }

    /// Checks the message in `reader`'s bounds; `depth` is the message's own.
    func check(_ reader: WireReader, depth: Int) throws(RemoteWriteError) {
        var r = reader
        while !r.isAtEnd {
            let at = r.position
            let tag = try r.readTag()
            let field = tag >> 3
            let wire = tag & 7
            guard let kind = kind(of: field) else {
                try r.skipField(tag: tag, depth: depth)
                continue
            }
            switch (kind, wire) {
            case (.varint, 0), (.repeatedVarint, 0):
                _ = try r.readVarint()
            case (.fixed64, 1), (.repeatedFixed64, 1):
                _ = try r.readFixed64()
            case (.string, 2):
                let body = try r.readLengthDelimited()
                guard UTF8Validation.isValid(r.base + body.start, count: body.count) else {
                    throw r.malformed(at: at, "invalid UTF-8 in field \(field) of \(name)")
                }
            case (.message(let inner), 2):
                let body = try r.readLengthDelimited()
                guard depth + 1 <= WireReader.maxDepth else {
                    throw r.malformed(at: at, "messages nested deeper than \(WireReader.maxDepth)")
                }
                try inner.check(r.subReader(body), depth: depth + 1)
            case (.repeatedVarint, 2):
                var packed = r.subReader(try r.readLengthDelimited())
                while !packed.isAtEnd { _ = try packed.readVarint() }
            case (.repeatedFixed64, 2):
                let body = try r.readLengthDelimited()
                guard body.count % 8 == 0 else {
                    throw r.malformed(at: at, "packed field \(field) of \(name) is not a whole number of doubles")
                }
            default:
                throw r.wrongWireType(field: field, wire: wire, in: name, at: at)
            }
        }
    }
}
