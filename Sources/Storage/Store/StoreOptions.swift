/// Settings of the whole store: head, blocks, compaction, retention.
public struct StoreOptions: Sendable {
    /// The head's settings (its chunk range equals ``blockRange``).
    public var head = HeadOptions()
    /// The span of a block cut from the head, milliseconds (2 h, as Prometheus).
    public var blockRange: Int64 = 2 * 3600 * 1000
    /// Blocks whose newest sample is older than this (milliseconds behind the
    /// newest sample in the store) are deleted; 0 keeps everything.
    public var retention: Int64 = 15 * 24 * 3600 * 1000
    /// When blocks take more bytes than this, the oldest are deleted; 0: no limit.
    public var maxDiskBytes: Int64 = 0
    /// How often head data older than the last cut (backfill) is written
    /// into blocks; see ``Store/cutBlocksIfNeeded(now:)``.
    public var backfillCutInterval: Duration = .seconds(60)
    /// The block spans compaction builds, shortest first (the first is
    /// ``blockRange``); nil: ``CompactionPlanner/ranges(blockRange:retention:)``.
    public var compactionRanges: [Int64]?

    /// The defaults.
    public init() {}
}
