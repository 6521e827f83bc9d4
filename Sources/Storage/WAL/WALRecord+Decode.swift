import Encoding
import MeridianModel

extension WALRecord {
    /// Decodes a payload that ``encode(into:)`` wrote (type byte first).
    ///
    /// Every count and length is checked against the bytes that are left
    /// before anything is allocated, so a damaged payload throws
    /// `StorageError.Code.corruption` instead of asking for gigabytes.
    public static func decode(_ payload: UnsafeRawBufferPointer) throws(StorageError) -> WALRecord {
        var cursor = ByteCursor(payload)
        guard let type = cursor.readByte() else { throw malformed("empty payload") }
        let record: WALRecord
        switch type {
        case TypeByte.samples: record = .samples(try decodeSamples(&cursor))
        case TypeByte.series: record = .series(try decodeSeries(&cursor))
        case TypeByte.chunks: record = .chunks(try decodeChunks(&cursor))
        default: throw malformed("unknown record type 0x\(String(type, radix: 16))")
        }
        guard cursor.isAtEnd else { throw malformed("\(cursor.remaining) bytes after the record") }
        return record
    }

    private static func decodeSamples(_ cursor: inout ByteCursor) throws(StorageError) -> [RefSample] {
        // Each sample takes at least 10 bytes (two 1-byte varints, 8 value bytes).
        let count = try readCount(&cursor, minimumBytesEach: 10, what: "sample")
        guard count > 0 else { return [] }
        guard let firstRef = cursor.readUVarint(), let firstTime = cursor.readVarint() else {
            throw malformed("truncated samples header")
        }
        var samples: [RefSample] = []
        samples.reserveCapacity(count)
        var ref = firstRef
        for _ in 0..<count {
            guard let refDelta = cursor.readVarint(), let timeDelta = cursor.readVarint(),
                let bits = cursor.readUInt64LE()
            else { throw malformed("truncated sample \(samples.count) of \(count)") }
            ref = ref &+ UInt64(bitPattern: refDelta)
            samples.append(RefSample(ref: ref, t: firstTime &+ timeDelta, v: Double(bitPattern: bits)))
        }
        return samples
    }

    private static func decodeSeries(_ cursor: inout ByteCursor) throws(StorageError) -> [RefSeries] {
        let count = try readCount(&cursor, minimumBytesEach: 2, what: "series")
        var series: [RefSeries] = []
        series.reserveCapacity(count)
        for _ in 0..<count {
            guard let ref = cursor.readUVarint() else { throw malformed("truncated series ref") }
            let labelCount = try readCount(&cursor, minimumBytesEach: 2, what: "label")
            var labels: [Label] = []
            labels.reserveCapacity(labelCount)
            var sorted = true
            for _ in 0..<labelCount {
                let label = Label(name: try readString(&cursor), value: try readString(&cursor))
                if let last = labels.last, !last.name.utf8.lexicographicallyPrecedes(label.name.utf8) {
                    sorted = false
                }
                labels.append(label)
            }
            // The encoder writes `Labels`, which are sorted with unique names, so
            // checking is enough; sorting again is only for logs some other
            // writer produced.
            series.append(RefSeries(ref: ref, labels: sorted ? Labels(sortedUnchecked: labels) : Labels(labels)))
        }
        return series
    }

    private static func decodeChunks(_ cursor: inout ByteCursor) throws(StorageError) -> [RefChunk] {
        let count = try readCount(&cursor, minimumBytesEach: 6, what: "chunk")
        var chunks: [RefChunk] = []
        chunks.reserveCapacity(count)
        for _ in 0..<count {
            guard let ref = cursor.readUVarint(), let minTime = cursor.readVarint(),
                let span = cursor.readVarint(), let sampleCount = cursor.readUVarint(),
                let encoding = cursor.readByte(), let length = cursor.readUVarint(),
                length <= UInt64(cursor.remaining), let bytes = cursor.readBytes(Int(length))
            else { throw malformed("truncated chunk \(chunks.count) of \(count)") }
            chunks.append(
                RefChunk(
                    ref: ref, minTime: minTime, maxTime: minTime &+ span,
                    sampleCount: Int(Int64(bitPattern: sampleCount)), encoding: encoding, bytes: [UInt8](bytes)))
        }
        return chunks
    }

    /// Reads a count and rejects one that the remaining bytes cannot hold.
    private static func readCount(
        _ cursor: inout ByteCursor, minimumBytesEach: Int, what: String
    ) throws(StorageError) -> Int {
        guard let count = cursor.readUVarint() else { throw malformed("truncated \(what) count") }
        guard count <= UInt64(cursor.remaining / minimumBytesEach) else {
            throw malformed("\(count) \(what) entries cannot fit in \(cursor.remaining) bytes")
        }
        return Int(count)
    }

    private static func readString(_ cursor: inout ByteCursor) throws(StorageError) -> String {
        guard let length = cursor.readUVarint(), length <= UInt64(cursor.remaining),
            let bytes = cursor.readBytes(Int(length))
        else { throw malformed("truncated label string") }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func malformed(_ reason: String) -> StorageError {
        StorageError(.corruption, "WAL record is malformed: \(reason)")
    }
}
