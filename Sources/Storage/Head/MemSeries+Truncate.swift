import Encoding
import MeridianModel

extension MemSeries {
    /// Whether the series holds no sample at all (and may be garbage-collected).
    var isEmpty: Bool { chunks.isEmpty && open.sampleCount == 0 && outOfOrder.isEmpty }

    /// Removes every sample older than `boundary` and returns it: whole chunks
    /// as they are, a chunk that straddles the boundary split in two (only after
    /// a restart, or for the open chunk of a series that is still appending),
    /// and the out-of-order samples before it. The newest time and value stay,
    /// so duplicates and conflicts are still recognised afterwards.
    /// - Complexity: O(chunks); O(samples of one chunk) when it must be split.
    mutating func removeData(before boundary: Timestamp) -> (chunks: [HeadChunk], outOfOrder: [Sample]) {
        var removed: [HeadChunk] = []
        var kept: [HeadChunk] = []
        for c in chunks {
            if c.maxTime < boundary {
                removed.append(c)
            } else if c.minTime >= boundary {
                kept.append(c)
            } else {
                let (before, after) = Self.split(c.chunk, at: boundary)
                removed.append(before)
                kept.append(after)
            }
        }
        chunks = kept
        if open.sampleCount > 0, let first = open.firstTime, let last = open.lastTime, first < boundary {
            if last < boundary {
                removed.append(HeadChunk(chunk: open.chunk(), minTime: first, maxTime: last))
                open = XORAppender()
            } else {
                let (before, after) = Self.split(open.chunk(), at: boundary)
                removed.append(before)
                var rest = XORAppender()
                var it = after.chunk.makeIterator()
                while it.next() { rest.append(t: it.at().t, v: it.at().v) }
                open = rest
            }
        }
        let cut = outOfOrder.firstIndex { $0.t >= boundary } ?? outOfOrder.count
        let removedOutOfOrder = Array(outOfOrder[..<cut])
        outOfOrder.removeFirst(cut)
        return (removed, removedOutOfOrder)
    }

    /// Splits a chunk into the samples before `boundary` and those at or after it.
    private static func split(_ chunk: XORChunk, at boundary: Timestamp) -> (HeadChunk, HeadChunk) {
        var before = XORAppender()
        var after = XORAppender()
        var it = chunk.makeIterator()
        while it.next() {
            let (t, v) = it.at()
            if t < boundary { before.append(t: t, v: v) } else { after.append(t: t, v: v) }
        }
        return (
            HeadChunk(chunk: before.chunk(), minTime: before.firstTime ?? boundary, maxTime: before.lastTime ?? boundary),
            HeadChunk(chunk: after.chunk(), minTime: after.firstTime ?? boundary, maxTime: after.lastTime ?? boundary)
        )
    }
}
