#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a checkpoint's records into numbered segment files in one
/// directory, with the same framing and size limit as the log itself.
///
/// Single-threaded and unlocked: only ``WAL/writeCheckpoint(coveringSegmentsBefore:_:)``
/// uses it, while holding the checkpoint lock.
struct WALCheckpointWriter {
    let directory: String
    let segmentSize: Int
    private var buffer: [UInt8] = []
    private var fd: Int32 = -1
    private var segment = -1
    private var segmentFill = 0
    /// Records and framed bytes written.
    private(set) var records = 0
    private(set) var bytes: Int64 = 0

    /// Buffered bytes are written once they pass this, bounding memory
    /// however large the checkpoint.
    private static let writeThreshold = 1 << 20

    init(directory: String, segmentSize: Int) {
        self.directory = directory
        self.segmentSize = segmentSize
    }

    mutating func append(_ record: WALRecord) throws(StorageError) {
        let start = buffer.count
        let frameSize = WALFrame.append(record, to: &buffer)
        if fd < 0 || (segmentFill > 0 && segmentFill + frameSize > segmentSize) {
            try writeBuffered(upTo: start)
            try startSegment()
        }
        segmentFill += frameSize
        records += 1
        bytes += Int64(frameSize)
        if buffer.count >= Self.writeThreshold { try writeBuffered(upTo: buffer.count) }
    }

    /// Writes the rest, fsyncs and closes the last file.
    mutating func finish() throws(StorageError) {
        if fd < 0 { return }
        try writeBuffered(upTo: buffer.count)
        try closeSegment()
    }

    /// Closes what is open after a failure; the caller deletes the directory.
    mutating func abandon() {
        if fd >= 0 { systemClose(fd) }
        fd = -1
    }

    private mutating func writeBuffered(upTo count: Int) throws(StorageError) {
        guard count > 0, fd >= 0 else { return }
        let fd = self.fd
        let path = WALFiles.join(directory, WALFiles.segmentName(segment))
        try WALFiles.writeAll(fd, buffer, 0..<count, path: path)
        buffer.removeFirst(count)
    }

    private mutating func startSegment() throws(StorageError) {
        if fd >= 0 { try closeSegment() }
        segment += 1
        segmentFill = 0
        fd = try WALFiles.openForWriting(WALFiles.join(directory, WALFiles.segmentName(segment)), exclusive: true)
    }

    private mutating func closeSegment() throws(StorageError) {
        let path = WALFiles.join(directory, WALFiles.segmentName(segment))
        let synced = fsync(fd) == 0
        let error = synced ? nil : WALFiles.error("cannot fsync", path)
        systemClose(fd)
        fd = -1
        if let error { throw error }
    }
}
