#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX calls the forward log and the cursor files make, spelled out
/// (as the WAL does) because their durability is stated in their terms.
enum ForwardFiles {
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// `00000042`: eight decimal digits, more once numbers outgrow them.
    static func segmentName(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    static func segmentNumber(_ name: String) -> Int? {
        guard name.utf8.count >= 8, name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(name)
    }

    static func makeDirectory(_ path: String) throws(ForwardError) {
        var start = path.startIndex
        while let slash = path[path.index(after: start)...].firstIndex(of: "/") {
            _ = mkdir(String(path[..<slash]), 0o755)
            start = slash
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw error("cannot create directory", path) }
    }

    static func names(in directory: String) throws(ForwardError) -> [String] {
        guard let dir = opendir(directory) else { throw error("cannot list", directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func size(_ fd: Int32) -> Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Reads `count` bytes at `offset` into the start of `buffer` (resized to
    /// hold them); returns how many were read, fewer only at the end of the file.
    static func pread(_ fd: Int32, into buffer: inout [UInt8], count: Int, at offset: Int) throws(ForwardError) -> Int {
        if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { raw in
                Glibc.pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("cannot read", "fd \(fd)")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes `bytes` at the file's offset, retrying short writes.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(ForwardError) {
        try writeAll(fd, bytes, [], path: path)
    }

    /// Writes `first` then `second` at the file's offset, as one `writev`
    /// unless the kernel takes less.
    static func writeAll(_ fd: Int32, _ first: [UInt8], _ second: [UInt8], path: String) throws(ForwardError) {
        var done = 0
        let total = first.count + second.count
        while done < total {
            let n = first.withUnsafeBytes { a in
                second.withUnsafeBytes { b in
                    // The parts of each buffer not yet written.
                    let skipA = min(done, a.count)
                    let skipB = done - skipA
                    var parts = [
                        iovec(
                            iov_base: UnsafeMutableRawPointer(mutating: a.baseAddress.map { $0 + skipA }),
                            iov_len: a.count - skipA),
                        iovec(
                            iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress.map { $0 + skipB }),
                            iov_len: b.count - skipB),
                    ]
                    return writev(fd, &parts, 2)
                }
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("cannot write", path)
            }
            done += n
        }
    }

    /// Writes `bytes` to `path` atomically: a temporary file, fsync, rename, fsync of the directory.
    static func replace(_ path: String, with bytes: [UInt8], directory: String) throws(ForwardError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error("cannot create", temporary) }
        defer { close(fd) }
        try writeAll(fd, bytes, path: temporary)
        guard fsync(fd) == 0 else { throw error("cannot fsync", temporary) }
        guard rename(temporary, path) == 0 else { throw error("cannot rename", temporary) }
        syncDirectory(directory)
    }

    static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func readWhole(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let size = size(fd)
        var bytes = [UInt8](repeating: 0, count: size)
        let n = (try? pread(fd, into: &bytes, count: size, at: 0)) ?? -1
        return n == size ? bytes : nil
    }

    static func error(_ what: String, _ path: String) -> ForwardError {
        ForwardError(.disk, "forward log: \(what) \(path)", cause: String(cString: strerror(errno)))
    }
}
