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

    /// Reads each source whole and merges the arrays, which is much cheaper
    /// than picking sample by sample across `any SampleIterator`s.
    public mutating func readAll(into out: inout [Sample]) {
        guard !started else {
            while next() { out.append(at()) }
            return
        }
        started = true
        var parts: [[Sample]] = []
        for i in sources.indices {
            var samples: [Sample] = []
            sources[i].readAll(into: &samples)
            parts.append(samples)
        }
        // The usual case: each source covers its own stretch of time (blocks,
        // then the head), so the parts only need putting in time order.
        let nonEmpty = parts.filter { !$0.isEmpty }.sorted { $0[0].t < $1[0].t }
        if zip(nonEmpty, nonEmpty.dropFirst()).allSatisfy({ $0.last!.t < $1[0].t }) {
            out.reserveCapacity(out.count + nonEmpty.reduce(0) { $0 + $1.count })
            for part in nonEmpty { out.append(contentsOf: part) }
            return
        }
        out.append(contentsOf: parts.reduce([]) { Self.merge($0, $1) })
    }

    /// Two time-sorted arrays as one, one sample per timestamp, `first`'s on a tie.
    static func merge(_ first: [Sample], _ second: [Sample]) -> [Sample] {
        guard let firstEnd = first.last?.t, let secondEnd = second.last?.t else {
            return first.isEmpty ? second : first
        }
        if firstEnd < second[0].t { return first + second }
        if secondEnd < first[0].t { return second + first }
        var out: [Sample] = []
        out.reserveCapacity(first.count + second.count)
        var i = 0
        var j = 0
        while i < first.count && j < second.count {
            let a = first[i]
            let b = second[j]
            if a.t <= b.t {
                out.append(a)
                i += 1
                if a.t == b.t { j += 1 }
            } else {
                out.append(b)
                j += 1
            }
        }
        out.append(contentsOf: first[i...])
        out.append(contentsOf: second[j...])
        return out
    }

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
