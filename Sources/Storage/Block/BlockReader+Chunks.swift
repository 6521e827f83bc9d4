import Encoding

/// Where a chunk's bytes are, and what its timestamp column says about it:
/// enough to skip it without reading it.
struct BlockChunkRef: Sendable {
    var minTime: Int64
    var maxTime: Int64
    var count: Int
    var column: Int
    var timestampOffset: Int
    var timestampLength: Int
    var valueOffset: Int
    var valueLength: Int
}

extension BlockReader {
    /// The chunks of `entry`, checked against the column table, the block's
    /// range and the size of `chunks` (not yet against their CRCs).
    func chunkRefs(_ entry: BlockSeriesEntry) throws(StorageError) -> [BlockChunkRef] {
        var refs: [BlockChunkRef] = []
        refs.reserveCapacity(entry.chunks.count)
        var valueOffset = entry.runOffset
        guard valueOffset >= BlockFormat.headerSize else {
            throw BlockFiles.corruption(
                index.path, at: entry.indexOffset, "value run at \(valueOffset), inside the header")
        }
        for (column, valueLength) in entry.chunks {
            let c = index.column(column)
            guard c.count >= 1, c.minTime <= c.maxTime, c.minTime >= meta.minTime, c.maxTime < meta.maxTime,
                c.offset >= UInt64(BlockFormat.headerSize)
            else {
                throw BlockFiles.corruption(
                    index.path, at: index.columnEntryOffset(column),
                    "timestamp column \(column): \(c.count) samples in [\(c.minTime), \(c.maxTime)] at \(c.offset)")
            }
            guard c.offset <= UInt64(chunks.count), UInt64(chunks.count) - c.offset >= UInt64(c.length) + 4 else {
                throw pastEnd(
                    "timestamp column \(column)", at: index.columnEntryOffset(column), c.offset, Int(c.length))
            }
            if let last = refs.last, last.maxTime >= c.minTime {
                throw BlockFiles.corruption(index.path, at: entry.indexOffset, "chunks overlap in time")
            }
            refs.append(
                BlockChunkRef(
                    minTime: c.minTime, maxTime: c.maxTime, count: Int(c.count), column: column,
                    timestampOffset: Int(c.offset), timestampLength: Int(c.length),
                    valueOffset: valueOffset, valueLength: valueLength))
            valueOffset += valueLength
        }
        guard valueOffset <= chunks.count - 4 else {
            throw pastEnd(
                "the value run", at: entry.indexOffset, UInt64(entry.runOffset), valueOffset - entry.runOffset)
        }
        return refs
    }

    /// Damage that the index and `chunks` disagree on: both files, both offsets.
    private func pastEnd(_ what: String, at indexOffset: Int, _ offset: UInt64, _ length: Int) -> StorageError {
        StorageError(
            .corruption,
            "block: \(chunks.path) at offset \(offset): \(what) (\(length) bytes and a CRC) runs past the end of the file (\(chunks.count) bytes), as \(index.path) at offset \(indexOffset) says"
        )
    }

    /// Checks the CRC of the value run of `entry`.
    func verifyRun(_ entry: BlockSeriesEntry) throws(StorageError) {
        let length = entry.chunks.reduce(0) { $0 + $1.valueLength }
        try verifyChunkBytes(entry.runOffset..<entry.runOffset + length, what: "value run")
    }

    /// Checks the CRC of the timestamp column of `ref`.
    func verifyColumn(_ ref: BlockChunkRef) throws(StorageError) {
        try verifyChunkBytes(
            ref.timestampOffset..<ref.timestampOffset + ref.timestampLength, what: "timestamp column \(ref.column)")
    }

    private func verifyChunkBytes(_ range: Range<Int>, what: @autoclosure () -> String) throws(StorageError) {
        guard range.lowerBound >= BlockFormat.headerSize, range.upperBound <= chunks.count - 4 else {
            throw BlockFiles.corruption(chunks.path, at: range.lowerBound, "\(what()) runs past the end of the file")
        }
        let stored = chunks.load(range.upperBound, as: UInt32.self)
        let computed = CRC32C.checksum(chunks.slice(range))
        guard stored == computed else {
            throw BlockFiles.corruption(
                chunks.path, at: range.lowerBound,
                "\(what()) (\(range.count) bytes) checksum mismatch (stored \(BlockFiles.hex(stored)), computed \(BlockFiles.hex(computed)))"
            )
        }
    }

    /// Decodes the timestamps of `ref` (already checksummed) into `out`.
    func decodeTimestamps(_ ref: BlockChunkRef, into out: inout [Int64]) throws(StorageError) {
        let bytes = chunks.slice(ref.timestampOffset..<ref.timestampOffset + ref.timestampLength)
        // The codecs append; start from empty so that buffers can be reused.
        out.removeAll(keepingCapacity: true)
        do throws(EncodingError) {
            try codec.decodeTimestamps(bytes, ref.count, &out)
        } catch {
            throw BlockFiles.corruption(
                chunks.path, at: ref.timestampOffset, "timestamp column \(ref.column): \(error)")
        }
        guard out.count == ref.count, out.first == ref.minTime, out.last == ref.maxTime else {
            throw BlockFiles.corruption(
                chunks.path, at: ref.timestampOffset,
                "timestamp column \(ref.column) decodes to \(out.count) samples in [\(out.first ?? 0), \(out.last ?? 0)], the index says \(ref.count) in [\(ref.minTime), \(ref.maxTime)]"
            )
        }
    }

    /// Decodes the values of `ref` (already checksummed) into `out`.
    func decodeValues(_ ref: BlockChunkRef, into out: inout [Double]) throws(StorageError) {
        let bytes = chunks.slice(ref.valueOffset..<ref.valueOffset + ref.valueLength)
        out.removeAll(keepingCapacity: true)
        do throws(EncodingError) {
            try codec.decodeValues(bytes, ref.count, &out)
        } catch {
            throw BlockFiles.corruption(chunks.path, at: ref.valueOffset, "value column: \(error)")
        }
        guard out.count == ref.count else {
            throw BlockFiles.corruption(
                chunks.path, at: ref.valueOffset,
                "value column decodes to \(out.count) values, the index says \(ref.count)")
        }
    }
}
