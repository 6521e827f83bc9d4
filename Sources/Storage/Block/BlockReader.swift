import Logging
import MeridianModel
import Synchronization

/// A block on disk, queried through ``Querier``.
///
/// Opening maps `index` and `chunks` (`mmap`, read-only, shared) and reads
/// `meta.json`, the index header and its TOC: O(1) whatever the block's
/// size. The tables the queries need (symbols, series groups, timestamp
/// columns, postings table) are checksummed on first use; series groups,
/// postings lists and chunk bytes are checksummed whenever they are read.
/// Any inconsistency throws `StorageError(.corruption)` naming the file and
/// the byte offset; damaged bytes never trap.
///
/// Thread-safe: immutable apart from a lock taken once per query. Iterators
/// keep the reader (and so the mappings) alive; drop every iterator and the
/// reader to unmap.
public final class BlockReader: Querier, Sendable {
    /// The block's directory.
    public let directory: String
    /// The block's `meta.json`.
    public let meta: BlockMeta
    let logger: Logger
    let index: BlockIndex
    let chunks: MappedFile
    let codec: BlockColumnCodec
    /// Label names by ordinal, decoded once the tables have been checked.
    private let nameTable = Mutex<[String]?>(nil)

    /// Opens the block in `directory` (`<blocks>/<id>`).
    /// - Throws: `.io` when a file cannot be opened or mapped, `.corruption`
    ///   when `meta.json`, the index header or TOC, or the chunks header is
    ///   damaged or inconsistent.
    /// - Complexity: O(1) in the block's size.
    public convenience init(directory: String, logger: Logger) throws(StorageError) {
        try self.init(directory: directory, codec: .standard, logger: logger)
    }

    init(directory: String, codec: BlockColumnCodec, logger: Logger) throws(StorageError) {
        self.directory = directory
        self.logger = logger
        self.codec = codec
        meta = try BlockMeta.read(BlockFiles.join(directory, "meta.json"))
        index = try BlockIndex(file: MappedFile(path: BlockFiles.join(directory, "index")))
        chunks = try MappedFile(path: BlockFiles.join(directory, "chunks"))
        guard chunks.count >= BlockFormat.headerSize, chunks.load(0, as: UInt32.self) == BlockFormat.chunksMagic else {
            throw BlockFiles.corruption(chunks.path, at: 0, "not a block chunks file (bad magic or too short)")
        }
        guard chunks.load(4, as: UInt8.self) == BlockFormat.version else {
            throw BlockFiles.corruption(
                chunks.path, at: 4,
                "chunks format version \(chunks.load(4, as: UInt8.self)), expected \(BlockFormat.version)")
        }
        guard chunks.load(5, as: UInt8.self) == 0, chunks.load(6, as: UInt16.self) == 0 else {
            throw BlockFiles.corruption(chunks.path, at: 5, "reserved header bytes are not zero")
        }
        let tocSeries = index.file.count - BlockFormat.tocSize + 96
        guard index.seriesCount == meta.stats.series, index.columnCount == meta.stats.timestampColumns else {
            throw BlockFiles.corruption(
                index.path, at: tocSeries,
                "index holds \(index.seriesCount) series and \(index.columnCount) timestamp columns, meta.json says \(meta.stats.series) and \(meta.stats.timestampColumns)"
            )
        }
    }

    /// Label names by ordinal. The first call checks the tables' CRCs.
    func labelNameTable() throws(StorageError) -> [String] {
        try nameTable.withLock { (cached) throws(StorageError) -> [String] in
            if let cached { return cached }
            try index.verifyTables()
            var names: [String] = []
            names.reserveCapacity(index.nameCount)
            for k in 0..<index.nameCount {
                let name = try index.symbolString(index.nameEntry(k).symbol)
                if let last = names.last, !last.utf8.lexicographicallyPrecedes(name.utf8) {
                    throw BlockFiles.corruption(index.path, at: index.nameEntryOffset(k), "label names out of order")
                }
                names.append(name)
            }
            cached = names
            return names
        }
    }
}

/// Turns a series entry's label ordinals into `Labels`, remembering value
/// strings across the series of one query (a few hundred distinct values
/// serve thousands of series).
struct BlockLabelStrings {
    let index: BlockIndex
    let names: [String]
    private var values: [Int: String] = [:]

    init(index: BlockIndex, names: [String]) {
        self.index = index
        self.names = names
    }

    mutating func value(_ j: Int) throws(StorageError) -> String {
        if let known = values[j] { return known }
        let string = try index.symbolString(index.valueEntry(j).symbol)
        values[j] = string
        return string
    }

    mutating func labels(_ entry: BlockSeriesEntry) throws(StorageError) -> Labels {
        var labels: [Label] = []
        labels.reserveCapacity(entry.labels.count)
        for (name, value) in entry.labels {
            labels.append(Label(name: names[name], value: try self.value(value)))
        }
        // Name ordinals increase (checked when decoding), and ordinals are in byte order.
        return Labels(sortedUnchecked: labels)
    }
}
