import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension WAL {
    /// Writes what is buffered, finishes the open segment and starts the next
    /// one; returns the new segment's index. Records appended after `cut()`
    /// returns go to that segment or later ones, so a checkpoint of the head
    /// taken after it may cover every segment before the returned index.
    public func cut() throws(StorageError) -> Int {
        try writer.withLock { (w) throws(StorageError) -> Int in
            if let failure = w.failure { throw failure }
            if w.isClosed { throw StorageError(.closed, "WAL \(directory) is closed") }
            let next = pending.withLock { p in
                p.segmentBreaks.append(p.bytes.count)
                p.segment += 1
                p.segmentFill = 0
                return p.segment
            }
            try flush(&w)
            return next
        }
    }

    /// Writes what is buffered and fsyncs every segment written since the
    /// last call (and the directory, when segments were created), so that the
    /// log survives a power failure, not only a crash of the process.
    ///
    /// The fsyncs run outside the writer lock, on duplicated descriptors:
    /// commits carry on while the disk catches up. A failed fsync is final
    /// (the kernel may already have dropped the dirty pages), so it makes
    /// every later commit throw too.
    public func sync() throws(StorageError) {
        let (fd, finished, directoryDirty) = try writer.withLock {
            (w) throws(StorageError) -> (Int32, [Int32], Bool) in
            if let failure = w.failure { throw failure }
            if w.isClosed { throw StorageError(.closed, "WAL \(directory) is closed") }
            try flush(&w)
            let fd = dup(w.fd)
            guard fd >= 0 else { throw WALFiles.error("cannot dup descriptor of", segmentPath(w.segment)) }
            defer {
                w.unsynced.removeAll()
                w.directoryDirty = false
            }
            return (fd, w.unsynced, w.directoryDirty)
        }
        var failure: StorageError?
        for old in finished {
            if fsync(old) != 0 && failure == nil {
                failure = WALFiles.error("cannot fsync a finished segment in", directory)
            }
            systemClose(old)
        }
        if fsync(fd) != 0 && failure == nil { failure = WALFiles.error("cannot fsync the open segment in", directory) }
        systemClose(fd)
        if directoryDirty && failure == nil {
            do throws(StorageError) { try WALFiles.syncDirectory(directory) } catch { failure = error }
        }
        if let failure {
            writer.withLock { w in if w.failure == nil { w.failure = failure } }
            throw failure
        }
    }

    /// Writes what is buffered, fsyncs and closes the log. Later commits
    /// throw `StorageError.Code.closed`; closing twice does nothing.
    public func close() throws(StorageError) {
        try writer.withLock { (w) throws(StorageError) -> Void in
            guard !w.isClosed else { return }
            var failure = w.failure
            if failure == nil {
                do throws(StorageError) { try flush(&w) } catch { failure = error }
            }
            pending.withLock { $0.isClosed = true }
            for old in w.unsynced {
                if fsync(old) != 0 && failure == nil {
                    failure = WALFiles.error("cannot fsync a finished segment in", directory)
                }
                systemClose(old)
            }
            w.unsynced = []
            if fsync(w.fd) != 0 && failure == nil { failure = WALFiles.error("cannot fsync", segmentPath(w.segment)) }
            systemClose(w.fd)
            w.isClosed = true
            if failure == nil {
                do throws(StorageError) { try WALFiles.syncDirectory(directory) } catch { failure = error }
            }
            if let failure { throw failure }
            logger.info("WAL closed", metadata: ["directory": "\(directory)", "segment": "\(w.segment)"])
        }
    }

    /// The segment that commits are writing to.
    public var currentSegment: Int {
        writer.withLock { $0.segment }
    }

    /// The first and last segment indexes on disk (not counting the
    /// checkpoint's own files); nil when the directory cannot be listed.
    /// - Complexity: lists the directory.
    public var segmentRange: ClosedRange<Int>? {
        guard let segments = try? WALFiles.listing(of: directory).segments,
            let first = segments.first, let last = segments.last
        else { return nil }
        return first...last
    }

    /// Bytes on disk under the log directory: segments and checkpoint.
    /// - Complexity: stats every file.
    public var diskBytes: Int64 {
        WALFiles.treeSize(directory)
    }
}
