import Encoding
import MeridianModel

/// Encodes remote-write 1.0 `WriteRequest` bodies: for tests, for the crash
/// test client, and for forwarding batches to an upstream receiver.
///
/// The bytes are exactly what SwiftProtobuf serializes for the same request
/// (fields in number order, proto3 defaults left out), which the tests check,
/// so a body can be compared byte for byte whichever way it was built.
public enum RemoteWriteEncoder {
    /// The protobuf of a request with these series, in this order. Label sets
    /// are sorted by construction (``Labels``); empty values are left out, as
    /// proto3 leaves out empty strings.
    /// - Complexity: O(n) in the output size; one allocation.
    public static func encode(_ series: [(labels: Labels, samples: [Sample])]) -> [UInt8] {
        var total = 0
        for entry in series {
            let size = seriesSize(entry.labels, entry.samples)
            total += 1 + Varint.size(UInt64(size)) + size
        }
        var out: [UInt8] = []
        out.reserveCapacity(total)
        for entry in series {
            out.append(0x0a)
            Varint.appendUnsigned(UInt64(seriesSize(entry.labels, entry.samples)), to: &out)
            for label in entry.labels {
                appendLabel(name: label.name.utf8, value: label.value.utf8, to: &out)
            }
            for sample in entry.samples { appendSample(sample, to: &out) }
        }
        return out
    }

    /// The protobuf of a decoded batch, series and samples in batch order, then
    /// its metadata: what a center forwards upstream, without building a
    /// `String` per label.
    /// - Complexity: O(n) in the output size; one allocation.
    public static func encode(_ batch: SampleBatch) -> [UInt8] { encode([SeriesSelection(batch)]) }

