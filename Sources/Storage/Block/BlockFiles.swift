#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX calls only blocks need (the shared ones are ``StorageFiles``'):
/// the atomicity of a block rests on exactly these `fsync`s and `rename`s.
enum BlockFiles: StorageFiles {
    static let subsystem = "block"

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
