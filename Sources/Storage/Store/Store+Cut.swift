import Logging
import MeridianModel

extension Store {
    /// Cuts the oldest block range out of the head while the head spans more
    /// than one and a half block ranges (as Prometheus does), so a block is
    /// written once its range can no longer receive in-order samples.
    /// - Returns: the blocks written.
    @discardableResult
    public func cutBlocksIfNeeded() throws -> [BlockMeta] {
        try maintenance.withLock { _ in
            var written: [BlockMeta] = []
            while let range = head.timeRange, range.upperBound - range.lowerBound > options.blockRange * 3 / 2 {
                let boundary = (floorDiv(range.lowerBound, options.blockRange) + 1) * options.blockRange
                written += try persist(before: boundary)
            }
            return written
        }
    }

    /// Persists everything in the head into blocks now (`POST /api/v1/admin/flush`).
    /// - Returns: the blocks written.
    @discardableResult
    public func flush() throws -> [BlockMeta] {
        try maintenance.withLock { _ in
            guard let range = head.timeRange else { return [] }
            return try persist(before: range.upperBound &+ 1)
        }
    }

    /// Freezes the head before `boundary`, writes the frozen samples as one block
    /// per block range they cover, publishes the blocks, and checkpoints the WAL
    /// so it no longer carries them. Called with the maintenance lock held.
    ///
    /// Crash safety: until the checkpoint, the WAL still holds every frozen
    /// sample, so a crash at any step loses nothing (a replay may put some of
    /// them back in the head; reads and compaction keep one per timestamp).
    private func persist(before boundary: Timestamp) throws -> [BlockMeta] {
        let started = ContinuousClock.now
        let frozen = view.write { v -> FrozenHead in
            let part = head.freeze(before: boundary)
            v.frozen.append(part)
            return part
        }
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
            // The frozen part stays visible, and the WAL (not checkpointed) still
            // holds its samples, so nothing is lost; but nothing retries it before
            // a restart, whose replay puts the samples back in the head.
            logger.error("writing a block failed", metadata: ["error": "\(error)"])
            throw error
        }
        view.write { v in
            v.blocks.append(contentsOf: readers)
            v.blocks.sort(by: BlockReader.byTime)
            v.frozen.removeAll { $0 === frozen }
        }
        try head.checkpoint()
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
