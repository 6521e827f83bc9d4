import Encoding
import MeridianModel

/// A closed, immutable chunk of a head series.
struct HeadChunk: Sendable {
    let chunk: XORChunk
    let minTime: Timestamp
    let maxTime: Timestamp
}

/// What happened to one sample offered to a series.
enum SeriesAppendResult {
    case appended
    /// Older than the newest sample but inside the out-of-order window: stored.
    case appendedOutOfOrder
    /// Same timestamp and same value bits as a stored sample: accepted silently.
    case duplicate
    /// Older than the newest sample (at `newest`) and outside the out-of-order window.
    case outOfOrder(newest: Timestamp)
    /// Same timestamp as a stored sample, different value.
    case conflictingValue(existing: Double)
}

/// One series in the head: its identity and its compressed samples.
///
/// A value type stored inline in its stripe's array and mutated in place under
/// the stripe lock, so appending a sample allocates nothing and touches no
/// reference count.
struct MemSeries {
    let ref: SeriesRef
    let hash: UInt64
    let labels: PackedLabels
    /// Closed chunks, oldest first.
    var chunks: [HeadChunk] = []
    /// The chunk being appended to.
    var open = XORAppender()
    private(set) var maxTime: Timestamp = .min
    private var lastValueBits: UInt64 = 0
    /// The open chunk is cut when a sample reaches this time, so chunks never
    /// straddle a chunk-range boundary (the later block boundaries).
    private var cutTime: Timestamp = .min
    /// Samples older than `maxTime` accepted inside the out-of-order window,
    /// sorted by time with unique timestamps. Kept apart so the in-order chunks
    /// stay append-only; readers merge the two. Empty (no allocation) for the
    /// vast majority of series, which only ever receive samples in order.
    var outOfOrder: [Sample] = []

    init(ref: SeriesRef, hash: UInt64, labels: PackedLabels) {
        self.ref = ref
        self.hash = hash
        self.labels = labels
    }

    /// Time of the oldest sample held, if any.
    var minTime: Timestamp? {
        let inOrder = chunks.first?.minTime ?? open.firstTime
        guard let oldest = outOfOrder.first?.t else { return inOrder }
        return min(oldest, inOrder ?? oldest)
    }

    /// Appends a sample. A sample newer than the newest one goes into the open
    /// chunk; an older one is kept out of order if it is at or after
    /// `minValidTime` (nil: no out-of-order window), and refused otherwise.
    /// - Complexity: O(1) amortized in order; out of order, O(samples of the
    ///   chunk holding `t` + out-of-order samples), to find an existing sample at `t`.
    mutating func append(t: Timestamp, v: Double, options: HeadOptions, minValidTime: Timestamp?) -> SeriesAppendResult {
        if t <= maxTime {
            if t == maxTime {
                return v.bitPattern == lastValueBits ? .duplicate : .conflictingValue(existing: Double(bitPattern: lastValueBits))
            }
            guard let minValidTime, t >= minValidTime else { return .outOfOrder(newest: maxTime) }
            return insertOutOfOrder(t: t, v: v)
        }
        if open.sampleCount >= options.samplesPerChunk || t >= cutTime {
            cutChunk(at: t, chunkRange: options.chunkRange)
        }
        open.append(t: t, v: v)
        maxTime = t
        lastValueBits = v.bitPattern
        return .appended
    }

    private mutating func insertOutOfOrder(t: Timestamp, v: Double) -> SeriesAppendResult {
        var low = 0
        var high = outOfOrder.count
        while low < high {
            let mid = (low + high) / 2
            if outOfOrder[mid].t < t { low = mid + 1 } else { high = mid }
        }
        if low < outOfOrder.count && outOfOrder[low].t == t {
            let existing = outOfOrder[low].v
            return existing.bitPattern == v.bitPattern ? .duplicate : .conflictingValue(existing: existing)
        }
        if let existing = inOrderValue(at: t) {
            return existing.bitPattern == v.bitPattern ? .duplicate : .conflictingValue(existing: existing)
        }
        outOfOrder.insert(Sample(t: t, v: v), at: low)
        return .appendedOutOfOrder
    }

    /// The value of the in-order sample at exactly `t`, if there is one.
    private func inOrderValue(at t: Timestamp) -> Double? {
        for c in chunks(overlapping: t, t) {
            var it = c.chunk.makeIterator()
            if it.seek(t), it.at().t == t { return it.at().v }
        }
        return nil
    }

    private mutating func cutChunk(at t: Timestamp, chunkRange: Int64) {
        if open.sampleCount > 0, let first = open.firstTime, let last = open.lastTime {
            // Trim spare capacity: closed chunks live for hours.
            let trimmed = XORChunk(bytes: Array(unsafeUninitializedCapacity: open.bytes.count) { buffer, count in
                count = buffer.initialize(fromContentsOf: open.bytes)
            }, sampleCount: open.sampleCount)
            chunks.append(HeadChunk(chunk: trimmed, minTime: first, maxTime: last))
            open = XORAppender()
        }
        cutTime = (floorDiv(t, chunkRange) + 1) &* chunkRange
    }

    /// Restores a chunk from a checkpoint. The newest restored chunk becomes the
    /// open one when it still has room, so restarts do not fragment chunks.
    mutating func restore(_ chunk: RefChunk, options: HeadOptions) throws {
        guard chunk.minTime > maxTime || maxTime == .min else { return }
        if open.sampleCount > 0, let first = open.firstTime, let last = open.lastTime {
            chunks.append(HeadChunk(chunk: open.chunk(), minTime: first, maxTime: last))
        }
        let resumed = try XORAppender(resuming: chunk.bytes, sampleCount: chunk.sampleCount)
        if chunk.sampleCount < options.samplesPerChunk {
            open = resumed
        } else {
            chunks.append(HeadChunk(chunk: resumed.chunk(), minTime: chunk.minTime, maxTime: chunk.maxTime))
            open = XORAppender()
        }
        maxTime = chunk.maxTime
        var it = resumed.chunk().makeIterator()
        while it.next() { lastValueBits = it.at().v.bitPattern }
        cutTime = (floorDiv(chunk.minTime, options.chunkRange) + 1) &* options.chunkRange
    }

    /// The out-of-order samples within `[mint, maxt]`.
    func outOfOrderSamples(_ mint: Timestamp, _ maxt: Timestamp) -> [Sample] {
        guard let first = outOfOrder.firstIndex(where: { $0.t >= mint }) else { return [] }
        let end = outOfOrder[first...].firstIndex(where: { $0.t > maxt }) ?? outOfOrder.count
        return Array(outOfOrder[first..<end])
    }

    /// The in-order chunks overlapping `[mint, maxt]`, closed ones and a snapshot of the open one.
    func chunks(overlapping mint: Timestamp, _ maxt: Timestamp) -> [HeadChunk] {
        var out: [HeadChunk] = []
        for c in chunks where c.maxTime >= mint && c.minTime <= maxt { out.append(c) }
        if open.sampleCount > 0, let first = open.firstTime, let last = open.lastTime, last >= mint, first <= maxt {
            out.append(HeadChunk(chunk: open.chunk(), minTime: first, maxTime: last))
        }
        return out
    }

    /// Every chunk, for checkpoints.
    func allChunks() -> [HeadChunk] { chunks(overlapping: .min, .max) }
}

/// Floor division, so negative timestamps fall in the right chunk range.
@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