    /// The protobuf of the selected series of several batches as one request:
    /// the series in order, then the metadata of the selections that carry it
    /// (a `WriteRequest` is its repeated fields, so this is what concatenating
    /// their encodings would give, in one pass).
    ///
    /// The forwarding hot path: every label is copied from the batch's bytes
    /// with `memcpy` into memory sized exactly beforehand, rather than
    /// appended to an array piece by piece, and a selection names series by
    /// index, so choosing a shard's series copies nothing.
    /// - Complexity: O(n) in the output size; one allocation.
    public static func encode(_ selections: [SeriesSelection]) -> [UInt8] {
        var seriesSizes: [[Int]] = []
        var total = 0
        for selection in selections {
            let batch = selection.batch
            var sizes: [Int] = []
            sizes.reserveCapacity(selection.count)
            selection.forEachSeries { entry in
                let body = size(of: entry, in: batch)
                sizes.append(body)
                total += 1 + Varint.size(UInt64(body)) + body
            }
            seriesSizes.append(sizes)
            for metadata in selection.metadata {
                let body = metadataSize(metadata)
                total += 1 + Varint.size(UInt64(body)) + body
            }
        }
        var out = [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            var w = PointerWriter(buffer.baseAddress!)
            for (selection, sizes) in zip(selections, seriesSizes) {
                let batch = selection.batch
                batch.bytes.withUnsafeBufferPointer { bytes in
                    var next = 0
                    selection.forEachSeries { entry in
                        let body = sizes[next]
                        next += 1
                        w.byte(0x0a)
                        w.varint(UInt64(body))
                        let labels = batch.labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)]
                        writeLabels(labels, from: bytes, to: &w)
                        for sample in batch.samples[Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount)] {
                            w.byte(0x12)
                            w.varint(UInt64(sampleSize(sample)))
                            if sample.v.bitPattern != 0 {
                                w.byte(0x09)
                                w.uint64LE(sample.v.bitPattern)
                            }
                            if sample.t != 0 {
                                w.byte(0x10)
                                w.varint(UInt64(bitPattern: sample.t))
                            }
                        }
                    }
                }
            }
            count = w.offset
        }
        // Metadata is rare and small: the plain appends.
        for selection in selections {
            for metadata in selection.metadata { appendMetadata(metadata, to: &out) }
        }
        precondition(out.count == total, "remote-write encoder sized \(total) bytes, wrote \(out.count)")
        return out
    }

    /// Writes the `Label` messages of `ranges`. Labels decoded from a request
    /// usually still lie in `bytes` exactly as they are to be written (one
    /// after another, each in its canonical encoding): such runs are copied
    /// with one `memcpy` each; the rest (labels the center added, anything
    /// a sender encoded otherwise) field by field.
    @inline(__always)
    static func writeLabels(
        _ ranges: ArraySlice<LabelRange>, from bytes: UnsafeBufferPointer<UInt8>, to w: inout PointerWriter
    ) {
        let base = bytes.baseAddress!
        var i = ranges.startIndex
        while i < ranges.endIndex {
            let range = ranges[i]
            if let start = wireStart(of: range, in: bytes) {
                var end = Int(range.valueStart + range.valueLength)
                i += 1
                while i < ranges.endIndex, wireStart(of: ranges[i], in: bytes) == end {
                    end = Int(ranges[i].valueStart + ranges[i].valueLength)
                    i += 1
                }
                w.copy(base + start, end - start)
                continue
            }
            let name = Int(range.nameLength)
            let value = Int(range.valueLength)
            w.byte(0x0a)
            w.varint(UInt64(labelSize(name, value)))
            if name > 0 {
                w.byte(0x0a)
                w.varint(UInt64(name))
                w.copy(base + Int(range.nameStart), name)
            }
            if value > 0 {
                w.byte(0x12)
                w.varint(UInt64(value))
                w.copy(base + Int(range.valueStart), value)
            }
            i += 1
        }
    }

    /// Where the `Label` message of `range` starts in `bytes`, when the bytes
    /// before its name and between its name and value are exactly what the
    /// encoder writes there, in the shape every sender uses (every length
    /// below 128, so one byte each): copying from there to the value's end
    /// writes what field-by-field encoding would. Nil otherwise (then the
    /// label is written field by field).
    @inline(__always)
    static func wireStart(of range: LabelRange, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let name = Int(range.nameLength)
        let value = Int(range.valueLength)
        let body = name + value + 4
        let nameStart = Int(range.nameStart)
        let valueHeader = nameStart + name
        guard name > 0, value > 0, body < 0x80, nameStart >= 4, Int(range.valueStart) == valueHeader + 2 else {
            return nil
        }
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        // 0a <body> 0a <name length>, then 12 <value length>.
        let header = UInt32(0x0a) | UInt32(body) << 8 | 0x0a << 16 | UInt32(name) << 24
        let valueTag = UInt16(0x12) | UInt16(value) << 8
        guard UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: nameStart - 4, as: UInt32.self)) == header,
            UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: valueHeader, as: UInt16.self)) == valueTag
        else { return nil }
        return nameStart - 4
    }

    /// The bytes of one series' `TimeSeries` message body.
    static func size(of entry: BatchSeries, in batch: SampleBatch) -> Int {
        var size = 0
        for range in batch.labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)] {
            let label = labelSize(Int(range.nameLength), Int(range.valueLength))
            size += 1 + Varint.size(UInt64(label)) + label
        }
        for sample in batch.samples[Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount)] {
            let body = sampleSize(sample)
            size += 1 + Varint.size(UInt64(body)) + body
        }
        return size
    }

    /// A snappy-compressed request body, ready to POST with
    /// `Content-Encoding: snappy` and `Content-Type: application/x-protobuf`.
    public static func snappyBody(_ series: [(labels: Labels, samples: [Sample])]) -> [UInt8] {
        Snappy.compress(encode(series))
    }

    /// A snappy-compressed request body for a decoded batch.
    public static func snappyBody(_ batch: SampleBatch) -> [UInt8] {
        Snappy.compress(encode(batch))
    }

    // MARK: Wire layout

    static func seriesSize(_ labels: Labels, _ samples: [Sample]) -> Int {
        var size = 0
        for label in labels {
            let body = labelSize(label.name.utf8.count, label.value.utf8.count)
            size += 1 + Varint.size(UInt64(body)) + body
        }
        for sample in samples {
            let body = sampleSize(sample)
            size += 1 + Varint.size(UInt64(body)) + body
        }
        return size
    }

    /// `Label`: name = 1, value = 2, each left out when empty.
    @inline(__always)
    static func labelSize(_ name: Int, _ value: Int) -> Int {
        (name == 0 ? 0 : 1 + Varint.size(UInt64(name)) + name)
            + (value == 0 ? 0 : 1 + Varint.size(UInt64(value)) + value)
    }

    /// `Sample`: value = 1 (left out when its bits are all zero, so -0.0
    /// survives), timestamp = 2 (left out when 0).
    @inline(__always)
    static func sampleSize(_ sample: Sample) -> Int {
        (sample.v.bitPattern == 0 ? 0 : 9)
            + (sample.t == 0 ? 0 : 1 + Varint.size(UInt64(bitPattern: sample.t)))
    }

    static func appendLabel<C: Collection<UInt8>>(name: C, value: C, to out: inout [UInt8]) {
        out.append(0x0a)
        Varint.appendUnsigned(UInt64(labelSize(name.count, value.count)), to: &out)
        if !name.isEmpty {
            out.append(0x0a)
            Varint.appendUnsigned(UInt64(name.count), to: &out)
            out.append(contentsOf: name)
        }
        if !value.isEmpty {
            out.append(0x12)
            Varint.appendUnsigned(UInt64(value.count), to: &out)
            out.append(contentsOf: value)
        }
    }

    static func appendSample(_ sample: Sample, to out: inout [UInt8]) {
        out.append(0x12)
        Varint.appendUnsigned(UInt64(sampleSize(sample)), to: &out)
        if sample.v.bitPattern != 0 {
            out.append(0x09)
            out.appendUInt64LE(sample.v.bitPattern)
        }
        if sample.t != 0 {
            out.append(0x10)
            Varint.appendUnsigned(UInt64(bitPattern: sample.t), to: &out)
        }
    }

    /// `MetricMetadata`: type = 1 (left out when unknown, 0), family = 2,
    /// help = 4, unit = 5 (each left out when empty).
    static func metadataSize(_ m: MetricMetadata) -> Int {
        var size = m.type == .unknown ? 0 : 1 + Varint.size(m.type.wireValue)
        for text in [m.family, m.help, m.unit] where !text.isEmpty {
            size += 1 + Varint.size(UInt64(text.utf8.count)) + text.utf8.count
        }
        return size
    }

    static func appendMetadata(_ m: MetricMetadata, to out: inout [UInt8]) {
        out.append(0x1a)
        Varint.appendUnsigned(UInt64(metadataSize(m)), to: &out)
        if m.type != .unknown {
            out.append(0x08)
            Varint.appendUnsigned(m.type.wireValue, to: &out)
        }
        for (tag, text) in [(UInt8(0x12), m.family), (0x22, m.help), (0x2a, m.unit)] where !text.isEmpty {
            out.append(tag)
            Varint.appendUnsigned(UInt64(text.utf8.count), to: &out)
            out.append(contentsOf: text.utf8)
        }
    }
}

