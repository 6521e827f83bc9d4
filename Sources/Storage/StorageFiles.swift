#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file calls the WAL and blocks share. Plain `open`/`fsync`/`rename`
/// rather than Foundation: the durability guarantees of both are stated in
/// terms of exactly these calls, so they are easier to check spelled out.
/// Each conformer names its subsystem, which starts its error messages
/// (`WAL: cannot list …`, `block: cannot list …`).
protocol StorageFiles {
    /// The first word of every error message.
    static var subsystem: String { get }
}

extension StorageFiles {
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

    /// Size in bytes, nil when the path does not exist.
    static func size(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Total size of the regular files under `path`.
    static func treeSize(_ path: String) -> Int64 {
        guard isDirectory(path) else { return size(path) ?? 0 }
        guard let children = try? names(in: path) else { return 0 }
        return children.reduce(0) { $0 + treeSize(join(path, $1)) }
    }

    /// Creates `path` and missing parents.
    static func makeDirectories(_ path: String) throws(StorageError) {
        if isDirectory(path) { return }
        let parent = parentDirectory(path)
        if !parent.isEmpty && parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw error("cannot create directory", path) }
    }

    private static func parentDirectory(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
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

    /// Makes the directory's entries (files created, renamed, deleted) survive
    /// a power failure; `fsync` of a file covers only its contents.
    static func syncDirectory(_ path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw error("cannot open directory", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw error("cannot fsync directory", path) }
    }

    /// Writes all of `bytes`, retrying short writes and interrupts. On failure
    /// some prefix may have reached the file; the caller truncates it away.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: @autoclosure () -> String)
        throws(StorageError)
    {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw error("cannot write \(bytes.count - done) bytes to", path())
            }
            done += n
        }
    }

    /// Writes `range` of `bytes`; see ``writeAll(_:_:path:)``.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ range: Range<Int>, path: @autoclosure () -> String)
        throws(StorageError)
    {
        try bytes.withUnsafeBytesThrowing { (raw) throws(StorageError) in
            try writeAll(fd, UnsafeRawBufferPointer(rebasing: raw[range]), path: path())
        }
    }

    /// An `.io` error naming the call's target and `errno`'s meaning.
    static func error(_ what: String, _ path: String) -> StorageError {
        let code = errno
        return StorageError(.io, "\(subsystem): \(what) \(path): \(String(cString: strerror(code))) (errno \(code))")
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that passes on `body`'s `StorageError` as such:
    /// Array's own rethrows it as `any Error`, which typed-throws callers
    /// cannot throw on.
    func withUnsafeBytesThrowing(_ body: (UnsafeRawBufferPointer) throws(StorageError) -> Void) throws(StorageError) {
        let failure: StorageError? = withUnsafeBytes { raw in
            do throws(StorageError) {
                try body(raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }
}
