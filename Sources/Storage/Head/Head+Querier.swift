import MeridianModel

extension Head: Querier {
    /// Series matching `matchers` that have samples in `[mint, maxt]`, sorted by labels.
    /// Chunks are snapshotted under the stripe locks; iteration runs without locks.
    /// - Complexity: O(postings touched + matching series × chunks).
    public func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext) throws
        -> [StoredSeries]
    {
        var found: [(PackedLabels, [HeadChunk], [Sample])] = []
        try forEachSeries(matching: matchers, context: context) { series in
            let chunks = series.chunks(overlapping: mint, maxt)
            let outOfOrder = series.outOfOrderSamples(mint, maxt)
            if !chunks.isEmpty || !outOfOrder.isEmpty { found.append((series.labels, chunks, outOfOrder)) }
        }
        // Sorted packed, before the labels are built: far cheaper than sorting
        // Labels; indices, so the sort moves integers, not arrays.
        let order = found.indices.sorted { found[$0].0 < found[$1].0 }
        return order.map { i in
            let (packed, chunks, outOfOrder) = found[i]
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

    /// Calls `body` for each series selected by `matchers`, locking each stripe once,
    /// after reserving the memory of the series a query will hold.
    /// - Throws: the context's ``QueryAbort`` when it is interrupted or out of memory.
    func forEachSeries(
        matching matchers: [LabelMatcher], context: QueryContext, _ body: (borrowing MemSeries) -> Void
    ) throws(QueryAbort) {
        let locations = index.withLock { state in
            state.postings.postings(for: matchers, context: context).compactMap { state.locations[Int($0)] }
        }
        try context.reserveSeries(locations.count)
        var byStripe = Array(repeating: [Int32](), count: stripes.count)
        for location in locations { byStripe[Int(location.stripe)].append(location.slot) }
        for (stripeNumber, slots) in byStripe.enumerated() where !slots.isEmpty {
            stripes[stripeNumber].state.withLock { stripe in
                for slot in slots { body(stripe.series[Int(slot)]) }
            }
        }
    }
}
