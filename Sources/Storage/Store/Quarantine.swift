import Foundation
import Logging

/// `<dataDir>/quarantine/`: damaged files set aside for inspection instead of
/// being deleted, so an operator (or a bug report) still has the bytes.
/// Blocks are moved there whole; damaged WAL files are copied there (the WAL
/// keeps its own copy until the next checkpoint replaces it).
struct Quarantine {
    let dataDirectory: String
    let logger: Logger

    var directory: String { (dataDirectory as NSString).appendingPathComponent("quarantine") }

    /// Moves the block directory at `path` into quarantine.
    /// - Returns: where it went.
    @discardableResult
    func moveBlock(_ path: String, reason: String) throws -> String {
        let target = try freeName((path as NSString).lastPathComponent)
        try FileManager.default.moveItem(atPath: path, toPath: target)
        logger.error(
            "block is corrupt: moved to quarantine, serving without it",
            metadata: ["block": "\(path)", "reason": "\(reason)", "quarantined_to": "\(target)"])
        return target
    }

    /// Copies a damaged WAL file into quarantine, named by its path under the
    /// data directory with `-` for `/` (`wal-00000003`,
    /// `wal-checkpoint.00000002-00000000`).
    /// - Returns: the copy's path.
    @discardableResult
    func copyWALFile(_ path: String) throws -> String {
        let prefix = dataDirectory.hasSuffix("/") ? dataDirectory : dataDirectory + "/"
        let relative = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : (path as NSString).lastPathComponent
        let name = relative.replacingOccurrences(of: "/", with: "-")
        let target = try freeName(name)
        try FileManager.default.copyItem(atPath: path, toPath: target)
        logger.error("WAL file is damaged: copied to quarantine", metadata: ["file": "\(path)", "copy": "\(target)"])
        return target
    }

    /// A path in quarantine for `name` that does not exist yet (a name seen
    /// before gets a numeric suffix).
    private func freeName(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var target = (directory as NSString).appendingPathComponent(name)
        var n = 1
        while FileManager.default.fileExists(atPath: target) {
            target = (directory as NSString).appendingPathComponent("\(name).\(n)")
            n += 1
        }
        return target
    }
}
