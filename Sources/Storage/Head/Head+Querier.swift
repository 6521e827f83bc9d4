import MeridianModel

extension Head: Querier {
    /// Series matching `matchers` that have samples in `[mint, maxt]`, sorted by labels.
    /// Chunks are snapshotted under the stripe locks; iteration runs without locks.
    /// - Complexity: O(postings touched + matching series × chunks).
    public func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) throws -> [StoredSeries] {
        var found: [(PackedLabels, [HeadChunk], [Sample])] = []
        forEachSeries(matching: matchers) { series in
            let chunks = series.chunks(overlapping: mint, maxt)
            let outOfOrder = series.outOfOrderSamples(mint, maxt)
            if !chunks.isEmpty || !outOfOrder.isEmpty { found.append((series.labels, chunks, outOfOrder)) }
        }
        var result = found.map { packed, chunks, outOfOrder in
            StoredSeries(labels: packed.labels()) { () -> any SampleIterator in
                let inOrder = HeadSeriesIterator(chunks: chunks, mint: mint, maxt: maxt)
                if outOfOrder.isEmpty { return inOrder }
                return MergingSampleIterator([inOrder, ArraySampleIterator(outOfOrder)])
            }
        }
        result.sort { $0.labels < $1.labels }
        return result
    }

    public func labelNames(matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) throws -> [String] {
        if matchers.isEmpty { return index.withLock { $0.postings.labelNames } }
        return try labelNamesOfSelected(matching: matchers, mint: mint, maxt: maxt)
    }

    public func labelValues(
        _ name: String, matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp
    ) throws -> [String] {
        if matchers.isEmpty { return index.withLock { $0.postings.labelValues(name) } }
        return try labelValuesOfSelected(name, matching: matchers, mint: mint, maxt: maxt)
    }

    /// Calls `body` for each series selected by `matchers`, locking each stripe once.
    func forEachSeries(matching matchers: [LabelMatcher], _ body: (borrowing MemSeries) -> Void) {
        let locations = index.withLock { state in
            state.postings.postings(for: matchers).compactMap { state.locations[Int($0)] }
        }
        var byStripe = Array(repeating: [Int32](), count: stripes.count)
        for location in locations { byStripe[Int(location.stripe)].append(location.slot) }
        for (stripeNumber, slots) in byStripe.enumerated() where !slots.isEmpty {
            stripes[stripeNumber].state.withLock { stripe in
                for slot in slots { body(stripe.series[Int(slot)]) }
            }
        }
    }
}
