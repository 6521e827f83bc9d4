import MeridianModel

/// Reads a block series' chunks in order, clipped to `[mint, maxt]`. A chunk
/// is decoded (timestamps and values, into buffers reused from chunk to
/// chunk) only when the iterator reaches it; `seek` skips whole chunks by
/// their time range without touching their bytes.
///
/// `select` has checksummed the bytes already, so a decoding failure here
/// means a codec bug rather than damage; `SampleIterator` has no way to
/// report it, so the iterator logs it and ends.
struct BlockSeriesIterator: SampleIterator {
    private let reader: BlockReader
    private let chunks: [BlockChunkRef]
    private let mint: Timestamp
    private let maxt: Timestamp
    private var chunkIndex = -1
    private var timestamps: [Int64] = []
    private var values: [Double] = []
    private var position = 0
    private var done = false

    init(reader: BlockReader, chunks: [BlockChunkRef], mint: Timestamp, maxt: Timestamp) {
        self.reader = reader
        self.chunks = chunks
        self.mint = mint
        self.maxt = maxt
    }

    mutating func next() -> Bool {
        guard !done else { return false }
        if chunkIndex >= 0 { position += 1 }
        if chunkIndex < 0 || position >= timestamps.count {
            guard load(chunkIndex + 1, from: mint) else { return finish() }
        }
        return timestamps[position] <= maxt || finish()
    }

    mutating func seek(_ target: Timestamp) -> Bool {
        guard !done else { return false }
        if chunkIndex >= 0 && timestamps[position] >= target { return true }
        let goal = max(target, mint)
        if chunkIndex >= 0 && chunks[chunkIndex].maxTime >= goal {
            position = Self.firstIndex(in: timestamps, from: position, atOrAfter: goal)
        } else {
            var next = chunkIndex + 1
            while next < chunks.count && chunks[next].maxTime < goal { next += 1 }
            guard load(next, from: goal) else { return finish() }
        }
        return timestamps[position] <= maxt || finish()
    }

    func at() -> Sample { Sample(t: timestamps[position], v: values[position]) }

    /// Copies the rest of each chunk in one pass, chunk after chunk.
    mutating func readAll(into out: inout [Sample]) {
        guard !done else { return }
        var first = position + 1
        if chunkIndex < 0 {
            guard load(0, from: mint) else {
                finish()
                return
            }
            first = position
        }
        while true {
            for i in first..<timestamps.count {
                guard timestamps[i] <= maxt else {
                    finish()
                    return
                }
                out.append(Sample(t: timestamps[i], v: values[i]))
            }
            guard load(chunkIndex + 1, from: mint) else {
                finish()
                return
            }
            first = position
        }
    }

    /// Decodes chunk `i` and positions at its first sample at or after `from`.
    private mutating func load(_ i: Int, from: Timestamp) -> Bool {
        guard i < chunks.count, chunks[i].minTime <= maxt else { return false }
        do throws(StorageError) {
            try reader.decodeTimestamps(chunks[i], into: &timestamps)
            try reader.decodeValues(chunks[i], into: &values)
        } catch {
            reader.logger.error("block: ending a series early: \(error)")
            return false
        }
        chunkIndex = i
        position = Self.firstIndex(in: timestamps, from: 0, atOrAfter: from)
        // A chunk in the list has a sample at or after `from` unless `from`
        // lies past its end, which callers rule out.
        return position < timestamps.count
    }

    @discardableResult
    private mutating func finish() -> Bool {
        done = true
        return false
    }

    /// The first index at or after `from` whose timestamp is `>= target`
    /// (binary search), or `timestamps.count`.
    static func firstIndex(in timestamps: [Int64], from: Int, atOrAfter target: Int64) -> Int {
        var low = from
        var high = timestamps.count
        while low < high {
            let mid = (low + high) / 2
            if timestamps[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
