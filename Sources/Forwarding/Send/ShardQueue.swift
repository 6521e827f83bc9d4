import Foundation
import MeridianModel

/// A piece of one record for one shard: the samples of the record's series
/// that hash to the shard.
struct ShardPart: Sendable {
    /// The record's number in the ``AckTracker``.
    var record: Int
    /// When the center acknowledged the record (wall-clock milliseconds).
    var acknowledgedAt: Int64
    var batch: SampleBatch
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
        while !closed && samples > 0 && samples + part.batch.sampleCount > capacity { condition.wait() }
        guard !closed else { return false }
        parts.append(part)
        samples += part.batch.sampleCount
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
        var count = parts[head].batch.sampleCount
        head += 1
        while head < parts.count && count + parts[head].batch.sampleCount <= maxSamples {
            count += parts[head].batch.sampleCount
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
    /// series boundaries. The pieces share ``bytes`` with this batch (no
    /// label bytes are copied); the metadata goes with the first piece.
    /// - Returns: (shard, piece) in shard order.
    func split(shards: Int, maxSamples: Int) -> [(shard: Int, batch: SampleBatch)] {
        var open = [SampleBatch?](repeating: nil, count: shards)
        var pieces: [(shard: Int, batch: SampleBatch)] = []
        for entry in series where entry.sampleCount > 0 {
            let shard = Int(entry.labelsHash % UInt64(shards))
            var piece = open[shard] ?? SampleBatch(bytes: bytes)
            var copy = entry
            copy.labelStart = UInt32(piece.labels.count)
            piece.labels.append(contentsOf: labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)])
            copy.sampleStart = UInt32(piece.samples.count)
            piece.samples.append(contentsOf: samples[Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount)])
            piece.series.append(copy)
            if piece.sampleCount >= maxSamples {
                pieces.append((shard, piece))
                open[shard] = nil
            } else {
                open[shard] = piece
            }
        }
        for shard in 0..<shards { if let piece = open[shard] { pieces.append((shard, piece)) } }
        if !metadata.isEmpty, !pieces.isEmpty { pieces[0].batch.metadata = metadata }
        return pieces
    }
}
