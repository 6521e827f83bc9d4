import Logging

/// The layout of `<dataDir>/blocks/`: one directory per block, named by its
/// ``BlockID``, plus `*.tmp` directories that only a crash leaves behind (a
/// block being written, or being deleted).
public enum BlockDirectory {
    /// `<dataDir>/blocks`, the `parentDirectory` of ``BlockWriter``.
    public static func path(dataDir: String) -> String {
        BlockFiles.join(dataDir, "blocks")
    }

    /// `<dataDir>/blocks/<id>`, the `directory` of ``BlockReader``.
    public static func path(dataDir: String, id: BlockID) -> String {
        BlockFiles.join(path(dataDir: dataDir), "\(id)")
    }

    /// The metas of the complete blocks, sorted by `minTime`, then ID. Names
    /// that are not block IDs (`*.tmp` included) are ignored; a missing
    /// `blocks/` is an empty list.
    /// - Throws: `.corruption` when a block's `meta.json` is unreadable —
    ///   blocks appear by atomic rename, so that is damage, not a crash.
    /// - Complexity: reads one small file per block.
    public static func list(dataDir: String) throws(StorageError) -> [BlockMeta] {
        let blocks = path(dataDir: dataDir)
        guard BlockFiles.isDirectory(blocks) else { return [] }
        var metas: [BlockMeta] = []
        for name in try BlockFiles.names(in: blocks) {
            guard let id = BlockID(name), "\(id)" == name else { continue }
            let meta = try BlockMeta.read(BlockFiles.join(BlockFiles.join(blocks, name), "meta.json"))
            guard meta.id == id else {
                throw StorageError(
                    .corruption, "block: \(blocks)/\(name)/meta.json at offset 0: names block \(meta.id)")
            }
            metas.append(meta)
        }
        metas.sort { ($0.minTime, $0.id) < ($1.minTime, $1.id) }
        return metas
    }

    /// Deletes every `*.tmp` directory in `blocks/`: unfinished writes and
    /// interrupted deletions. Call once at startup, before any writer runs.
    /// Returns the names removed.
    @discardableResult
    public static func removeTemporaries(dataDir: String, logger: Logger) throws(StorageError) -> [String] {
        let blocks = path(dataDir: dataDir)
        guard BlockFiles.isDirectory(blocks) else { return [] }
        var removed: [String] = []
        for name in try BlockFiles.names(in: blocks) where name.hasSuffix(".tmp") {
            let leftover = BlockFiles.join(blocks, name)
            logger.warning("block: removing unfinished \(leftover)")
            try BlockFiles.remove(leftover)
            removed.append(name)
        }
        if !removed.isEmpty { try BlockFiles.syncDirectory(blocks) }
        return removed
    }

    /// Deletes a block so that no reader of the directory ever sees part of
    /// it: renames it to `<id>.delete.tmp` (atomic, then fsynced), then
    /// deletes that. A crash in between leaves a `.tmp` for
    /// ``removeTemporaries(dataDir:logger:)``. Open ``BlockReader``s keep
    /// their mappings valid until they are dropped.
    public static func remove(id: BlockID, dataDir: String) throws(StorageError) {
        let blocks = path(dataDir: dataDir)
        let doomed = BlockFiles.join(blocks, "\(id).delete.tmp")
        try BlockFiles.rename(path(dataDir: dataDir, id: id), doomed)
        try BlockFiles.syncDirectory(blocks)
        try BlockFiles.remove(doomed)
    }
}
