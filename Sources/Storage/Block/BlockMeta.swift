import MeridianModel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `meta.json` says about a block: its time range, its size, and where
/// it came from. Small and human-readable on purpose: operators read it, and
/// the compactor plans from it without opening the index.
public struct BlockMeta: Codable, Sendable, Equatable {
    /// The block's name (and directory name).
    public var id: BlockID
    /// The earliest timestamp the block may hold (inclusive).
    public var minTime: Timestamp
    /// The end of the block's range (exclusive, as in Prometheus): every
    /// sample has `minTime <= t < maxTime`.
    public var maxTime: Timestamp
    /// Counts of what the block holds.
    public var stats: Stats
    /// How the block was made.
    public var compaction: Compaction
    /// The format version (docs/format/block.md); a reader refuses others.
    public var version: Int

    /// Counts of what a block holds.
    public struct Stats: Codable, Sendable, Equatable {
        /// Series with at least one sample.
        public var series: Int
        /// Samples over all series.
        public var samples: Int
        /// Chunks over all series.
        public var chunks: Int
        /// Distinct timestamp columns stored; `chunks / timestampColumns` is
        /// how many chunks share each one.
        public var timestampColumns: Int

        /// Counts as given.
        public init(series: Int, samples: Int, chunks: Int, timestampColumns: Int) {
            self.series = series
            self.samples = samples
            self.chunks = chunks
            self.timestampColumns = timestampColumns
        }
    }

    /// Compaction lineage, as Prometheus keeps it.
    public struct Compaction: Codable, Sendable, Equatable {
        /// 1 for a block cut from the head; one more than its highest parent
        /// for a compacted block.
        public var level: Int
        /// The level-1 blocks whose data this block holds (itself, at level 1).
        public var sources: [BlockID]
        /// The blocks merged to make this one (empty at level 1).
        public var parents: [BlockID]

        /// Lineage as given.
        public init(level: Int, sources: [BlockID], parents: [BlockID]) {
            self.level = level
            self.sources = sources
            self.parents = parents
        }
    }

    /// A meta as given; `version` defaults to the format this code writes.
    public init(
        id: BlockID, minTime: Timestamp, maxTime: Timestamp, stats: Stats, compaction: Compaction,
        version: Int = 1
    ) {
        self.id = id
        self.minTime = minTime
        self.maxTime = maxTime
        self.stats = stats
        self.compaction = compaction
        self.version = version
    }

    /// Whether the block's range `[minTime, maxTime)` meets the inclusive
    /// query range `[mint, maxt]`.
    public func overlaps(mint: Timestamp, maxt: Timestamp) -> Bool {
        mint <= maxt && mint < maxTime && maxt >= minTime
    }

    /// Pretty-printed JSON with sorted keys, so equal metas are equal bytes.
    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding plain integers, strings and arrays cannot fail.
        let data = try! encoder.encode(self)
        return Array(data) + [0x0A]
    }

    /// Reads and checks `meta.json` at `path`.
    static func read(_ path: String) throws(StorageError) -> BlockMeta {
        let bytes = try BlockFiles.readFile(path)
        let meta: BlockMeta
        do {
            meta = try JSONDecoder().decode(BlockMeta.self, from: Data(bytes))
        } catch {
            throw StorageError(.corruption, "block: \(path) at offset 0: not a block meta.json: \(error)")
        }
        guard meta.version == Int(BlockFormat.version) else {
            throw StorageError(
                .corruption,
                "block: \(path) at offset 0: format version \(meta.version), expected \(BlockFormat.version)")
        }
        guard meta.minTime < meta.maxTime, meta.stats.series >= 0, meta.stats.samples >= 0 else {
            throw StorageError(
                .corruption, "block: \(path) at offset 0: impossible range or counts [\(meta.minTime), \(meta.maxTime))"
            )
        }
        return meta
    }
}
