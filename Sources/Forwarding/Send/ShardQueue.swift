import Foundation
import MeridianModel
import RemoteWrite

/// A piece of one record for one shard: the samples of the record's series
/// that hash to the shard.
struct ShardPart: Sendable {
    /// The record's number in the ``AckTracker``.
    var record: Int
    /// When the center acknowledged the record (wall-clock milliseconds).
    var acknowledgedAt: Int64
    var selection: SeriesSelection
    var sampleCount: Int { selection.sampleCount }
}

/// The FIFO between an upstream's reader and one of its sender threads,
/// bounded in samples so a slow upstream stops the reader (never the
/// center's ingestion, which only appends to the log).
final class ShardQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var parts: [ShardPart] = []
    private var head = 0
    private var samples = 0
    private var closed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Adds a part, waiting while the queue is full; false once closed.
    func push(_ part: ShardPart) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed && samples > 0 && samples + part.sampleCount > capacity { condition.wait() }
        guard !closed else { return false }
        parts.append(part)
        samples += part.sampleCount
        condition.broadcast()
        return true
    }

    /// Takes the oldest parts, at least one and up to `maxSamples` in all,
    /// waiting for one to arrive; nil once closed.
    func take(maxSamples: Int) -> [ShardPart]? {
        condition.lock()
        defer { condition.unlock() }
        while !closed && head == parts.count { condition.wait() }
        guard !closed else { return nil }
        var taken: [ShardPart] = [parts[head]]
        var count = parts[head].sampleCount
        head += 1
        while head < parts.count && count + parts[head].sampleCount <= maxSamples {
            count += parts[head].sampleCount
            taken.append(parts[head])
            head += 1
        }
        samples -= count
        if head == parts.count {
            parts.removeAll(keepingCapacity: true)
            head = 0
        }
        condition.broadcast()
        return taken
    }

    /// Samples waiting.
    var queuedSamples: Int {
        condition.lock()
        defer { condition.unlock() }
        return samples
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

extension SampleBatch {
    /// Splits the batch among `shards` by series hash, each shard's series in
    /// batch order and cut into pieces of at most `maxSamples` samples at
    /// series boundaries. A piece names its series by index into this batch,
    /// so nothing is copied; the metadata goes with the first piece.
    /// - Returns: (shard, piece), each shard's pieces in order.
    func split(shards: Int, maxSamples: Int) -> [(shard: Int, selection: SeriesSelection)] {
        var open = [[Int32]](repeating: [], count: shards)
        var openSamples = [Int](repeating: 0, count: shards)
        var pieces: [(shard: Int, series: [Int32], samples: Int)] = []
        for (i, entry) in series.enumerated() where entry.sampleCount > 0 {
            let shard = Int(entry.labelsHash % UInt64(shards))
            open[shard].append(Int32(i))
            openSamples[shard] += Int(entry.sampleCount)
            if openSamples[shard] >= maxSamples {
                pieces.append((shard, open[shard], openSamples[shard]))
                open[shard] = []
                openSamples[shard] = 0
            }
        }
        for shard in 0..<shards where !open[shard].isEmpty { pieces.append((shard, open[shard], openSamples[shard])) }
        return pieces.enumerated().map { n, piece in
            (
                piece.shard,
                SeriesSelection(self, series: piece.series, includesMetadata: n == 0, sampleCount: piece.samples)
            )
        }
    }
}
