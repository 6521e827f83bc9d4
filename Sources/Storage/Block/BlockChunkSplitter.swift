/// Decides where a series' samples are cut into chunks.
///
/// The cut points must be a function of the timestamps alone, so that series
/// with the same timestamps (every series of one scrape target) are cut the
/// same way and their timestamp columns deduplicate — including a series that
/// starts late or stops early, whose remaining chunks should still line up
/// with its siblings'. Cutting every N samples from a series' first sample
/// would not do that; cutting at fixed times does.
///
/// So the block's range is divided into `k` equal windows, with `k` chosen per
/// series so that a window holds about `samplesPerChunk` samples at the
/// series' typical interval (the median of up to 31 evenly spaced gaps, which
/// a scrape outage or a late start does not move). A window holding more than
/// twice the target (a burst) is split further into equal parts. Finally a
/// piece under half the target joins its neighbour (up to twice the target),
/// so that data covering part of the block — a flush of 30 minutes that
/// happens to cross a window edge — is not cut into two small chunks.
struct BlockChunkSplitter: Sendable {
    let minTime: Int64
    /// `maxTime - minTime`, as an unsigned distance so that no range overflows.
    let duration: UInt64
    let samplesPerChunk: Int

    init(minTime: Int64, maxTime: Int64, samplesPerChunk: Int) {
        precondition(samplesPerChunk > 0, "samplesPerChunk must be positive")
        self.minTime = minTime
        self.duration = UInt64(bitPattern: maxTime &- minTime)
        self.samplesPerChunk = samplesPerChunk
    }

    /// The index ranges of the chunks of `timestamps` (sorted, strictly
    /// increasing, within the block's range), in order, covering all of them.
    /// - Complexity: O(n).
    func ranges(_ timestamps: [Int64]) -> [Range<Int>] {
        let n = timestamps.count
        guard n > 1 else { return n == 0 ? [] : [0..<1] }
        let width = windowWidth(timestamps)
        var pieces: [Range<Int>] = []
        var start = 0
        var window = self.window(of: timestamps[0], width: width)
        for i in 1..<n {
            let w = self.window(of: timestamps[i], width: width)
            if w != window {
                appendSplitting(start..<i, to: &pieces)
                start = i
                window = w
            }
        }
        appendSplitting(start..<n, to: &pieces)
        var out: [Range<Int>] = []
        out.reserveCapacity(pieces.count)
        for piece in pieces {
            if let last = out.last, last.count < samplesPerChunk / 2 || piece.count < samplesPerChunk / 2,
                last.count + piece.count <= 2 * samplesPerChunk
            {
                out[out.count - 1] = last.lowerBound..<piece.upperBound
            } else {
                out.append(piece)
            }
        }
        return out
    }

    /// The window width in milliseconds for this series.
    private func windowWidth(_ timestamps: [Int64]) -> UInt64 {
        let gaps = timestamps.count - 1
        let picks = min(31, gaps)
        var sample: [UInt64] = []
        sample.reserveCapacity(picks)
        for i in 0..<picks {
            let d = i * gaps / picks
            sample.append(UInt64(bitPattern: timestamps[d + 1] &- timestamps[d]))
        }
        sample.sort()
        let interval = Double(max(1, sample[picks / 2]))
        let windows = (Double(duration) / (interval * Double(samplesPerChunk))).rounded()
        let k = UInt64(min(max(windows, 1), Double(timestamps.count)))
        // ceil(duration / k), at least 1.
        return max(1, duration / k + (duration % k == 0 ? 0 : 1))
    }

    private func window(of t: Int64, width: UInt64) -> UInt64 {
        UInt64(bitPattern: t &- minTime) / width
    }

    /// Appends `range` as one chunk, or as equal parts when it holds more
    /// than twice the target.
    private func appendSplitting(_ range: Range<Int>, to out: inout [Range<Int>]) {
        let m = range.count
        guard m > 2 * samplesPerChunk else {
            out.append(range)
            return
        }
        let parts = (m + samplesPerChunk - 1) / samplesPerChunk
        var start = range.lowerBound
        for p in 0..<parts {
            let end = range.lowerBound + (p + 1) * m / parts
            out.append(start..<end)
            start = end
        }
    }
}
