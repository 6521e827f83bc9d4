import Encoding
import MeridianModel

/// Reads a head series' chunks in order, clipped to `[mint, maxt]`.
struct HeadSeriesIterator: SampleIterator {
    private let chunks: [HeadChunk]
    private let mint: Timestamp
    private let maxt: Timestamp
    private var chunkIndex = -1
    private var current: XORChunkIterator?
    private var sample = Sample(t: 0, v: 0)

    init(chunks: [HeadChunk], mint: Timestamp, maxt: Timestamp) {
        self.chunks = chunks
        self.mint = mint
        self.maxt = maxt
    }

    mutating func next() -> Bool {
        while true {
            if current != nil, current!.next() {
                let (t, v) = current!.at()
                if t < mint { continue }
                if t > maxt { return finish() }
                sample = Sample(t: t, v: v)
                return true
            }
            guard advanceChunk() else { return finish() }
        }
    }

    mutating func seek(_ target: Timestamp) -> Bool {
        if chunkIndex >= 0 && chunkIndex < chunks.count && sample.t >= target && current != nil { return true }
        let goal = max(target, mint)
        // Skip whole chunks that end before the target.
        while chunkIndex < chunks.count {
            if chunkIndex >= 0, current != nil, chunks[chunkIndex].maxTime >= goal {
                if current!.seek(goal) {
                    let (t, v) = current!.at()
                    if t > maxt { return finish() }
                    sample = Sample(t: t, v: v)
                    return true
                }
            }
            guard advanceChunk() else { return finish() }
        }
        return finish()
    }

    func at() -> Sample { sample }

    private mutating func advanceChunk() -> Bool {
        chunkIndex += 1
        guard chunkIndex < chunks.count, chunks[chunkIndex].minTime <= maxt else { return false }
        current = chunks[chunkIndex].chunk.makeIterator()
        return true
    }

    private mutating func finish() -> Bool {
        chunkIndex = chunks.count
        current = nil
        return false
    }
}
