import Logging
import MeridianModel

/// Writes one block: series go in with ``add(labels:timestamps:values:)`` in
/// ascending label order, and ``finish()`` makes the block visible at once.
///
/// Everything is written under `<parent>/<id>.tmp/`; `finish` fsyncs each
/// file and the directory, renames it to `<parent>/<id>/` and fsyncs
/// `<parent>`. A block directory without `.tmp` is therefore always complete,
/// and a `.tmp` left by a crash is deleted by
/// ``BlockDirectory/removeTemporaries(dataDir:logger:)``. A writer dropped
/// before `finish` (say, after an error) deletes its `.tmp` itself.
///
/// Memory: chunk bytes stream to the file as series arrive; the index
/// (symbols, label pairs, chunk references, postings) is held until `finish`,
/// about 12 bytes a label and 8 bytes a chunk, plus the distinct timestamp
/// columns (kept up to 64 MiB to compare new ones against).
///
/// Not thread-safe: one thread writes a block.
public final class BlockWriter {
    /// The new block's ID.
    public let id: BlockID
    /// The start of the block's range (inclusive): every sample has
    /// `minTime <= t < maxTime`.
    public let minTime: Timestamp
    /// The end of the block's range (exclusive).
    public let maxTime: Timestamp
    let level: Int
    let sources: [BlockID]
    let parents: [BlockID]
    let parentDirectory: String
    let temporaryDirectory: String
    let finalDirectory: String
    let logger: Logger
    let codec: BlockColumnCodec
    let splitter: BlockChunkSplitter

    var chunkFile: BlockFileWriter?
    private(set) var columns = TimestampColumnTable()
    var index = BlockIndexBuilder()
    private var previousLabels: Labels?
    var samples = 0
    var chunkCount = 0
    /// Bytes of value runs (columns and their CRCs), for size reports.
    private(set) var valueBytes = 0
    var state = State.open

    enum State { case open, failed, finished }

    /// Starts a block in `parentDirectory` (the blocks directory,
    /// ``BlockDirectory/path(dataDir:)``, created when missing).
    /// - Parameters:
    ///   - minTime: the first millisecond of the block's range (inclusive).
    ///   - maxTime: the end of the range (exclusive); must exceed `minTime`.
    ///   - level: 1 for a block cut from the head; compaction passes its level.
    ///   - sources: the level-1 blocks whose data this holds; nil means the new
    ///     block itself (a level-1 block).
    ///   - parents: the blocks merged into this one (compaction).
    public convenience init(
        parentDirectory: String, minTime: Timestamp, maxTime: Timestamp, level: Int = 1,
        sources: [BlockID]? = nil, parents: [BlockID] = [], logger: Logger
    ) throws(StorageError) {
        try self.init(
            parentDirectory: parentDirectory, minTime: minTime, maxTime: maxTime, level: level, sources: sources,
            parents: parents, samplesPerChunk: BlockFormat.defaultSamplesPerChunk, id: .generate(), codec: .standard,
            logger: logger)
    }

    /// The full initializer: tests pin the ID and the codec, benchmarks vary
    /// the chunk size.
    init(
        parentDirectory: String, minTime: Timestamp, maxTime: Timestamp, level: Int, sources: [BlockID]?,
        parents: [BlockID], samplesPerChunk: Int, id: BlockID, codec: BlockColumnCodec, logger: Logger
    ) throws(StorageError) {
        precondition(minTime < maxTime, "a block's minTime must be below its maxTime")
        precondition(level >= 1, "block levels start at 1")
        self.id = id
        self.minTime = minTime
        self.maxTime = maxTime
        self.level = level
        self.sources = sources ?? [id]
        self.parents = parents
        self.parentDirectory = parentDirectory
        self.temporaryDirectory = BlockFiles.join(parentDirectory, "\(id).tmp")
        self.finalDirectory = BlockFiles.join(parentDirectory, "\(id)")
        self.logger = logger
        self.codec = codec
        self.splitter = BlockChunkSplitter(minTime: minTime, maxTime: maxTime, samplesPerChunk: samplesPerChunk)

        try BlockFiles.makeDirectories(parentDirectory)
        try BlockFiles.remove(temporaryDirectory)
        try BlockFiles.makeDirectories(temporaryDirectory)
        do throws(StorageError) {
            let file = try BlockFileWriter(path: BlockFiles.join(temporaryDirectory, "chunks"))
            var header: [UInt8] = []
            header.appendUInt32LE(BlockFormat.chunksMagic)
            header += [BlockFormat.version, 0, 0, 0]
            try file.append(header)
            chunkFile = file
        } catch {
            try? BlockFiles.remove(temporaryDirectory)
            throw error
        }
    }

