import Logging
import MeridianModel

extension Store {
    /// Deletes whole blocks past the retention settings: those that end
    /// `retention` or more before the newest data (the end of the newest block,
    /// or the head's newest sample if later, as Prometheus counts it; time is
    /// the data's, not the wall clock's, so a store fed old data keeps it), then
    /// the oldest blocks while blocks take more than `maxDiskBytes`.
    /// - Returns: the deleted blocks.
    @discardableResult
    public func applyRetention() throws -> [BlockMeta] {
        try maintenance.withLock { _ in
            let blocks = view.read { $0.blocks }
            let newest = max((head.timeRange?.upperBound).map { $0 &+ 1 } ?? .min, blocks.map(\.meta.maxTime).max() ?? .min)
            var doomed: [BlockReader] = []
            if options.retention > 0, newest != .min {
                doomed = blocks.filter { $0.meta.maxTime <= newest - options.retention }
            }
            if options.maxDiskBytes > 0 {
                var total = blocks.reduce(Int64(0)) { $0 + BlockFiles.treeSize($1.directory) }
                total -= doomed.reduce(Int64(0)) { $0 + BlockFiles.treeSize($1.directory) }
                for block in blocks where total > options.maxDiskBytes && !doomed.contains(where: { $0 === block }) {
                    doomed.append(block)
                    total -= BlockFiles.treeSize(block.directory)
                }
            }
            guard !doomed.isEmpty else { return [] }
            // Only the blocks still in service: one may have been merged or quarantined meanwhile.
            doomed = changeView { v in
                let present = doomed.filter { d in v.blocks.contains { $0 === d } }
                v.blocks.removeAll { b in present.contains { $0 === b } }
                return present
            }
            // Queries still reading a deleted block keep its mapped files alive until they finish.
            for block in doomed {
                try BlockDirectory.remove(id: block.meta.id, dataDir: dataDirectory)
                logger.info(
                    "block deleted by retention",
                    metadata: [
                        "block": "\(block.meta.id)", "min_time": "\(block.meta.minTime)",
                        "max_time": "\(block.meta.maxTime)",
                    ])
            }
            return doomed.map(\.meta)
        }
    }
}
