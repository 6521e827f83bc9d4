import Logging
import MeridianModel
import Synchronization

/// The time-series database: the in-memory head, head data on its way to disk,
/// and immutable blocks, behind the one ``Querier`` that queries use.
///
/// A query takes a consistent view under a shared lock: the block list, the
/// frozen parts and a snapshot of the head's chunks. Moving data from the head
/// into a frozen part, and from a frozen part into a published block, each
/// happen under the exclusive lock, so every sample is visible in at least one
/// place at every moment; results merge the places and keep one sample per
/// timestamp.
public final class Store: Sendable {
    /// What queries read besides the head.
    struct View {
        /// Published blocks, sorted by min time.
        var blocks: [BlockReader] = []
        /// Head data being written into blocks.
        var frozen: [FrozenHead] = []
    }

    public let head: Head
    public let dataDirectory: String
    let options: StoreOptions
    let logger: Logger
    let view = ReadWriteLocked(View())
    /// Serializes cutting, flushing, checkpoints and retention (never queries
    /// or appends), and holds what cutting remembers between calls.
    let maintenance = Mutex(CutState())
    /// Serializes compactions. Separate from ``maintenance`` so a long merge
    /// never delays a cut: the head's memory depends on cuts.
    let compaction = Mutex(())
    /// Set to make a running compaction stop at the next series (shutdown).
    let compactionCancelled = Atomic(false)
    let planner: CompactionPlanner
    let metrics = StoreMetrics()

    /// Opens the blocks in `dataDirectory`, quarantining any that cannot be read,
    /// and creates the head on `wal` (replay it before serving).
    public init(dataDirectory: String, options: StoreOptions = StoreOptions(), wal: WAL?, logger: Logger) throws {
        self.dataDirectory = dataDirectory
        self.options = options
        self.logger = logger
        var headOptions = options.head
        headOptions.chunkRange = options.blockRange
        self.head = Head(options: headOptions, wal: wal, logger: logger)
        self.planner = CompactionPlanner(
            ranges: options.compactionRanges
                ?? CompactionPlanner.ranges(blockRange: options.blockRange, retention: options.retention))
        let blocks = try BlockOpener(dataDirectory: dataDirectory, logger: logger).openAll()
        changeView { $0.blocks = blocks }
    }

    /// Changes what queries see, atomically to them, and keeps the block gauge current.
    @discardableResult
    func changeView<T>(_ change: (inout View) throws -> T) rethrows -> T {
        try view.write { v in
            defer { metrics.blocks.record(v.blocks.count) }
            return try change(&v)
        }
    }

    /// Takes a block found damaged after start-up out of service: queries stop
    /// reading it at once, and its directory moves to `quarantine/`. Does
    /// nothing if another thread got there first, or retention deleted it.
    func takeOutOfService(_ block: BlockReader, reason: String) {
        let removed = changeView { v in
            let before = v.blocks.count
            v.blocks.removeAll { $0 === block }
            return v.blocks.count < before
        }
        guard removed else { return }
        metrics.blocksQuarantined.increment()
        do {
            try Quarantine(dataDirectory: dataDirectory, logger: logger).moveBlock(block.directory, reason: reason)
        } catch {
            logger.error(
                "cannot move a corrupt block to quarantine; it is out of service until restart",
                metadata: ["block": "\(block.directory)", "error": "\(error)"])
        }
    }

    /// Runs `body` on `block`; when it reports the block damaged, takes the
    /// block out of service before passing the error on, so the query fails
    /// once with the path and offset and later ones do without the block.
    func reading<T>(_ block: BlockReader, _ body: (BlockReader) throws -> T) throws -> T {
        do {
            return try body(block)
        } catch let error as StorageError where error.code == .corruption {
            takeOutOfService(block, reason: error.message)
            throw error
        }
    }

    /// The published blocks' metadata, oldest first.
    public var blocks: [BlockMeta] { view.read { $0.blocks.map(\.meta) } }
}

extension Store: Appender {
    /// Appends to the head (WAL first); see ``Head/append(_:)``.
    public func append(_ batch: SampleBatch) throws -> AppendOutcome { try head.append(batch) }
}

extension Store: Querier {
    public func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext) throws
        -> [StoredSeries]
    {
        let (headSeries, frozen, blocks) = try view.read { v in
            (try head.select(matchers, mint: mint, maxt: maxt, context: context), v.frozen, v.blocks)
        }
        var parts: [[StoredSeries]] = [headSeries]
        for f in frozen { parts.append(try f.select(matchers, mint: mint, maxt: maxt, context: context)) }
        for b in blocks where b.meta.overlaps(mint: mint, maxt: maxt) {
            parts.append(try reading(b) { try $0.select(matchers, mint: mint, maxt: maxt, context: context) })
        }
        return Self.merge(parts)
    }

    public func labelNames(matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext)
        throws -> [String]
    {
        try union { try $0.labelNames(matching: matchers, mint: mint, maxt: maxt, context: context) }
    }

    public func labelValues(
        _ name: String, matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext
    ) throws -> [String] {
        try union { try $0.labelValues(name, matching: matchers, mint: mint, maxt: maxt, context: context) }
    }

    private func union(_ body: (any Querier) throws -> [String]) throws -> [String] {
        let (inMemory, blocks): ([any Querier], [BlockReader]) = view.read { v in ([head] + v.frozen, v.blocks) }
        var all = Set<String>()
        for source in inMemory { all.formUnion(try body(source)) }
        for block in blocks { all.formUnion(try reading(block, body)) }
        return all.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Merges per-source results (each sorted by labels) into one list sorted by
    /// labels; a series found in several sources reads them all, one sample per
    /// timestamp, the earlier source winning (the head, then newer data).
    static func merge(_ parts: [[StoredSeries]]) -> [StoredSeries] {
        let nonEmpty = parts.filter { !$0.isEmpty }
        if nonEmpty.count <= 1 { return nonEmpty.first ?? [] }
        var bySeries: [Labels: [StoredSeries]] = [:]
        for part in nonEmpty {
            for s in part { bySeries[s.labels, default: []].append(s) }
        }
        var merged = bySeries.map { labels, sources -> StoredSeries in
            if sources.count == 1 { return sources[0] }
            let bounds = sources.compactMap(\.sampleBound)
            let bound = bounds.count == sources.count ? bounds.reduce(0, +) : nil
            return StoredSeries(labels: labels, sampleBound: bound) {
                MergingSampleIterator(sources.map { $0.makeIterator() })
            }
        }
        merged.sort { $0.labels < $1.labels }
        return merged
    }
}
