import Foundation
import Logging

/// Opens every block of a data directory at start-up: reads only each block's
/// meta and index header (no chunk is touched), removes what a crash left
/// half-written, and moves a block that cannot be read to `quarantine/` with a
/// log line naming the file and offset, so the process starts with the rest.
struct BlockOpener {
    let dataDirectory: String
    let logger: Logger

    var quarantineDirectory: String { (dataDirectory as NSString).appendingPathComponent("quarantine") }

    func openAll() throws -> [BlockReader] {
        let started = ContinuousClock.now
        let parent = BlockDirectory.path(dataDir: dataDirectory)
        guard FileManager.default.fileExists(atPath: parent) else { return [] }
        for removed in try BlockDirectory.removeTemporaries(dataDir: dataDirectory, logger: logger) {
            logger.warning("removed a block left half-written by a crash", metadata: ["path": "\(removed)"])
        }
        var blocks: [BlockReader] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: parent).sorted() {
            guard let id = BlockID(name), "\(id)" == name else { continue }
            let path = BlockDirectory.path(dataDir: dataDirectory, id: id)
            do {
                let reader = try BlockReader(directory: path, logger: logger)
                // Check the index tables now (O(index), no chunk is read), so a
                // damaged block is set aside at start-up rather than failing queries.
                _ = try reader.labelNameTable()
                blocks.append(reader)
            } catch {
                try quarantine(path, name: name, reason: "\(error)")
            }
        }
        blocks.sort(by: BlockReader.byTime)
        if !blocks.isEmpty {
            logger.info(
                "opened blocks",
                metadata: ["blocks": "\(blocks.count)", "duration": "\(ContinuousClock.now - started)"])
        }
        return blocks
    }

    /// Moves an unreadable block out of the way, keeping it for inspection.
    func quarantine(_ path: String, name: String, reason: String) throws {
        try FileManager.default.createDirectory(atPath: quarantineDirectory, withIntermediateDirectories: true)
        var target = (quarantineDirectory as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: target) { target += ".\(Int(Date().timeIntervalSince1970))" }
        try FileManager.default.moveItem(atPath: path, toPath: target)
        logger.error(
            "block is corrupt: moved to quarantine, serving without it",
            metadata: ["block": "\(path)", "reason": "\(reason)", "quarantined_to": "\(target)"])
    }
}

extension BlockReader {
    /// Orders blocks by min time, then ID: the order of the store's block list.
    static func byTime(_ a: BlockReader, _ b: BlockReader) -> Bool {
        a.meta.minTime != b.meta.minTime ? a.meta.minTime < b.meta.minTime : a.meta.id < b.meta.id
    }
}
