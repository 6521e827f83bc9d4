import Encoding

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends to a new file through a 1 MiB buffer, so that streaming chunk bytes
/// costs one `write` per megabyte rather than one per chunk.
///
/// Keeps a running CRC-32C from ``beginChecksum()`` to ``appendChecksum()``:
/// every checksummed region of a block (a series group, a postings list, a
/// table) is written this way, without first building it in memory.
final class BlockFileWriter {
    let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    /// Bytes appended so far (written or buffered): the offset of the next byte.
    private(set) var position = 0
    private var crc: UInt32 = 0
    private var checksumming = false

    /// Creates the file; it must not exist yet.
    init(path: String) throws(StorageError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BlockFiles.error("cannot create", path) }
        buffer.reserveCapacity(bufferLimit)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        if checksumming { crc = CRC32C.checksum(bytes, continuing: crc) }
        position += bytes.count
        if buffer.count + bytes.count > bufferLimit {
            try flush()
            if bytes.count >= bufferLimit {
                try BlockFiles.writeAll(fd, bytes, path: path)
                return
            }
        }
        buffer.append(contentsOf: bytes)
    }

    func append(_ bytes: [UInt8]) throws(StorageError) {
        try bytes.withUnsafeBytesThrowing { (raw) throws(StorageError) in try append(raw) }
    }

    func appendUInt32LE(_ value: UInt32) throws(StorageError) {
        try withUnsafeBytes(of: value.littleEndian) { (raw) throws(StorageError) in try append(raw) }
    }

    /// Starts a checksummed region at the current position.
    func beginChecksum() {
        crc = 0
        checksumming = true
    }

    /// Ends the region and appends its CRC-32C (4 bytes, little-endian, not
    /// part of the region).
    func appendChecksum() throws(StorageError) {
        checksumming = false
        try appendUInt32LE(crc)
    }

    /// Hands buffered bytes to the kernel.
    func flush() throws(StorageError) {
        guard !buffer.isEmpty else { return }
        try BlockFiles.writeAll(fd, buffer, 0..<buffer.count, path: path)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Reads back `count` bytes at `offset` (flushing first), for comparing a
    /// timestamp column with one written long ago.
    func read(at offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        try flush()
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw BlockFiles.error("cannot read back", path)
            }
            if n == 0 { throw StorageError(.io, "block: \(path) is shorter than written (offset \(offset + done))") }
            done += n
        }
        return out
    }

    /// Flushes, fsyncs and closes the file.
    func finish() throws(StorageError) {
        try flush()
        guard fsync(fd) == 0 else { throw BlockFiles.error("cannot fsync", path) }
        guard close(fd) == 0 else {
            fd = -1
            throw BlockFiles.error("cannot close", path)
        }
        fd = -1
    }
}
