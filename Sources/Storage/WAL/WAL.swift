import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The write-ahead log: every sample is in it before its write is
/// acknowledged, so a restart after `kill -9` loses no acknowledged sample.
///
/// Writers ``append(_:)`` a record (encoded into memory, no system call) and
/// then ``commit(through:)`` its position, which hands everything buffered so
/// far to the kernel in one `write` — many concurrent appenders share that
/// call (group commit). Once in the page cache the bytes survive the death of
/// the process; ``sync()`` (periodic) makes them survive the machine's.
///
/// On disk (docs/format/wal.md): numbered segment files `00000000`,
/// `00000001`, … of framed records, and at most one `checkpoint.NNNNNNNN`
/// directory holding the state of every segment before `NNNNNNNN`.
///
/// Two locks, always taken in this order: `writer` (file descriptors, one
/// committer at a time) then `pending` (the in-memory buffer). Appenders take
/// only `pending`, so they never wait for a `write` system call.
public final class WAL: Sendable {
    /// The directory of segments and checkpoints.
    public let directory: String
    /// The size past which the next record starts a new segment.
    public let segmentSize: Int
    let logger: Logger
    let pending: Mutex<PendingState>
    let writer: Mutex<WriterState>
    /// Held for the whole of a checkpoint so that two never interleave.
    let checkpointLock = Mutex<Void>(())

    /// Records appended but not yet written, as one byte buffer.
    struct PendingState: ~Copyable {
        /// Framed records, in append order.
        var bytes: [UInt8] = []
        /// Offsets in `bytes` where a new segment starts (records never
        /// straddle segments; ``cut()`` adds one too).
        var segmentBreaks: [Int] = []
        /// Position of the end of `bytes`.
        var end: UInt64 = 0
        /// The segment the next record goes to, and its bytes so far
        /// (written and buffered).
        var segment: Int
        var segmentFill: Int = 0
        var isClosed = false
    }

    /// The open segment and what has reached it.
    struct WriterState: ~Copyable {
        var fd: Int32
        var segment: Int
        /// Bytes written to the open segment; a failed write is truncated back to it.
        var segmentBytes: Int
        /// Everything before this position has been written.
        var writtenThrough: UInt64 = 0
        /// The buffer swapped with `PendingState.bytes` at each commit, kept so
        /// that steady-state commits allocate nothing.
        var spare: [UInt8] = []
        var spareBreaks: [Int] = []
        /// Finished segments still to be fsynced (by the next `sync()`), so
        /// that moving to a new segment never stalls a commit on `fsync`.
        var unsynced: [Int32] = []
        /// A segment was created since the last directory fsync.
        var directoryDirty = false
        /// Set when the log can no longer promise durability (a failed fsync,
        /// a failed write that could not be undone); every later commit throws it.
        var failure: StorageError?
        var isClosed = false
    }

    /// Opens the log in `directory`, creating it when missing.
    ///
    /// Cleans up after a crash first: deletes a half-written checkpoint
    /// (`checkpoint.N.tmp`), segments and checkpoints that a finished
    /// checkpoint replaced, and a torn record at the end of the newest
    /// segment. Appends then go to a new segment after the newest one (or to
    /// the newest one when it is empty), never after bytes of a previous run.
    ///
    /// Call ``replay(directory:logger:onRecord:)`` before or after; it reads
    /// only complete files, so the order does not matter.
    /// - Parameter segmentSize: a segment is closed once the next record would
    ///   take it past this many bytes (a single larger record gets a segment of
    ///   its own).
    public init(directory: String, segmentSize: Int = 64 << 20, logger: Logger) throws(StorageError) {
        precondition(segmentSize > 0, "segmentSize must be positive")
        self.directory = directory
        self.segmentSize = segmentSize
        self.logger = logger

        try WALFiles.makeDirectories(directory)
        var listing = try WALFiles.listing(of: directory)
        try Self.removeLeftovers(&listing, in: directory, logger: logger)

        var segment = listing.newestCheckpoint ?? 0
        var fd: Int32
        if let last = listing.segments.last,
            try Self.repairTail(of: WALFiles.join(directory, WALFiles.segmentName(last)), logger: logger) == 0
        {
            segment = last
            fd = try WALFiles.openForWriting(WALFiles.join(directory, WALFiles.segmentName(last)), exclusive: false)
        } else {
            if let last = listing.segments.last { segment = max(segment, last + 1) }
            fd = try WALFiles.openForWriting(WALFiles.join(directory, WALFiles.segmentName(segment)), exclusive: true)
        }
        do {
            try WALFiles.syncDirectory(directory)
        } catch {
            systemClose(fd)
            throw error
        }
        pending = Mutex(PendingState(segment: segment))
        writer = Mutex(WriterState(fd: fd, segment: segment, segmentBytes: 0))
        logger.info(
            "WAL opened",
            metadata: [
                "directory": "\(directory)", "segment": "\(segment)",
                "checkpoint": "\(listing.newestCheckpoint.map(String.init) ?? "none")",
            ])
    }

    deinit {
        writer.withLock { w in
            guard !w.isClosed else { return }
            for fd in w.unsynced { systemClose(fd) }
            systemClose(w.fd)
        }
    }

    /// Deletes what a crash can leave behind: a half-written checkpoint, and
    /// the segments and checkpoints that a completed checkpoint made obsolete
    /// (the crash came between its rename and its deletions).
    private static func removeLeftovers(
        _ listing: inout WALFiles.Listing, in directory: String, logger: Logger
    ) throws(StorageError) {
        for index in listing.temporaryCheckpoints {
            let path = WALFiles.join(directory, WALFiles.temporaryCheckpointName(index))
            logger.warning("WAL: removing unfinished checkpoint \(path)")
            try WALFiles.remove(path)
        }
        listing.temporaryCheckpoints = []
        guard let newest = listing.newestCheckpoint else { return }
        for index in listing.segments where index < newest {
            try WALFiles.remove(WALFiles.join(directory, WALFiles.segmentName(index)))
        }
        for index in listing.checkpoints where index < newest {
            try WALFiles.remove(WALFiles.join(directory, WALFiles.checkpointName(index)))
        }
        listing.segments.removeAll { $0 < newest }
        listing.checkpoints = [newest]
    }

    /// Truncates an interrupted append off the end of the segment at `path`
    /// and returns the segment's size afterwards.
    ///
    /// Damage that is not a torn write is left in place for replay to report:
    /// deleting it here would hide it.
    static func repairTail(of path: String, logger: Logger) throws(StorageError) -> Int {
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 16)
        defer { buffer.deallocate() }
        let size = try WALFiles.read(path, into: &buffer)
        var scanner = WALFrameScanner(UnsafeRawBufferPointer(rebasing: buffer[0..<size]))
        while true {
            switch scanner.next() {
            case .record: continue
            case .end: return size
            case .damaged(let offset, let reason, let tornWrite):
                guard tornWrite else {
                    logger.warning(
                        "WAL: \(path) is damaged at offset \(offset) (\(reason)); leaving it for replay to report")
                    return size
                }
                logger.warning(
                    "WAL: truncating \(path) at offset \(offset): torn write of \(size - offset) bytes (\(reason)), never acknowledged"
                )
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else { throw WALFiles.error("cannot open", path) }
                defer { systemClose(fd) }
                guard ftruncate(fd, off_t(offset)) == 0, fsync(fd) == 0 else {
                    throw WALFiles.error("cannot truncate", path)
                }
                return offset
            }
        }
    }
}