    deinit {
        guard state != .finished else { return }
        chunkFile = nil
        do {
            try BlockFiles.remove(temporaryDirectory)
        } catch {
            logger.warning("block: cannot remove unfinished block \(temporaryDirectory): \(error)")
        }
    }

    /// Adds a series. Series must come in strictly ascending label order
    /// (`Labels` `<`); timestamps strictly increasing and within
    /// `[minTime, maxTime)`; one value per timestamp. A series without samples
    /// is skipped (blocks hold only series with data).
    ///
    /// Throws `.outOfOrderSample` for series or samples out of order or out of
    /// range (nothing is written then, and the writer stays usable), `.io`
    /// when the file cannot be written (the writer is then unusable), and
    /// `.closed` after `finish` or a failure.
    /// - Complexity: O(samples) to encode, plus a hash lookup per chunk.
    public func add(labels: Labels, timestamps: [Int64], values: [Double]) throws(StorageError) {
        precondition(timestamps.count == values.count, "one value per timestamp")
        guard state == .open, let chunkFile else {
            throw StorageError(.closed, "block: writer for \(temporaryDirectory) is finished or failed")
        }
        try validate(labels, timestamps)
        previousLabels = labels
        guard !timestamps.isEmpty else { return }

        do throws(StorageError) {
            let ranges = splitter.ranges(timestamps)
            var chunkColumns: [UInt32] = []
            var encodedValues: [[UInt8]] = []
            chunkColumns.reserveCapacity(ranges.count)
            encodedValues.reserveCapacity(ranges.count)
            for range in ranges {
                let slice = timestamps[range]
                let column = try columns.column(
                    for: codec.encodeTimestamps(Array(slice)), timestamps: slice, file: chunkFile)
                chunkColumns.append(column)
                encodedValues.append(codec.encodeValues(Array(values[range])))
            }
            // The value run: every chunk's values back to back, then one CRC.
            let runOffset = UInt64(chunkFile.position)
            chunkFile.beginChecksum()
            for bytes in encodedValues {
                guard bytes.count <= Int(UInt32.max) else {
                    throw StorageError(.io, "block: a value column of \(bytes.count) bytes exceeds the format")
                }
                try chunkFile.append(bytes)
            }
            try chunkFile.appendChecksum()
            valueBytes += Int(UInt64(chunkFile.position) - runOffset)
            index.addSeries(
                labels, columns: chunkColumns, valueLengths: encodedValues.map { UInt32($0.count) },
                runOffset: runOffset)
            samples += timestamps.count
            chunkCount += ranges.count
        } catch {
            state = .failed
            throw error
        }
    }

    private func validate(_ labels: Labels, _ timestamps: [Int64]) throws(StorageError) {
        if let previousLabels, !(previousLabels < labels) {
            throw StorageError(
                .outOfOrderSample,
                "block: series \(labels) added after \(previousLabels); series must come in ascending label order")
        }
        for i in labels.indices.dropFirst()
        where !labels[i - 1].name.utf8.lexicographicallyPrecedes(labels[i].name.utf8) {
            throw StorageError(.outOfOrderSample, "block: labels of \(labels) are not sorted by name")
        }
        guard let first = timestamps.first else { return }
        if first < minTime || timestamps.last! >= maxTime {
            throw StorageError(
                .outOfOrderSample,
                "block: series \(labels) has samples in [\(first), \(timestamps.last!)], outside the block's [\(minTime), \(maxTime))"
            )
        }
        for i in timestamps.indices.dropFirst() where timestamps[i] <= timestamps[i - 1] {
            throw StorageError(
                .outOfOrderSample,
                "block: series \(labels) has timestamp \(timestamps[i]) after \(timestamps[i - 1]); timestamps must increase"
            )
        }
    }
}
