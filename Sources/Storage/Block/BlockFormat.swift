/// The constants of the block format (docs/format/block.md), in one place so
/// that writer, reader and the format page agree.
enum BlockFormat {
    /// The version in `meta.json` and in both file headers. A reader refuses
    /// any other: blocks are immutable, so a new format comes with a new
    /// version and compaction rewrites old blocks.
    static let version: UInt8 = 1

    /// `MRDI`: the first four bytes of `index`.
    static let indexMagic: UInt32 = 0x4944_524D
    /// `MRDC`: the first four bytes of `chunks`.
    static let chunksMagic: UInt32 = 0x4344_524D
    /// Magic (4), version (1), three zero bytes: both files start with 8 bytes.
    static let headerSize = 8

    /// Series per checksummed group in the series section. Reading one series
    /// costs checking and decoding at most this many entries; each group costs
    /// 12 bytes (an 8-byte offset and a 4-byte CRC).
    static let seriesPerGroup = 16

    /// A symbol's offset is stored for every this many symbols; a lookup
    /// skips at most `symbolStride - 1` strings.
    static let symbolStride = 32

    /// Bytes of one entry in the timestamp-column table: offset u64, minTime
    /// i64, maxTime i64, count u32, length u32.
    static let columnEntrySize = 32
    /// Bytes of one label name in the postings table: name symbol u32, first
    /// value entry u32, value count u32.
    static let nameEntrySize = 12
    /// Bytes of one label value in the postings table: value symbol u32,
    /// postings offset u64.
    static let valueEntrySize = 12

    /// The sections of `index`, in file order; the TOC lists them in this order.
    enum Section: Int, CaseIterable, CustomStringConvertible {
        case symbols, series, seriesGroups, columns, postings, postingsTable

        var description: String {
            switch self {
            case .symbols: "symbols"
            case .series: "series"
            case .seriesGroups: "series group table"
            case .columns: "timestamp column table"
            case .postings: "postings"
            case .postingsTable: "postings table"
            }
        }
    }

    /// Six (offset u64, length u64) pairs, the series count u64, a CRC u32.
    static let tocSize = Section.allCases.count * 16 + 8 + 4

    /// The default target number of samples per chunk (see
    /// ``BlockChunkSplitter``). Measured on bench-shaped data: bigger chunks
    /// pay fewer chunk headers and metas, smaller ones let `seek` skip more.
    static let defaultSamplesPerChunk = 240
}
