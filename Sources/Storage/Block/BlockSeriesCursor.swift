import MeridianModel

/// One series of a block, fully decoded: what compaction merges.
public struct BlockSeries: Sendable {
    /// The series' labels.
    public var labels: Labels
    /// Its timestamps, strictly increasing, within the block's range.
    public var timestamps: [Int64]
    /// One value per timestamp, bit for bit as written.
    public var values: [Double]
}

/// Walks every series of a block in label order, decoding each completely:
/// the input of compaction, which merges several blocks' cursors by labels
/// (series numbers follow label order, so each cursor yields sorted series).
///
/// A pull cursor rather than a `Sequence` because reading can fail: `next()`
/// throws `.corruption` (path and offset in the message) for damaged bytes,
/// with every CRC checked on the way. Memory: one series at a time, plus the
/// distinct label value strings seen so far.
public struct BlockSeriesCursor {
    private let reader: BlockReader
    private var decoder: BlockSeriesDecoder
    private var strings: BlockLabelStrings
    private var nextSeries = 0
    /// The last timestamp column decoded. Label order puts a target's
    /// histogram buckets (and other same-name series) next to each other, so
    /// consecutive series often share it; one slot catches those runs.
    private var cachedColumn = -1
    private var cachedTimestamps: [Int64] = []

    init(reader: BlockReader) throws(StorageError) {
        self.reader = reader
        decoder = BlockSeriesDecoder(reader.index)
        strings = BlockLabelStrings(index: reader.index, names: try reader.labelNameTable())
    }

    /// The next series, or nil after the last.
    /// - Complexity: O(samples of the series).
    public mutating func next() throws(StorageError) -> BlockSeries? {
        guard nextSeries < reader.index.seriesCount else { return nil }
        let entry = try decoder.entry(nextSeries)
        nextSeries += 1
        let refs = try reader.chunkRefs(entry)
        try reader.verifyRun(entry)
        let total = refs.reduce(0) { $0 + $1.count }
        var series = BlockSeries(labels: try strings.labels(entry), timestamps: [], values: [])
        series.timestamps.reserveCapacity(total)
        series.values.reserveCapacity(total)
        var values: [Double] = []
        for ref in refs {
            if ref.column != cachedColumn {
                try reader.verifyColumn(ref)
                try reader.decodeTimestamps(ref, into: &cachedTimestamps)
                cachedColumn = ref.column
            }
            try reader.decodeValues(ref, into: &values)
            series.timestamps.append(contentsOf: cachedTimestamps)
            series.values.append(contentsOf: values)
        }
        return series
    }
}

extension BlockReader {
    /// A cursor over every series of the block, in label order, for
    /// compaction and export. Checks the index tables first.
    public func seriesCursor() throws(StorageError) -> BlockSeriesCursor {
        try BlockSeriesCursor(reader: self)
    }
}
