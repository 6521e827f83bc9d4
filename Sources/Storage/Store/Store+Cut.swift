import Logging
import MeridianModel

/// What cutting remembers between calls.
struct CutState {
    /// The newest boundary cut so far: head data older than it is backfill (a
    /// center's backlog, late out-of-order samples). Starts at the newest
    /// block's end, once blocks are known.
    var boundary: Timestamp?
    /// When backfill was last written into blocks.
    var lastBackfillCut: ContinuousClock.Instant?
}

extension Store {
    /// Cuts the oldest block range out of the head while the head's data
    /// newer than the last cut spans more than one and a half block ranges (as
    /// Prometheus does), so a block is written once its range can no longer
    /// receive in-order samples.
    ///
    /// Backfill, head data older than the last cut (a center replaying hours
    /// of backlog), is gathered and written at most once per
    /// ``StoreOptions/backfillCutInterval``, rather than every time a request
    /// of it arrives: each cut writes blocks and checkpoints the whole head,
    /// so cutting a backlog request by request would make a block per request
    /// and a checkpoint per second. Blocks it overlaps are merged by compaction.
    /// - Returns: the blocks written.
    @discardableResult
    public func cutBlocksIfNeeded(now: ContinuousClock.Instant = .now) throws -> [BlockMeta] {
        try maintenance.withLock { state in
            var written: [BlockMeta] = []
            if view.read({ !$0.frozen.isEmpty }) { written += try persist(before: nil) }
            if state.boundary == nil, let newest = view.read({ $0.blocks.map(\.meta.maxTime).max() }) {
                state.boundary = floorDiv(newest, options.blockRange) * options.blockRange
            }
            while let range = head.timeRange {
                let start = max(range.lowerBound, state.boundary ?? .min)
                guard range.upperBound - start > options.blockRange * 3 / 2 else { break }
                let boundary = (floorDiv(start, options.blockRange) + 1) * options.blockRange
                written += try persist(before: boundary)
                state.boundary = max(state.boundary ?? .min, boundary)
            }
            if let boundary = state.boundary, let range = head.timeRange, range.lowerBound < boundary,
                state.lastBackfillCut.map({ now - $0 >= options.backfillCutInterval }) ?? true
            {
                written += try persist(before: boundary)
                state.lastBackfillCut = now
            }
            return written
        }
    }

    /// Persists everything in the head into blocks now (`POST /api/v1/admin/flush`).
    /// - Returns: the blocks written.
    @discardableResult
    public func flush() throws -> [BlockMeta] {
        try maintenance.withLock { _ in
            try persist(before: head.timeRange.map { $0.upperBound &+ 1 })
        }
    }

    /// Checkpoints the WAL (``Head/checkpoint()``), unless head data frozen for
    /// a block is still unwritten: the checkpoint holds only the head, so it
    /// would drop the only durable copy of those samples. The next successful
    /// cut checkpoints instead.
    public func checkpoint() throws {
        try maintenance.withLock { _ in
            guard view.read({ $0.frozen.isEmpty }) else {
                logger.warning("WAL checkpoint postponed: head data waits to be written into a block")
                return
            }
            try head.checkpoint()
        }
    }

    /// Writes any frozen part a failed write left behind, then freezes the
    /// head before `boundary` (nil: nothing new) and writes that; publishes
    /// the blocks, and checkpoints the WAL so it no longer carries them.
    /// Called with the maintenance lock held.
    ///
    /// Crash safety: until the checkpoint, the WAL still holds every frozen
    /// sample, so a crash at any step loses nothing (a replay may put some of
    /// them back in the head; reads and compaction keep one per timestamp).
    /// A failed write (a full disk, say) leaves its frozen part visible and
    /// unpublished, the WAL is not checkpointed, and the next cut or flush
    /// retries it.
    private func persist(before boundary: Timestamp?) throws -> [BlockMeta] {
        var written: [BlockMeta] = []
        for leftover in view.read({ $0.frozen }) {
            logger.info(
                "retrying head data whose block write failed",
                metadata: ["range": "\(leftover.timeRange.map { "\($0)" } ?? "empty")"])
            written += try write(leftover)
        }
        if let boundary {
            let frozen = changeView { v -> FrozenHead in
                let part = head.freeze(before: boundary)
                v.frozen.append(part)
                return part
            }
            written += try write(frozen)
        }
        if !written.isEmpty {
            try head.checkpoint()
            releaseFreedMemory()
        }
        return written
    }

    /// Writes a frozen part as one block per block range it covers, then
    /// publishes the blocks in its place.
    private func write(_ frozen: FrozenHead) throws -> [BlockMeta] {
        let started = ContinuousClock.now
        var readers: [BlockReader] = []
        do {
            if let range = frozen.timeRange {
                var start = floorDiv(range.lowerBound, options.blockRange) * options.blockRange
                while start <= range.upperBound {
                    if let reader = try writeBlock(frozen, from: start, to: start + options.blockRange) {
                        readers.append(reader)
                    }
                    start += options.blockRange
                }
            }
        } catch {
            logger.error(
                "writing a block failed; its samples stay in memory and in the WAL, and the next cut retries",
                metadata: ["error": "\(error)"])
            for reader in readers { try? BlockDirectory.remove(id: reader.meta.id, dataDir: dataDirectory) }
            throw error
        }
        changeView { v in
            v.blocks.append(contentsOf: readers)
            v.blocks.sort(by: BlockReader.byTime)
            v.frozen.removeAll { $0 === frozen }
        }
        metrics.blocksWritten.increment(by: readers.count)
        for reader in readers {
            logger.info(
                "block written",
                metadata: [
                    "block": "\(reader.meta.id)", "min_time": "\(reader.meta.minTime)", "max_time": "\(reader.meta.maxTime)",
                    "series": "\(reader.meta.stats.series)", "samples": "\(reader.meta.stats.samples)",
                    "duration": "\(ContinuousClock.now - started)",
                ])
        }
        return readers.map(\.meta)
    }

    /// Writes the frozen samples in `[mint, maxt)` as one block; nil when there are none.
    private func writeBlock(_ frozen: FrozenHead, from mint: Timestamp, to maxt: Timestamp) throws -> BlockReader? {
        // The writer is created at the first series, so an empty range writes nothing.
        var writer: BlockWriter?
        try frozen.forEachSeries(from: mint, to: maxt) { labels, timestamps, values in
            if writer == nil {
                writer = try BlockWriter(
                    parentDirectory: BlockDirectory.path(dataDir: dataDirectory), minTime: mint, maxTime: maxt,
                    logger: logger)
            }
            try writer!.add(labels: labels, timestamps: timestamps, values: values)
        }
        guard let meta = try writer?.finish() else { return nil }
        return try BlockReader(directory: BlockDirectory.path(dataDir: dataDirectory, id: meta.id), logger: logger)
    }
}
