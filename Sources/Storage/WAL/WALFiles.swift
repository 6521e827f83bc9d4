#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File names and the POSIX calls only the log needs (the shared ones are
/// ``StorageFiles``').
enum WALFiles: StorageFiles {
    static let subsystem = "WAL"

    /// `00000042`: eight decimal digits, more once indexes outgrow them.
    static func segmentName(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The index of a segment file name, nil for anything else.
    static func segmentIndex(_ name: String) -> Int? {
        guard name.utf8.count >= 8, name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(name)
    }

    static func checkpointName(_ index: Int) -> String { "checkpoint." + segmentName(index) }
    static func temporaryCheckpointName(_ index: Int) -> String { checkpointName(index) + ".tmp" }

    /// Parses `checkpoint.NNNNNNNN` and `checkpoint.NNNNNNNN.tmp`.
    static func checkpointIndex(_ name: String) -> (index: Int, isTemporary: Bool)? {
        guard name.hasPrefix("checkpoint.") else { return nil }
        var rest = name.dropFirst("checkpoint.".count)
        let isTemporary = rest.hasSuffix(".tmp")
        if isTemporary { rest = rest.dropLast(".tmp".count) }
        guard let index = segmentIndex(String(rest)) else { return nil }
        return (index, isTemporary)
    }

    /// The contents of a log directory, split by kind and sorted by index.
    struct Listing {
        var segments: [Int] = []
        var checkpoints: [Int] = []
        var temporaryCheckpoints: [Int] = []

        var newestCheckpoint: Int? { checkpoints.last }
    }

    static func listing(of directory: String) throws(StorageError) -> Listing {
        var listing = Listing()
        for name in try names(in: directory) {
            if let index = segmentIndex(name) {
                listing.segments.append(index)
            } else if let (index, isTemporary) = checkpointIndex(name) {
                if isTemporary { listing.temporaryCheckpoints.append(index) } else { listing.checkpoints.append(index) }
            }
        }
        listing.segments.sort()
        listing.checkpoints.sort()
        listing.temporaryCheckpoints.sort()
        return listing
    }

    /// Opens a segment for appending. `exclusive` insists on a new file, so
    /// that the log never appends to a segment it did not create.
    static func openForWriting(_ path: String, exclusive: Bool) throws(StorageError) -> Int32 {
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (exclusive ? O_EXCL : 0)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw error("cannot create", path) }
        return fd
    }

    /// Reads a whole file into `buffer`, growing it when needed, and returns
    /// the number of bytes read.
    static func read(_ path: String, into buffer: inout UnsafeMutableRawBufferPointer) throws(StorageError) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error("cannot open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error("cannot stat", path) }
        let size = Int(info.st_size)
        if buffer.count < size {
            buffer.deallocate()
            buffer = .allocate(byteCount: max(size, buffer.count * 2), alignment: 16)
        }
        var done = 0
        while done < size {
            let n = systemRead(fd, buffer.baseAddress! + done, size - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw error("cannot read", path)
            }
            if n == 0 { break }  // shrank while we read: take what is there
            done += n
        }
        return done
    }

}

/// `read(2)`, reachable from inside `WALFiles`, whose own `read` shadows it.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// `close(2)`, reachable from inside `WAL`, whose own `close()` shadows it.
func systemClose(_ fd: Int32) {
    _ = close(fd)
}
