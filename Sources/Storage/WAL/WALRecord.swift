import Encoding
import MeridianModel

/// One entry of the write-ahead log. The byte layout of every case is in
/// docs/format/wal.md.
///
/// `chunks` is only written into checkpoints: a checkpoint keeps the head's
/// compressed chunks rather than every sample that built them.
public enum WALRecord: Sendable, Equatable {
    /// Series created since the last record, so that samples can name them by ref.
    case series([RefSeries])
    /// Samples of series that an earlier `series` record (or the checkpoint) defined.
    case samples([RefSample])
    /// Whole encoded chunks; only in checkpoints.
    case chunks([RefChunk])

    /// The first byte of every encoded record. A changed encoding gets a new
    /// value instead of reusing one, so old logs stay readable by new code and
    /// new logs fail loudly (as "unknown record type") in old code.
    enum TypeByte {
        static let series: UInt8 = 0x01
        static let samples: UInt8 = 0x02
        static let chunks: UInt8 = 0x03
    }

    /// Appends the record's payload (type byte, then the body) to `out`.
    ///
    /// The payload is what ``decode(_:)`` reads back; framing (length and
    /// checksum) is added by the log, not here.
    /// - Complexity: O(n) in the record's size; a samples record costs about
    ///   10 bytes and a few nanoseconds per sample and allocates only when
    ///   `out` has to grow.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .series(let series): Self.encodeSeries(series, into: &out)
        case .samples(let samples): Self.encodeSamples(samples, into: &out)
        case .chunks(let chunks): Self.encodeChunks(chunks, into: &out)
        }
    }

    /// Samples: count, then per sample the ref as a delta from the previous
    /// sample's ref (requests list series in ref order, so this is mostly +1:
    /// one byte), the timestamp as a delta from the first sample's (a request
    /// carries one scrape, so these stay within a byte or two) and the raw
    /// value bits (8 bytes; no float arithmetic, so every NaN payload — the
    /// stale marker included — survives).
    ///
    /// Written through a raw pointer into zeroed room at the end of `out`,
    /// trimmed afterwards: appending byte by byte to the array costs more than
    /// the encoding itself on this path. The room is sized for the typical
    /// 11 bytes a sample and grown when a run of large deltas uses it up, so
    /// the common case zeroes about what it writes.
    static func encodeSamples(_ samples: [RefSample], into out: inout [UInt8]) {
        out.reserveGeometrically(extra: 1 + 10 + 10 + 10 + samples.count * typicalSampleBytes)
        out.append(TypeByte.samples)
        Varint.appendUnsigned(UInt64(samples.count), to: &out)
        guard let first = samples.first else { return }
        Varint.appendUnsigned(first.ref, to: &out)
        Varint.appendSigned(first.t, to: &out)
        var next = 0
        var previousRef = first.ref
        samples.withUnsafeBufferPointer { samples in
            while next < samples.count {
                let room = max((samples.count - next) * typicalSampleBytes, maxSampleBytes)
                let start = out.count
                out.append(contentsOf: repeatElement(0, count: room))
                let written = out.withUnsafeMutableBytes { raw in
                    var w = RawWriter(raw.baseAddress! + start)
                    while next < samples.count && w.offset + maxSampleBytes <= room {
                        let sample = samples[next]
                        // Wrapping arithmetic: any two Int64/UInt64 values have
                        // a delta that round-trips, however far apart they are.
                        w.putVarint(Int64(bitPattern: sample.ref &- previousRef))
                        w.putVarint(sample.t &- first.t)
                        w.putUInt64LE(sample.v.bitPattern)
                        previousRef = sample.ref
                        next += 1
                    }
                    return w.offset
                }
                out.removeLast(room - written)
            }
        }
    }

    /// Bytes of a sample with small deltas, and at most (two 10-byte varints).
    private static let typicalSampleBytes = 11
    private static let maxSampleBytes = 10 + 10 + 8

    /// Series: count, then per series the ref, the label count and each
    /// label's name and value, length-prefixed UTF-8. New series are rare next
    /// to samples, so this stays simple.
    static func encodeSeries(_ series: [RefSeries], into out: inout [UInt8]) {
        out.append(TypeByte.series)
        Varint.appendUnsigned(UInt64(series.count), to: &out)
        for s in series {
            Varint.appendUnsigned(s.ref, to: &out)
            Varint.appendUnsigned(UInt64(s.labels.count), to: &out)
            for label in s.labels {
                appendString(label.name, to: &out)
                appendString(label.value, to: &out)
            }
        }
    }

    /// Chunks: count, then per chunk ref, min time, the span to max time,
    /// sample count, encoding byte and the length-prefixed chunk bytes.
    static func encodeChunks(_ chunks: [RefChunk], into out: inout [UInt8]) {
        out.append(TypeByte.chunks)
        Varint.appendUnsigned(UInt64(chunks.count), to: &out)
        for c in chunks {
            Varint.appendUnsigned(c.ref, to: &out)
            Varint.appendSigned(c.minTime, to: &out)
            Varint.appendSigned(c.maxTime &- c.minTime, to: &out)
            Varint.appendUnsigned(UInt64(UInt(bitPattern: c.sampleCount)), to: &out)
            out.append(c.encoding)
            Varint.appendUnsigned(UInt64(c.bytes.count), to: &out)
            out.append(contentsOf: c.bytes)
        }
    }

    private static func appendString(_ string: String, to out: inout [UInt8]) {
        Varint.appendUnsigned(UInt64(string.utf8.count), to: &out)
        out.append(contentsOf: string.utf8)
    }
}

extension Array where Element == UInt8 {
    /// Reserves room for `extra` more bytes, at least doubling when it grows:
    /// `reserveCapacity` alone grows to the exact size asked for, which turns a
    /// loop of appends quadratic.
    mutating func reserveGeometrically(extra: Int) {
        let needed = count + extra
        if needed > capacity { reserveCapacity(Swift.max(needed, capacity * 2)) }
    }
}