/// Writes forward into memory sized beforehand, without bounds checks (the
/// encoder computes every size first and checks the total after).
struct PointerWriter {
    let base: UnsafeMutablePointer<UInt8>
    private(set) var offset = 0

    init(_ base: UnsafeMutablePointer<UInt8>) { self.base = base }

    @inline(__always) mutating func byte(_ b: UInt8) {
        base[offset] = b
        offset += 1
    }

    /// LEB128, the bytes `Varint.appendUnsigned` writes.
    @inline(__always) mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(v))
    }

    @inline(__always) mutating func uint64LE(_ value: UInt64) {
        UnsafeMutableRawPointer(base + offset).storeBytes(of: value.littleEndian, as: UInt64.self)
        offset += 8
    }

    @inline(__always) mutating func copy(_ source: UnsafePointer<UInt8>, _ count: Int) {
        (base + offset).update(from: source, count: count)
        offset += count
    }
}

/// Some series of a batch, by index (nil: all of them), and whether the
/// batch's metadata goes with them: what one forwarded request takes from
/// one record, without copying it.
public struct SeriesSelection: Sendable {
    public let batch: SampleBatch
    /// Indices into `batch.series`, in the order to encode; nil: every series.
    public let series: [Int32]?
    public let includesMetadata: Bool
    /// The samples of the selected series.
    public let sampleCount: Int

    /// Every series of `batch`, and its metadata.
    public init(_ batch: SampleBatch) {
        self.batch = batch
        series = nil
        includesMetadata = true
        sampleCount = batch.sampleCount
    }

    public init(_ batch: SampleBatch, series: [Int32], includesMetadata: Bool, sampleCount: Int) {
        self.batch = batch
        self.series = series
        self.includesMetadata = includesMetadata
        self.sampleCount = sampleCount
    }

    /// The selected series.
    public var count: Int { series?.count ?? batch.series.count }
    var metadata: [MetricMetadata] { includesMetadata ? batch.metadata : [] }

    @inline(__always) public func forEachSeries(_ body: (BatchSeries) -> Void) {
        if let series {
            for i in series { body(batch.series[Int(i)]) }
        } else {
            for entry in batch.series { body(entry) }
        }
    }
}
