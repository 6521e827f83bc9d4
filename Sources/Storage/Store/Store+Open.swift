import Foundation
import Logging

/// Opens every block of a data directory at start-up: reads only each block's
/// meta and index header (no chunk is touched), removes what a crash left
/// half-written, and moves a block that cannot be read to `quarantine/` with a
/// log line naming the file and offset, so the process starts with the rest,
/// and deletes blocks an interrupted compaction had already merged.
struct BlockOpener {
    let dataDirectory: String
    let logger: Logger

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
                try Quarantine(dataDirectory: dataDirectory, logger: logger).moveBlock(path, reason: "\(error)")
            }
        }
        blocks = try removeMerged(blocks)
        blocks.sort(by: BlockReader.byTime)
        if !blocks.isEmpty {
            logger.info(
                "opened blocks",
                metadata: ["blocks": "\(blocks.count)", "duration": "\(ContinuousClock.now - started)"])
        }
        return blocks
    }

    /// Deletes the blocks that a readable block names as its compaction
    /// parents: a crash after a compaction published its block but before it
    /// deleted the parents leaves them behind, and their samples are all in
    /// the merged block.
    private func removeMerged(_ blocks: [BlockReader]) throws -> [BlockReader] {
        let merged = Set(blocks.flatMap(\.meta.compaction.parents))
        for block in blocks where merged.contains(block.meta.id) {
            try BlockDirectory.remove(id: block.meta.id, dataDir: dataDirectory)
            logger.warning(
                "removed a block left by an interrupted compaction; its samples are in the merged block",
                metadata: ["block": "\(block.meta.id)"])
        }
        return blocks.filter { !merged.contains($0.meta.id) }
    }
}

extension BlockReader {
    /// Orders blocks by min time, then ID: the order of the store's block list.
    static func byTime(_ a: BlockReader, _ b: BlockReader) -> Bool {
        a.meta.minTime != b.meta.minTime ? a.meta.minTime < b.meta.minTime : a.meta.id < b.meta.id
    }
}

extension Store {
    /// Replays the WAL in `directory` into the head (``Head/replay(from:)``).
    /// Damaged WAL files are copied to `quarantine/`, and the WAL is then
    /// checkpointed at once, so the log holds what could be read and no longer
    /// the damage (which would otherwise be reported at every start).
    public func replayWAL(from directory: String) throws -> WALReplayStats {
        let stats = try head.replay(from: directory)
        guard !stats.damagedFiles.isEmpty else { return stats }
        let quarantine = Quarantine(dataDirectory: dataDirectory, logger: logger)
        for file in stats.damagedFiles { try quarantine.copyWALFile(file) }
        try checkpoint()
        return stats
    }
}
