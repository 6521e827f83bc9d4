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
    public static func encode(_ batch: SampleBatch) -> [UInt8] {
        func bytes(_ start: UInt32, _ length: UInt32) -> ArraySlice<UInt8> {
            batch.bytes[Int(start)..<Int(start + length)]
        }
        func size(of entry: BatchSeries) -> Int {
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
        var total = 0
        for entry in batch.series {
            let body = size(of: entry)
            total += 1 + Varint.size(UInt64(body)) + body
        }
        for metadata in batch.metadata {
            let body = metadataSize(metadata)
            total += 1 + Varint.size(UInt64(body)) + body
        }
        var out: [UInt8] = []
        out.reserveCapacity(total)
        for entry in batch.series {
            out.append(0x0a)
            Varint.appendUnsigned(UInt64(size(of: entry)), to: &out)
            for range in batch.labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)] {
                appendLabel(
                    name: bytes(range.nameStart, range.nameLength), value: bytes(range.valueStart, range.valueLength),
                    to: &out)
            }
            for sample in batch.samples[Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount)] {
                appendSample(sample, to: &out)
            }
        }
        for metadata in batch.metadata { appendMetadata(metadata, to: &out) }
        return out
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
    static func labelSize(_ name: Int, _ value: Int) -> Int {
        (name == 0 ? 0 : 1 + Varint.size(UInt64(name)) + name)
            + (value == 0 ? 0 : 1 + Varint.size(UInt64(value)) + value)
    }

    /// `Sample`: value = 1 (left out when its bits are all zero, so -0.0
    /// survives), timestamp = 2 (left out when 0).
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
