extension BlockWriter {
    /// Writes the index and `meta.json`, and makes the block visible
    /// atomically (see the type's documentation). A block without series is
    /// valid and is written too; whether to keep it is the caller's call.
    ///
    /// Throws `.io` when a file cannot be written, synced or renamed; the
    /// `.tmp` directory is then deleted when the writer is dropped, and no
    /// block is visible — except when only the final fsync of the parent
    /// directory fails: the block is then complete and visible, but its
    /// name may not survive a power failure.
    /// - Complexity: O(series × labels + symbols × log symbols).
    @discardableResult
    public func finish() throws(StorageError) -> BlockMeta {
        guard state == .open, let chunkFile else {
            throw StorageError(.closed, "block: writer for \(temporaryDirectory) is finished or failed")
        }
        do throws(StorageError) {
            try chunkFile.finish()
            let indexFile = try BlockFileWriter(path: BlockFiles.join(temporaryDirectory, "index"))
            try index.write(to: indexFile, columns: columns.entries)
            try indexFile.finish()
            let meta = BlockMeta(
                id: id, minTime: minTime, maxTime: maxTime,
                stats: .init(
                    series: index.seriesCount, samples: samples, chunks: chunkCount,
                    timestampColumns: columns.entries.count),
                compaction: .init(level: level, sources: sources, parents: parents))
            try BlockFiles.writeFile(BlockFiles.join(temporaryDirectory, "meta.json"), meta.encoded())
            try BlockFiles.syncDirectory(temporaryDirectory)
            try BlockFiles.rename(temporaryDirectory, finalDirectory)
            state = .finished
            try BlockFiles.syncDirectory(parentDirectory)
            logger.debug(
                "block written",
                metadata: [
                    "id": "\(id)", "minTime": "\(minTime)", "maxTime": "\(maxTime)",
                    "series": "\(meta.stats.series)", "samples": "\(samples)", "chunks": "\(chunkCount)",
                    "timestampColumns": "\(columns.entries.count)",
                ])
            return meta
        } catch {
            if state != .finished { state = .failed }
            throw error
        }
    }
}
