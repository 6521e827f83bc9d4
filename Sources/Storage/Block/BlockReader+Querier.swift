import MeridianModel

extension BlockReader {
    /// Series matching `matchers` with at least one sample in `[mint, maxt]`,
    /// sorted by labels; their iterators yield only samples in that range and
    /// decode chunks lazily.
    ///
    /// The bytes the iterators will decode (the series' value runs and the
    /// timestamp columns of the chunks in range) are checksummed here,
    /// because ``SampleIterator`` cannot report an error: damage throws
    /// `.corruption` from `select`, not a short series later.
    /// - Complexity: O(postings read + matching series × their chunks, plus
    ///   one timestamp decode per distinct column for chunks that straddle
    ///   the whole range).
    public func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext) throws
        -> [StoredSeries]
    {
        var strings = BlockLabelStrings(index: index, names: try labelNameTable())
        var checkedColumns = Set<Int>()
        var result: [StoredSeries] = []
        try forEachSeries(matching: matchers, mint: mint, maxt: maxt, context: context) {
            (entry, refs) throws(StorageError) in
            try verifyRun(entry)
            for ref in refs where checkedColumns.insert(ref.column).inserted { try verifyColumn(ref) }
            let labels = try strings.labels(entry)
            result.append(
                StoredSeries(labels: labels, sampleBound: refs.reduce(0) { $0 + $1.count }) { [self] in
                    BlockSeriesIterator(reader: self, chunks: refs, mint: mint, maxt: maxt)
                })
        }
        return result
    }

    /// Sorted label names of the series that match. With no matchers, every
    /// name in the block when the block meets `[mint, maxt]` (the head does
    /// the same: names are not tracked by time).
    public func labelNames(matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext)
        throws -> [String]
    {
        let names = try labelNameTable()
        guard meta.overlaps(mint: mint, maxt: maxt) else { return [] }
        if matchers.isEmpty { return names }
        var seen = [Bool](repeating: false, count: names.count)
        try forEachSeries(matching: matchers, mint: mint, maxt: maxt, context: context) { (entry, _) throws(StorageError) in
            for label in entry.labels { seen[label.name] = true }
        }
        return names.indices.filter { seen[$0] }.map { names[$0] }
    }

    /// Sorted values of label `name` over the series that match (all of its
    /// values with no matchers, when the block meets `[mint, maxt]`).
    public func labelValues(
        _ name: String, matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext
    ) throws -> [String] {
        let names = try labelNameTable()
        guard meta.overlaps(mint: mint, maxt: maxt), let k = try index.nameOrdinal(name) else { return [] }
        var strings = BlockLabelStrings(index: index, names: names)
        let entry = index.nameEntry(k)
        let all = entry.firstValue..<entry.firstValue + entry.valueCount
        var values: [String] = []
        if matchers.isEmpty {
            for j in all { values.append(try strings.value(j)) }
            return values
        }
        var seen = Set<Int>()
        try forEachSeries(matching: matchers, mint: mint, maxt: maxt, context: context) { (entry, _) throws(StorageError) in
            for label in entry.labels where label.name == k { seen.insert(label.value) }
        }
        // Value entries are in byte order, so sorting their numbers sorts the strings.
        for j in seen.sorted() { values.append(try strings.value(j)) }
        return values
    }

    /// Calls `body` with each series selected by `matchers` that has a sample
    /// in `[mint, maxt]`, in label order, with its chunks that meet the range,
    /// after reserving the memory of the series a query will hold.
    /// - Throws: `StorageError` for damage; the context's ``QueryAbort`` when
    ///   it is interrupted or out of memory.
    func forEachSeries(
        matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext,
        _ body: (BlockSeriesEntry, [BlockChunkRef]) throws(StorageError) -> Void
    ) throws {
        _ = try labelNameTable()
        guard meta.overlaps(mint: mint, maxt: maxt) else { return }
        let refs = try postings(for: matchers, context: context)
        try context.reserveSeries(refs.count)
        var interruption = InterruptionProbe(context)
        var decoder = BlockSeriesDecoder(index)
        // Whether a column has a sample in range, for chunks that straddle it;
        // ~40 series share each column, so this decodes each one once.
        var columnHasSample: [Int: Bool] = [:]
        var timestamps: [Int64] = []
        for r in refs {
            if interruption.poll() { break }
            let entry = try decoder.entry(Int(r))
            var kept = try chunkRefs(entry)
            kept.removeAll { $0.maxTime < mint || $0.minTime > maxt }
            guard let only = kept.first else { continue }
            // Several chunks in range, or one that starts or ends inside it,
            // hold a sample in range; a single chunk around the whole range may not.
            if kept.count == 1 && only.minTime < mint && only.maxTime > maxt {
                if columnHasSample[only.column] == nil {
                    try verifyColumn(only)
                    try decodeTimestamps(only, into: &timestamps)
                    let i = BlockSeriesIterator.firstIndex(in: timestamps, from: 0, atOrAfter: mint)
                    columnHasSample[only.column] = i < timestamps.count && timestamps[i] <= maxt
                }
                if columnHasSample[only.column] == false { continue }
            }
            try body(entry, kept)
        }
        try context.check()
    }
}
