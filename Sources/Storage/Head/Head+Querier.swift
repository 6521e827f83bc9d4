import MeridianModel

extension Head: Querier {
    /// Series matching `matchers` that have samples in `[mint, maxt]`, sorted by labels.
    /// Chunks are snapshotted under the stripe locks; iteration runs without locks.
    /// - Complexity: O(postings touched + matching series × chunks).
    public func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext) throws
        -> [StoredSeries]
    {
        // Every selected series, as the stripes are visited, and where each
        // stands in postings order.
        var visited: [(labels: PackedLabels, chunks: [HeadChunk], outOfOrder: [Sample])] = []
        var positions: [Int] = []
        let refs = try forEachSeries(matching: matchers, context: context) { position, series in
            visited.append((series.labels, series.chunks(overlapping: mint, maxt), series.outOfOrderSamples(mint, maxt)))
            positions.append(position)
        }
        var atPosition = Array(repeating: 0, count: refs.count)
        for (i, position) in positions.enumerated() { atPosition[position] = i }
        // Sorted packed, before any labels are built, and only when these
        // series were not among the last selections': a sort costs more than the rest.
        let order = selectionOrders.order(of: refs) {
            atPosition.indices.sorted { visited[atPosition[$0]].labels < visited[atPosition[$1]].labels }
        }
        return order.compactMap { position in
            let (packed, chunks, outOfOrder) = visited[atPosition[position]]
            guard !chunks.isEmpty || !outOfOrder.isEmpty else { return nil }
            let bound = chunks.reduce(outOfOrder.count) { $0 + $1.chunk.sampleCount }
            return StoredSeries(labels: packed.labels(), sampleBound: bound) { () -> any SampleIterator in
                let inOrder = HeadSeriesIterator(chunks: chunks, mint: mint, maxt: maxt)
                if outOfOrder.isEmpty { return inOrder }
                return MergingSampleIterator([inOrder, ArraySampleIterator(outOfOrder)])
            }
        }
    }

    public func labelNames(matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext)
        throws -> [String]
    {
        if matchers.isEmpty { return index.withLock { $0.postings.labelNames } }
        return try labelNamesOfSelected(matching: matchers, mint: mint, maxt: maxt, context: context)
    }

    public func labelValues(
        _ name: String, matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext
    ) throws -> [String] {
        if matchers.isEmpty { return index.withLock { $0.postings.labelValues(name) } }
        return try labelValuesOfSelected(name, matching: matchers, mint: mint, maxt: maxt, context: context)
    }

    /// Calls `body` with each series selected by `matchers` and its position
    /// among them (postings order), locking each stripe once, after
    /// reserving the memory of the series a query will hold. Returns the
    /// selected refs, in that order.
    /// - Throws: the context's ``QueryAbort`` when it is interrupted or out of memory.
    func forEachSeries(
        matching matchers: [LabelMatcher], context: QueryContext, _ body: (Int, borrowing MemSeries) -> Void
    ) throws(QueryAbort) -> [SeriesRef] {
        let selected = index.withLock { state in
            state.postings.postings(for: matchers, context: context).compactMap { ref in
                state.locations[Int(ref)].map { (ref, $0) }
            }
        }
        try context.reserveSeries(selected.count)
        var byStripe = Array(repeating: [(slot: Int32, position: Int)](), count: stripes.count)
        for (position, (_, location)) in selected.enumerated() {
            byStripe[Int(location.stripe)].append((location.slot, position))
        }
        for (stripeNumber, slots) in byStripe.enumerated() where !slots.isEmpty {
            stripes[stripeNumber].state.withLock { stripe in
                for (slot, position) in slots { body(position, stripe.series[Int(slot)]) }
            }
        }
        return selected.map(\.0)
    }
}
