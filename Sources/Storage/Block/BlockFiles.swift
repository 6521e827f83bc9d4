#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX calls blocks need, spelled out as in ``WALFiles`` (whose helpers
/// would word their errors as the WAL's): the atomicity of a block rests on
/// exactly these `fsync`s and `rename`s.
enum BlockFiles {
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The names in `directory`, without `.` and `..`.
    static func names(in directory: String) throws(StorageError) -> [String] {
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

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and missing parents.
    static func makeDirectories(_ path: String) throws(StorageError) {
        if isDirectory(path) { return }
        if let slash = path.dropLast().lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw error("cannot create directory", path) }
    }

    /// Deletes a file or a directory tree; a missing path is not an error.
    static func remove(_ path: String) throws(StorageError) {
        if isDirectory(path) {
            for name in try names(in: path) { try remove(join(path, name)) }
            if rmdir(path) != 0 && errno != ENOENT { throw error("cannot remove directory", path) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw error("cannot remove", path)
        }
    }

    /// Makes a directory's entries (created, renamed, deleted) durable.
    static func syncDirectory(_ path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw error("cannot open directory", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw error("cannot fsync directory", path) }
    }

    static func rename(_ from: String, _ to: String) throws(StorageError) {
        guard systemRename(from, to) == 0 else { throw error("cannot rename \(from) to", to) }
    }

    /// Writes `bytes` as a new file, fsyncs it, and closes it.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        let file = try BlockFileWriter(path: path)
        try file.append(bytes)
        try file.finish()
    }

    /// Reads a whole (small) file.
    static func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error("cannot open", path) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("cannot read", path)
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// An `.io` error naming the call's target and `errno`'s meaning.
    static func error(_ what: String, _ path: String) -> StorageError {
        let code = errno
        return StorageError(.io, "block: \(what) \(path): \(String(cString: strerror(code))) (errno \(code))")
    }

    /// `0x0000abcd`, for checksums in messages.
    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// A `.corruption` error in the form every block check uses: the file,
    /// the byte offset, and what is wrong there.
    static func corruption(_ path: String, at offset: Int, _ what: String) -> StorageError {
        StorageError(.corruption, "block: \(path) at offset \(offset): \(what)")
    }
}

/// `rename(2)`, reachable from inside `BlockFiles`, whose own `rename` shadows it.
private func systemRename(_ from: String, _ to: String) -> Int32 {
    rename(from, to)
}
