import MeridianModel

/// Merges several blocks' series into one stream in label order: the input
/// of a compaction.
///
/// A series found in several blocks is merged by timestamp, one sample per
/// timestamp; on equal timestamps the block listed first wins — the same rule
/// queries apply (``Store`` lists blocks by min time, then ID), so a query
/// answers the same before and after the merge.
///
/// Memory: one decoded series per block at a time.
struct MergedSeriesCursor {
    private var cursors: [BlockSeriesCursor]
    /// Each cursor's series not yet emitted (nil once it is exhausted).
    private var pending: [BlockSeries?]
    private let blocks: [BlockReader]

    /// A cursor over `blocks`, in priority order.
    /// - Throws: ``BlockReadError`` naming the block whose index is damaged.
    init(_ blocks: [BlockReader]) throws(BlockReadError) {
        self.blocks = blocks
        cursors = []
        for block in blocks {
            do {
                cursors.append(try block.seriesCursor())
            } catch {
                throw BlockReadError(block: block, error: error)
            }
        }
        pending = Array(repeating: nil, count: blocks.count)
        for i in cursors.indices { pending[i] = try advance(i) }
    }

    /// The next series in label order, merged over every block that has it;
    /// nil after the last.
    /// - Throws: ``BlockReadError`` naming the block whose bytes are damaged.
    /// - Complexity: O(k) label comparisons for k blocks, plus O(samples) to merge.
    mutating func next() throws(BlockReadError) -> BlockSeries? {
        var smallest: Labels?
        for case let series? in pending where smallest == nil || series.labels < smallest! {
            smallest = series.labels
        }
        guard let labels = smallest else { return nil }
        var parts: [BlockSeries] = []
        for i in pending.indices where pending[i]?.labels == labels {
            parts.append(pending[i]!)
            pending[i] = try advance(i)
        }
        return parts.count == 1 ? parts[0] : Self.merge(parts)
    }

    private mutating func advance(_ i: Int) throws(BlockReadError) -> BlockSeries? {
        do {
            return try cursors[i].next()
        } catch {
            throw BlockReadError(block: blocks[i], error: error)
        }
    }

    /// One series from several copies, one sample per timestamp, the earlier
    /// part winning ties.
    /// - Complexity: O(n·k) for n samples in k parts.
    static func merge(_ parts: [BlockSeries]) -> BlockSeries {
        var merged = BlockSeries(labels: parts[0].labels, timestamps: [], values: [])
        let total = parts.reduce(0) { $0 + $1.timestamps.count }
        merged.timestamps.reserveCapacity(total)
        merged.values.reserveCapacity(total)
        var positions = Array(repeating: 0, count: parts.count)
        while true {
            var best = -1
            for p in parts.indices where positions[p] < parts[p].timestamps.count {
                if best < 0 || parts[p].timestamps[positions[p]] < parts[best].timestamps[positions[best]] { best = p }
            }
            guard best >= 0 else { return merged }
            let t = parts[best].timestamps[positions[best]]
            merged.timestamps.append(t)
            merged.values.append(parts[best].values[positions[best]])
            for p in parts.indices where positions[p] < parts[p].timestamps.count && parts[p].timestamps[positions[p]] == t {
                positions[p] += 1
            }
        }
    }
}

/// A block that could not be read, and why: lets the store take that block
/// (and not the others of a merge) out of service.
struct BlockReadError: Error {
    let block: BlockReader
    let error: StorageError
}
