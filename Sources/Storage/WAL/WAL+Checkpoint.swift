#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension WAL {
    /// Replaces every segment before `index` with a checkpoint: the records
    /// that `write` emits, which must hold everything those segments did that
    /// the head still needs (its series, and its chunks instead of their
    /// samples).
    ///
    /// Crash-safe at every step: the records go to `checkpoint.N.tmp/`, which
    /// is fsynced and then renamed to `checkpoint.N` (the rename is the
    /// commit point), and only after the directory is fsynced are the old
    /// segments and checkpoints deleted. A crash before the rename leaves the
    /// old state, whose `.tmp` the next open deletes; a crash after it leaves
    /// a checkpoint that replay prefers, and leftovers that open deletes.
    ///
    /// Appends and commits carry on while this runs; it holds no lock they
    /// need. The usual call, from the head:
    ///
    /// ```swift
    /// let n = try wal.cut()
    /// try wal.writeCheckpoint(coveringSegmentsBefore: n) { emit in
    ///     try emit(.series(liveSeries))
    ///     try emit(.chunks(headChunks))
    /// }
    /// ```
    ///
    /// Records in segments at or after `index` may repeat what the checkpoint
    /// holds; replay returns both and the head skips duplicates.
    /// - Parameter index: at most ``currentSegment`` (segments being written
    ///   are never deleted), and above the newest existing checkpoint.
    public func writeCheckpoint(
        coveringSegmentsBefore index: Int,
        _ write: (_ emit: (WALRecord) throws -> Void) throws -> Void
    ) throws(StorageError) {
        try checkpointLock.withLock { (_) throws(StorageError) -> Void in
            let current = currentSegment
            guard index <= current else {
                throw StorageError(
                    .io,
                    "WAL checkpoint cannot cover segments before \(index): segment \(current) is still open; cut() first"
                )
            }
            let listing = try WALFiles.listing(of: directory)
            if let newest = listing.newestCheckpoint, newest >= index {
                throw StorageError(
                    .io, "WAL checkpoint \(index) is not newer than the existing checkpoint \(newest); cut() first")
            }
            let started = ContinuousClock.now
            let temporary = WALFiles.join(directory, WALFiles.temporaryCheckpointName(index))
            let final = WALFiles.join(directory, WALFiles.checkpointName(index))
            var out = WALCheckpointWriter(directory: temporary, segmentSize: segmentSize)
            do {
                try WALFiles.remove(temporary)
                try WALFiles.makeDirectories(temporary)
                try write { record in try out.append(record) }
                try out.finish()
                try WALFiles.syncDirectory(temporary)
                guard rename(temporary, final) == 0 else {
                    throw WALFiles.error("cannot rename to \(final):", temporary)
                }
                try WALFiles.syncDirectory(directory)
            } catch {
                out.abandon()
                try? WALFiles.remove(temporary)
                if let error = error as? StorageError { throw error }
                throw StorageError(.io, "WAL checkpoint \(index): the head's writer failed", cause: error)
            }
            deleteObsolete(before: index, listing: listing)
            logger.info(
                "WAL checkpoint written",
                metadata: [
                    "checkpoint": "\(final)", "records": "\(out.records)", "bytes": "\(out.bytes)",
                    "duration": "\(ContinuousClock.now - started)",
                ])
        }
    }

    /// Deletes the segments and checkpoints a new checkpoint replaced. The
    /// checkpoint is already in force, so a failure here is only a warning:
    /// replay ignores these files, and the next open deletes them.
    private func deleteObsolete(before index: Int, listing: WALFiles.Listing) {
        var paths = listing.segments.filter { $0 < index }.map { segmentPath($0) }
        paths += listing.checkpoints.filter { $0 < index }.map { WALFiles.join(directory, WALFiles.checkpointName($0)) }
        for path in paths {
            do { try WALFiles.remove(path) } catch { logger.warning("WAL: \(error)") }
        }
        if !paths.isEmpty {
            do { try WALFiles.syncDirectory(directory) } catch { logger.warning("WAL: \(error)") }
        }
    }
}
