import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension WAL {
    /// Encodes `record` into the in-memory buffer and returns the position to
    /// ``commit(through:)`` before acknowledging the write.
    ///
    /// No system call and, once the buffer has grown to its working size, no
    /// allocation: the cost is the encoding (about 10 bytes and a few
    /// nanoseconds per sample) and a CRC of the payload, under a lock that
    /// only appenders and the swap at each commit take.
    ///
    /// Records appended after ``close()`` are dropped; committing them throws.
    public func append(_ record: WALRecord) -> WALPosition {
        pending.withLock { p in
            guard !p.isClosed else { return WALPosition(offset: p.end + 1) }
            let start = p.bytes.count
            let frameSize = WALFrame.append(record, to: &p.bytes)
            if p.segmentFill > 0 && p.segmentFill + frameSize > segmentSize {
                p.segmentBreaks.append(start)
                p.segment += 1
                p.segmentFill = 0
            }
            p.segmentFill += frameSize
            p.end += UInt64(frameSize)
            return WALPosition(offset: p.end)
        }
    }

    /// Returns once every record up to `position` has been handed to the
    /// kernel, after which killing the process cannot lose it (not `fsync`:
    /// see ``sync()``).
    ///
    /// Group commit: the first caller in writes everything buffered so far,
    /// its own records and those of every appender before it, in one `write`
    /// per segment touched; callers queued behind it usually find their
    /// position already written and return without a system call.
    ///
    /// A failed write is truncated off the segment and its bytes kept for the
    /// next commit to retry, so a full disk is an error the sender retries,
    /// not a hole in the log.
    public func commit(through position: WALPosition) throws(StorageError) {
        try writer.withLock { (w) throws(StorageError) -> Void in
            if let failure = w.failure { throw failure }
            if w.writtenThrough >= position.offset { return }
            if w.isClosed { throw StorageError(.closed, "WAL \(directory) is closed") }
            try flush(&w)
        }
    }

    /// Writes everything pending. Called with the writer lock held.
    ///
    /// Takes the pending bytes by swapping buffers (appenders carry on into
    /// the other one while this writes), then writes them range by range,
    /// opening a new segment at each break.
    func flush(_ w: inout WriterState) throws(StorageError) {
        let end = pending.withLock { p in
            swap(&p.bytes, &w.spare)
            swap(&p.segmentBreaks, &w.spareBreaks)
            return p.end
        }
        let start = end - UInt64(w.spare.count)
        var done = 0
        var breakIndex = 0
        do throws(StorageError) {
            while true {
                let rangeEnd = breakIndex < w.spareBreaks.count ? w.spareBreaks[breakIndex] : w.spare.count
                if rangeEnd > done {
                    try writeRange(done..<rangeEnd, of: &w)
                    done = rangeEnd
                    w.writtenThrough = start + UInt64(done)
                }
                guard breakIndex < w.spareBreaks.count else { break }
                try openNextSegment(&w)
                breakIndex += 1
            }
        } catch {
            // Put back what did not reach the file, ahead of anything appended
            // meanwhile, so that the next commit retries it in order.
            let unwrittenBytes = Array(w.spare[done...])
            let unwrittenBreaks = w.spareBreaks[breakIndex...].map { $0 - done }
            pending.withLock { p in
                p.bytes.insert(contentsOf: unwrittenBytes, at: 0)
                p.segmentBreaks = unwrittenBreaks + p.segmentBreaks.map { $0 + unwrittenBytes.count }
            }
            w.spare.removeAll(keepingCapacity: true)
            w.spareBreaks.removeAll(keepingCapacity: true)
            throw error
        }
        // Keep the buffer for the next swap, unless a burst made it huge.
        w.spare.removeAll(keepingCapacity: w.spare.capacity <= Self.retainedBufferCapacity)
        w.spareBreaks.removeAll(keepingCapacity: true)
    }

    /// The largest commit buffer kept between commits; a larger one (from a
    /// burst of appends nobody committed for a while) is given back.
    static var retainedBufferCapacity: Int { 16 << 20 }

    /// Writes `range` of the swapped-out buffer to the open segment, undoing
    /// a partial write on failure.
    private func writeRange(_ range: Range<Int>, of w: inout WriterState) throws(StorageError) {
        let fd = w.fd
        let segment = w.segment
        do throws(StorageError) {
            // The path is built only for an error message: no allocation per commit.
            try WALFiles.writeAll(fd, w.spare, range, path: self.segmentPath(segment))
        } catch {
            let path = segmentPath(segment)
            // A prefix of the range may be in the file. Cut it off so the
            // segment ends at a record boundary; if even that fails, the
            // segment has a torn record in its middle and the log must stop.
            if ftruncate(fd, off_t(w.segmentBytes)) != 0 {
                w.failure = StorageError(
                    .io, "WAL: write to \(path) failed and could not be undone; the log refuses further writes",
                    cause: error)
                throw w.failure!
            }
            throw error
        }
        w.segmentBytes += range.count
    }

    /// Finishes the open segment and creates the next one. The finished
    /// segment keeps its descriptor until the next ``sync()`` fsyncs it.
    func openNextSegment(_ w: inout WriterState) throws(StorageError) {
        let next = w.segment + 1
        let fd = try WALFiles.openForWriting(segmentPath(next), exclusive: true)
        w.unsynced.append(w.fd)
        w.fd = fd
        w.segment = next
        w.segmentBytes = 0
        w.directoryDirty = true
        logger.debug("WAL: started segment \(segmentPath(next))")
    }

    func segmentPath(_ index: Int) -> String {
        WALFiles.join(directory, WALFiles.segmentName(index))
    }
}
