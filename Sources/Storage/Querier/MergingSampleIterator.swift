import MeridianModel

/// Merges several time-sorted iterators of one series into one, keeping one
/// sample per timestamp (the first source's, in argument order) — for a series
/// whose samples live partly in order, partly out of order, or in overlapping
/// blocks.
/// - Complexity: O(k) per sample for k sources (k is small: a handful).
public struct MergingSampleIterator: SampleIterator {
    private var sources: [any SampleIterator]
    /// Whether each source has a current sample.
    private var live: [Bool]
    private var current = Sample(t: 0, v: 0)
    private var started = false

    /// Merges `sources`; on equal timestamps the earlier source wins.
    public init(_ sources: [any SampleIterator]) {
        self.sources = sources
        self.live = Array(repeating: false, count: sources.count)
    }

    public mutating func next() -> Bool {
        if !started {
            started = true
            for i in sources.indices { live[i] = sources[i].next() }
        } else {
            // Advance every source sitting on the sample just returned.
            for i in sources.indices where live[i] && sources[i].at().t == current.t { live[i] = sources[i].next() }
        }
        return pickSmallest()
    }

    public mutating func seek(_ target: Timestamp) -> Bool {
        if started && current.t >= target && live.contains(true) { return true }
        started = true
        for i in sources.indices { live[i] = sources[i].seek(target) }
        return pickSmallest()
    }

    public func at() -> Sample { current }

    private mutating func pickSmallest() -> Bool {
        var best = -1
        for i in sources.indices where live[i] {
            if best < 0 || sources[i].at().t < sources[best].at().t { best = i }
        }
        guard best >= 0 else { return false }
        current = sources[best].at()
        return true
    }
}
