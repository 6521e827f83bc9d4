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
    /// Same timestamp and same value bits as the newest sample: accepted silently.
    case duplicate
    /// Older than the newest sample (which is at `newest`).
    case outOfOrder(newest: Timestamp)
    /// Same timestamp as the newest sample, different value.
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
    private(set) var chunks: [HeadChunk] = []
    /// The chunk being appended to.
    private(set) var open = XORAppender()
    private(set) var maxTime: Timestamp = .min
    private var lastValueBits: UInt64 = 0
    /// The open chunk is cut when a sample reaches this time, so chunks never
    /// straddle a chunk-range boundary (the later block boundaries).
    private var cutTime: Timestamp = .min

    init(ref: SeriesRef, hash: UInt64, labels: PackedLabels) {
        self.ref = ref
        self.hash = hash
        self.labels = labels
    }

    /// Time of the oldest sample held, if any.
    var minTime: Timestamp? { chunks.first?.minTime ?? open.firstTime }

    /// Appends a sample if it is newer than the newest one.
    /// - Complexity: O(1) amortized; allocates only when a chunk is cut or grows.
    mutating func append(t: Timestamp, v: Double, options: HeadOptions) -> SeriesAppendResult {
        if t <= maxTime {
            if t < maxTime { return .outOfOrder(newest: maxTime) }
            if v.bitPattern == lastValueBits { return .duplicate }
            return .conflictingValue(existing: Double(bitPattern: lastValueBits))
        }
        if open.sampleCount >= options.samplesPerChunk || t >= cutTime {
            cutChunk(at: t, chunkRange: options.chunkRange)
        }
        open.append(t: t, v: v)
        maxTime = t
        lastValueBits = v.bitPattern
        return .appended
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

    /// The chunks overlapping `[mint, maxt]`, closed ones and a snapshot of the open one.
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
