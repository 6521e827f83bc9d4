import Logging
import MeridianModel

extension Store {
    /// Merges blocks as ``CompactionPlanner`` says, one group at a time, until
    /// nothing is left to merge. Runs beside appends, queries and cuts.
    ///
    /// Each merge writes a new block (atomically, as every block), then swaps
    /// it for its parents in one step of the view lock, so a query sees either
    /// the parents or the merged block, each sample once; the parents'
    /// directories are deleted after. Crash safety: until the new block's
    /// rename, the parents are the data; after it, start-up deletes any parent
    /// the merged block names (``BlockMeta/Compaction/parents``).
    ///
    /// A parent found damaged is taken out of service (to `quarantine/`) and
    /// planning goes on without it.
    /// - Returns: the blocks made (those finished before a
    ///   ``cancelCompaction()``, which stops the merge under way).
    /// - Throws: when a block cannot be written (`.io`); the parents stay in
    ///   service.
    @discardableResult
    public func compact() throws -> [BlockMeta] {
        try compaction.withLock { _ in
            var made: [BlockMeta] = []
            while !compactionCancelled.load(ordering: .relaxed),
                let group = planner.plan(view.read { $0.blocks.map(\.meta) })
            {
                if let meta = try merge(group) { made.append(meta) }
            }
            if !made.isEmpty { releaseFreedMemory() }
            return made
        }
    }

    /// Makes a running ``compact()`` stop at the next series, leaving the
    /// blocks as they were, and later calls do nothing (shutdown).
    public func cancelCompaction() {
        compactionCancelled.store(true, ordering: .relaxed)
    }

    /// Merges the blocks `group` names into one block over their combined
    /// range. Nil when the group changed meanwhile (a parent was deleted by
    /// retention or found damaged), and nothing was published.
    private func merge(_ group: [BlockMeta]) throws -> BlockMeta? {
        let current = view.read { $0.blocks }
        let parents = group.compactMap { meta in current.first { $0.meta.id == meta.id } }
        guard parents.count == group.count else { return nil }
        let started = ContinuousClock.now
        metrics.compactionRunning.record(1)
        defer { metrics.compactionRunning.record(0) }
        let progress = CompactionProgress(parents: group, logger: logger)
        progress.started()
        do {
            let merged = try writeMerged(parents, progress: progress)
            guard publish(merged, replacing: parents) else {
                try BlockDirectory.remove(id: merged.meta.id, dataDir: dataDirectory)
                logger.info("compaction discarded: its blocks changed meanwhile", metadata: ["block": "\(merged.meta.id)"])
                return nil
            }
            for parent in parents {
                do {
                    try BlockDirectory.remove(id: parent.meta.id, dataDir: dataDirectory)
                } catch {
                    // Start-up deletes it: the merged block names it as a parent.
                    logger.warning(
                        "cannot delete a merged block now; it goes at the next start",
                        metadata: ["block": "\(parent.meta.id)", "error": "\(error)"])
                }
            }
            let elapsed = ContinuousClock.now - started
            metrics.compactions.increment()
            metrics.compactedSamples.increment(by: merged.meta.stats.samples)
            metrics.compactionDuration.recordNanoseconds(elapsed.nanoseconds)
            progress.finished(merged.meta, duration: elapsed)
            return merged.meta
        } catch let error as StorageError where error.code == .closed && compactionCancelled.load(ordering: .relaxed) {
            logger.info("compaction stopped for shutdown; the blocks stay as they were")
            return nil
        } catch let failure as BlockReadError where failure.error.code == .corruption {
            metrics.compactionsFailed.increment()
            takeOutOfService(failure.block, reason: failure.error.message)
            return nil
        } catch let failure as BlockReadError {
            metrics.compactionsFailed.increment()
            throw failure.error
        } catch {
            metrics.compactionsFailed.increment()
            throw error
        }
    }

    /// Writes the merged block and opens it (not yet published).
    private func writeMerged(_ parents: [BlockReader], progress: CompactionProgress) throws -> BlockReader {
        let metas = parents.map(\.meta)
        let writer = try BlockWriter(
            parentDirectory: BlockDirectory.path(dataDir: dataDirectory),
            minTime: metas.map(\.minTime).min()!, maxTime: metas.map(\.maxTime).max()!,
            level: metas.map(\.compaction.level).max()! + 1,
            sources: Array(Set(metas.flatMap(\.compaction.sources))).sorted(), parents: metas.map(\.id),
            logger: logger)
        var cursor = try MergedSeriesCursor(parents)
        while let series = try cursor.next() {
            if compactionCancelled.load(ordering: .relaxed) {
                throw StorageError(.closed, "compaction cancelled: shutting down")
            }
            try writer.add(labels: series.labels, timestamps: series.timestamps, values: series.values)
            progress.wrote(samples: series.timestamps.count)
        }
        let meta = try writer.finish()
        return try BlockReader(directory: BlockDirectory.path(dataDir: dataDirectory, id: meta.id), logger: logger)
    }

    /// Swaps `merged` in for `parents` in one step, if every parent is still
    /// in service.
    private func publish(_ merged: BlockReader, replacing parents: [BlockReader]) -> Bool {
        changeView { v in
            guard parents.allSatisfy({ p in v.blocks.contains { $0 === p } }) else { return false }
            v.blocks.removeAll { b in parents.contains { $0 === b } }
            v.blocks.append(merged)
            v.blocks.sort(by: BlockReader.byTime)
            return true
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
