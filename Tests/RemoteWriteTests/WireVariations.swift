import RemoteWrite
import SwiftProtobuf
import TestSupport

/// Serializes a request the way other senders may, which SwiftProtobuf never
/// does itself: fields interleaved and out of number order, unknown fields of
/// every wire type (groups too) at every level, singular fields sent twice
/// (the last wins), defaults sent explicitly, varints padded with 0x80 bytes.
/// Every variation is valid protobuf, so the generated decoder reads the same
/// request back.
struct WireVariations {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    // MARK: Primitive writers (independent of the code under test)

    mutating func varint(_ value: UInt64, to out: inout [UInt8], padLimit: UInt64 = 1 << 49) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        // A padded varint is still valid as long as it fits in ten bytes (a
        // tag: in five).
        if rng.chance(0.05) && value < padLimit {
            out.append(UInt8(v) | 0x80)
            out.append(0)
        } else {
            out.append(UInt8(v))
        }
    }

    mutating func tag(_ field: UInt32, _ wire: UInt8, to out: inout [UInt8]) {
        varint(UInt64(field) << 3 | UInt64(wire), to: &out, padLimit: 1 << 21)
    }

    mutating func bytesField(_ field: UInt32, _ body: [UInt8], to out: inout [UInt8]) {
        tag(field, 2, to: &out)
        varint(UInt64(body.count), to: &out)
        out += body
    }

    /// One field the schema does not know, `field` not in `known`.
    mutating func unknownField(avoiding known: ClosedRange<UInt32>, to out: inout [UInt8], depth: Int = 0) {
        var field: UInt32
        repeat {
            field = rng.pick([2, 5, 6, 15, 16, 100, 2047, 2048, 262_143, 262_144, 536_870_911])
            if rng.chance(0.3) { field = UInt32.random(in: 1...536_870_911, using: &rng) }
        } while known.contains(field)
        switch Int.random(in: 0..<5, using: &rng) {
        case 0:
            tag(field, 0, to: &out)
            varint(rng.next() >> Int.random(in: 0...63, using: &rng), to: &out)
        case 1:
            tag(field, 1, to: &out)
            for _ in 0..<8 { out.append(UInt8.random(in: 0...255, using: &rng)) }
        case 2:
            bytesField(
                field, (0..<Int.random(in: 0...12, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) },
                to: &out)
        case 3:
            tag(field, 3, to: &out)
            if depth < 3 {
                for _ in 0..<Int.random(in: 0...2, using: &rng) {
                    unknownField(avoiding: 0...0, to: &out, depth: depth + 1)
                }
            }
            tag(field, 4, to: &out)
        default:
            tag(field, 5, to: &out)
            for _ in 0..<4 { out.append(UInt8.random(in: 0...255, using: &rng)) }
        }
    }

    mutating func maybeUnknown(avoiding known: ClosedRange<UInt32>, to out: inout [UInt8]) {
        while rng.chance(0.08) { unknownField(avoiding: known, to: &out) }
    }

    // MARK: Messages

    mutating func label(_ label: Prometheus_Label) -> [UInt8] {
        var out: [UInt8] = []
        maybeUnknown(avoiding: 1...2, to: &out)
        var fields: [(UInt32, [UInt8])] = []
        if !label.name.isEmpty || rng.chance(0.05) { fields.append((1, Array(label.name.utf8))) }
        if !label.value.isEmpty || rng.chance(0.05) { fields.append((2, Array(label.value.utf8))) }
        if rng.chance(0.2) { fields.reverse() }
        for (field, body) in fields {
            if rng.chance(0.05) { bytesField(field, Array("overridden ✓".utf8), to: &out) }
            bytesField(field, body, to: &out)
            maybeUnknown(avoiding: 1...2, to: &out)
        }
        return out
    }

    mutating func sample(_ sample: Prometheus_Sample) -> [UInt8] {
        var out: [UInt8] = []
        var fields: [(UInt32, Bool)] = []
        if sample.value.bitPattern != 0 || rng.chance(0.1) { fields.append((1, true)) }
        if sample.timestamp != 0 || rng.chance(0.1) { fields.append((2, false)) }
        if rng.chance(0.2) { fields.reverse() }
        for (field, isValue) in fields {
            if rng.chance(0.05) {
                // Sent twice: the first occurrence must lose.
                if isValue {
                    tag(1, 1, to: &out)
                    out += [1, 2, 3, 4, 5, 6, 7, 8]
                } else {
                    tag(2, 0, to: &out)
                    varint(12345, to: &out)
                }
            }
            if isValue {
                tag(field, 1, to: &out)
                withUnsafeBytes(of: sample.value.bitPattern.littleEndian) { out += $0 }
            } else {
                tag(field, 0, to: &out)
                varint(UInt64(bitPattern: sample.timestamp), to: &out)
            }
            maybeUnknown(avoiding: 1...2, to: &out)
        }
        return out
    }

    mutating func series(_ series: Prometheus_TimeSeries) throws -> [UInt8] {
        // Each repeated field keeps its own order; the four are interleaved.
        var queues: [[(UInt32, [UInt8])]] = [
            series.labels.map { (1, label($0)) },
            series.samples.map { (2, sample($0)) },
            try series.exemplars.map { (3, try $0.serializedBytes()) },
            try series.histograms.map { (4, try $0.serializedBytes()) },
        ]
        var out: [UInt8] = []
        while queues.contains(where: { !$0.isEmpty }) {
            let candidates = queues.indices.filter { !queues[$0].isEmpty }
            let chosen = rng.chance(0.7) ? candidates[0] : rng.pick(candidates)
            let (field, body) = queues[chosen].removeFirst()
            bytesField(field, body, to: &out)
            maybeUnknown(avoiding: 1...4, to: &out)
        }
        return out
    }

    mutating func request(_ request: Prometheus_WriteRequest) throws -> [UInt8] {
        var out: [UInt8] = []
        var metadata = try request.metadata.map { try $0.serializedBytes() as [UInt8] }
        for series in request.timeseries {
            bytesField(1, try self.series(series), to: &out)
            if !metadata.isEmpty && rng.chance(0.3) { bytesField(3, metadata.removeFirst(), to: &out) }
            if rng.chance(0.05) { unknownField(avoiding: 1...3, to: &out) }
        }
        for entry in metadata { bytesField(3, entry, to: &out) }
        return out
    }
}
