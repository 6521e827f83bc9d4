import MeridianModel

/// Samples cut off from the head to be written into a block: immutable, and
/// queryable until the block that holds them is published, so that no sample
/// is invisible while it moves from memory to disk.
public final class FrozenHead: Querier, Sendable {
    /// One series' frozen samples: in-order chunks and out-of-order samples.
    struct Series: Sendable {
        let labels: Labels
        let chunks: [HeadChunk]
        let outOfOrder: [Sample]

        func iterator(mint: Timestamp, maxt: Timestamp) -> any SampleIterator {
            let inOrder = HeadSeriesIterator(chunks: chunks, mint: mint, maxt: maxt)
            let late = outOfOrder.filter { $0.t >= mint && $0.t <= maxt }
            return late.isEmpty ? inOrder : MergingSampleIterator([inOrder, ArraySampleIterator(late)])
        }
    }

    /// Series sorted by labels.
    let series: [Series]
    /// Every sample is older than this.
    public let boundary: Timestamp
    /// Oldest and newest sample, nil when nothing was frozen.
    public let timeRange: ClosedRange<Timestamp>?

    init(series: [Series], boundary: Timestamp) {
        self.series = series.sorted { $0.labels < $1.labels }
        self.boundary = boundary
        var low = Timestamp.max
        var high = Timestamp.min
        for s in series {
            if let first = s.chunks.first { low = min(low, first.minTime) }
            if let last = s.chunks.last { high = max(high, last.maxTime) }
            if let first = s.outOfOrder.first { low = min(low, first.t) }
            if let last = s.outOfOrder.last { high = max(high, last.t) }
        }
        timeRange = low <= high ? low...high : nil
    }

    /// The number of series.
    public var seriesCount: Int { series.count }

    /// Calls `body` for every series in label order with its samples in
    /// `[mint, maxt)`, merged and one per timestamp: what a block writer takes.
    public func forEachSeries(
        from mint: Timestamp, to maxt: Timestamp, _ body: (Labels, [Timestamp], [Double]) throws -> Void
    ) rethrows {
        var timestamps: [Timestamp] = []
        var values: [Double] = []
        for s in series {
            timestamps.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            var it = s.iterator(mint: mint, maxt: maxt - 1)
            while it.next() {
                timestamps.append(it.at().t)
                values.append(it.at().v)
            }
            if !timestamps.isEmpty { try body(s.labels, timestamps, values) }
        }
    }

    // MARK: - Querier (a linear scan: a frozen head lives only while its block is written)

    public func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext) throws
        -> [StoredSeries]
    {
        var interruption = InterruptionProbe(context)
        let selected = series.filter { s in
            !interruption.poll() && matchers.allSatisfy { $0.matches(s.labels[$0.name] ?? "") }
        }
        try context.reserveSeries(selected.count)
        return selected.compactMap { s in
            var probe = s.iterator(mint: mint, maxt: maxt)
            guard probe.next() else { return nil }
            let bound = s.chunks.reduce(s.outOfOrder.count) { $0 + $1.chunk.sampleCount }
            return StoredSeries(labels: s.labels, sampleBound: bound) { s.iterator(mint: mint, maxt: maxt) }
        }
    }

    public func labelNames(matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext)
        throws -> [String]
    {
        try labelNamesOfSelected(matching: matchers, mint: mint, maxt: maxt, context: context)
    }

    public func labelValues(
        _ name: String, matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext
    ) throws -> [String] {
        try labelValuesOfSelected(name, matching: matchers, mint: mint, maxt: maxt, context: context)
    }
}
