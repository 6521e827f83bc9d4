import Foundation

/// A record on its way to one shard's connection.
struct ShardPart: Sendable {
    /// The record's number in the ``AckTracker``.
    var record: Int
    /// When the center acknowledged the record (wall-clock milliseconds).
    var acknowledgedAt: Int64
    /// The record's body: a snappy-compressed request.
    var body: [UInt8]
    var sampleCount: Int
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
