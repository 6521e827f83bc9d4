import MeridianModel

extension BlockReader {
    /// Checks the whole block: every checksum, the order of symbols, names,
    /// values and series, every chunk decoded, every postings list against
    /// the series' labels, and the counts in `meta.json`. For tests, tools
    /// and a compactor that wants to be sure of its inputs; queries check only
    /// what they read.
    /// - Complexity: O(block size); memory O(labels of all series).
    public func verify() throws(StorageError) {
        let names = try labelNameTable()
        let path = index.path

        var previous: UnsafeRawBufferPointer?
        for i in 0..<index.symbolCount {
            let symbol = try index.symbol(i)
            if let previous, BlockIndex.compare(previous, Array(symbol)) >= 0 {
                throw BlockFiles.corruption(path, at: index.section(.symbols).lowerBound, "symbol \(i) out of order")
            }
            previous = symbol
        }
        for k in 0..<names.count {
            let name = index.nameEntry(k)
            var last = -1
            for j in name.firstValue..<name.firstValue + name.valueCount {
                let symbol = index.valueEntry(j).symbol
                guard symbol > last, symbol < index.symbolCount else {
                    throw BlockFiles.corruption(path, at: index.valueEntryOffset(j), "label value \(j) out of order")
                }
                last = symbol
            }
        }

        var decoder = BlockSeriesDecoder(index)
        var strings = BlockLabelStrings(index: index, names: names)
        var expectedPostings = [[SeriesRef]](repeating: [], count: index.valueCount)
        var columnUsed = [Bool](repeating: false, count: index.columnCount)
        var previousLabels: Labels?
        var samples = 0
        var chunkCount = 0
        var timestamps: [Int64] = []
        var values: [Double] = []
        // Runs and columns tile `chunks`: the last one ends at its end.
        var chunksEnd = BlockFormat.headerSize
        for i in 0..<index.seriesCount {
            let entry = try decoder.entry(i)
            let labels = try strings.labels(entry)
            if let previousLabels, !(previousLabels < labels) {
                throw BlockFiles.corruption(path, at: entry.indexOffset, "series \(i) out of label order")
            }
            previousLabels = labels
            for label in entry.labels { expectedPostings[label.value].append(SeriesRef(i)) }
            let refs = try chunkRefs(entry)
            try verifyRun(entry)
            chunksEnd = max(chunksEnd, (refs.last.map { $0.valueOffset + $0.valueLength } ?? 0) + 4)
            for ref in refs {
                chunksEnd = max(chunksEnd, ref.timestampOffset + ref.timestampLength + 4)
                try verifyColumn(ref)
                try decodeTimestamps(ref, into: &timestamps)
                for t in 1..<max(1, timestamps.count) where timestamps[t] <= timestamps[t - 1] {
                    throw BlockFiles.corruption(chunks.path, at: ref.timestampOffset, "timestamps do not increase")
                }
                try decodeValues(ref, into: &values)
                columnUsed[ref.column] = true
                samples += ref.count
                chunkCount += 1
            }
        }
        for j in 0..<index.valueCount {
            guard try index.postings(j) == expectedPostings[j] else {
                throw BlockFiles.corruption(
                    path, at: index.valueEntryOffset(j), "postings list \(j) disagrees with the series' labels")
            }
        }
        if let unused = columnUsed.firstIndex(of: false) {
            throw BlockFiles.corruption(
                path, at: index.columnEntryOffset(unused), "timestamp column \(unused) is unused")
        }
        guard chunksEnd == chunks.count else {
            throw BlockFiles.corruption(
                chunks.path, at: chunksEnd, "\(chunks.count - chunksEnd) bytes that nothing refers to")
        }
        guard samples == meta.stats.samples, chunkCount == meta.stats.chunks else {
            throw StorageError(
                .corruption,
                "block: \(directory)/meta.json at offset 0: says \(meta.stats.samples) samples in \(meta.stats.chunks) chunks, the block holds \(samples) in \(chunkCount)"
            )
        }
    }
}
