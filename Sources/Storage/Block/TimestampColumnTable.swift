import Encoding

/// The distinct timestamp columns of a block being written, so that each is
/// stored once however many chunks use it.
///
/// All series of one scrape target carry the same timestamps (≈40 series a
/// target on typical exporters), so on real data this removes most timestamp
/// bytes from the chunks file. Columns are found by CRC-32C and length, then
/// compared byte for byte: a CRC collision costs a comparison, never a wrong
/// column. The bytes of columns are kept in memory up to `arenaBudget`;
/// beyond that a candidate is read back from the file to compare.
struct TimestampColumnTable {
    /// One stored column, as the index's column table records it.
    struct Entry {
        var offset: UInt64
        var minTime: Int64
        var maxTime: Int64
        var count: UInt32
        var length: UInt32
        /// Where the bytes are in `arena`, or -1 when only the file has them.
        var arenaOffset: Int
        /// The next column with the same key, or -1.
        var nextWithSameKey: Int32
    }

    private(set) var entries: [Entry] = []
    private var firstWithKey: [UInt64: Int32] = [:]
    private var arena: [UInt8] = []
    private let arenaBudget: Int
    /// Bytes of columns written, for size reports.
    private(set) var storedBytes = 0
    /// Chunks that reused a column instead of storing one.
    private(set) var reuses = 0

    init(arenaBudget: Int = 64 << 20) {
        self.arenaBudget = arenaBudget
    }

    /// The column number of `bytes` (the encoding of `timestamps`), writing
    /// the column (bytes then CRC) to `file` when it is new.
    /// - Complexity: O(bytes) expected.
    mutating func column(
        for bytes: [UInt8], timestamps: ArraySlice<Int64>, file: BlockFileWriter
    ) throws(StorageError) -> UInt32 {
        let crc = CRC32C.checksum(bytes)
        let key = UInt64(crc) << 32 | UInt64(UInt32(truncatingIfNeeded: bytes.count))
        var candidate = firstWithKey[key] ?? -1
        while candidate >= 0 {
            let entry = entries[Int(candidate)]
            if Int(entry.count) == timestamps.count, Int(entry.length) == bytes.count,
                try storedBytes(of: entry, file: file).elementsEqual(bytes)
            {
                reuses += 1
                return UInt32(candidate)
            }
            candidate = entry.nextWithSameKey
        }
        guard entries.count < Int(UInt32.max), bytes.count <= Int(UInt32.max) else {
            throw StorageError(.io, "block: \(file.path): more timestamp columns than the format can number")
        }
        var arenaOffset = -1
        if arena.count + bytes.count <= arenaBudget {
            arenaOffset = arena.count
            arena.append(contentsOf: bytes)
        }
        let number = Int32(entries.count)
        entries.append(
            Entry(
                offset: UInt64(file.position), minTime: timestamps.first!, maxTime: timestamps.last!,
                count: UInt32(timestamps.count), length: UInt32(bytes.count), arenaOffset: arenaOffset,
                nextWithSameKey: firstWithKey[key] ?? -1))
        firstWithKey[key] = number
        try file.append(bytes)
        try file.appendUInt32LE(crc)
        storedBytes += bytes.count + 4
        return UInt32(number)
    }

    private func storedBytes(of entry: Entry, file: BlockFileWriter) throws(StorageError) -> ArraySlice<UInt8> {
        if entry.arenaOffset >= 0 {
            return arena[entry.arenaOffset..<entry.arenaOffset + Int(entry.length)]
        }
        return try file.read(at: Int(entry.offset), count: Int(entry.length))[...]
    }
}
