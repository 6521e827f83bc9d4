import Encoding

/// A series entry as the index holds it.
struct BlockSeriesEntry: Sendable {
    /// Per label, in name order: the name's ordinal and the value's entry
    /// (over all names) in the postings table.
    var labels: [(name: Int, value: Int)] = []
    /// Where the series' value run starts in `chunks`.
    var runOffset = 0
    /// Per chunk: its timestamp column and the byte length of its values.
    var chunks: [(column: Int, valueLength: Int)] = []
    /// Where the entry starts in `index`, for error messages.
    var indexOffset = 0
}

/// Decodes series entries by number. Entries are front-coded within a group
/// of 16 (docs/format/block.md), so reaching series `i` decodes its group
/// from the start; asking for increasing numbers — as postings are — decodes
/// each group at most once. A group's CRC is checked when it is loaded.
struct BlockSeriesDecoder {
    let index: BlockIndex
    private var group = -1
    private var next = 0
    private var groupRange = 0..<0
    private var cursor = ByteCursor(UnsafeRawBufferPointer(start: nil, count: 0))
    private var previous = BlockSeriesEntry()
    private var previousRunEnd = 0

    init(_ index: BlockIndex) {
        self.index = index
    }

    /// The entry of series `i` (< `seriesCount`).
    /// - Complexity: O(entries between the last one decoded and `i`), at most a group.
    mutating func entry(_ i: Int) throws(StorageError) -> BlockSeriesEntry {
        let g = i / BlockFormat.seriesPerGroup
        if g != group || i < next {
            groupRange = try index.groupRange(g)
            try index.verifyChecksum(groupRange, what: "series group \(g)")
            cursor = ByteCursor(index.file.slice(groupRange))
            group = g
            next = g * BlockFormat.seriesPerGroup
            previous = BlockSeriesEntry()
            previousRunEnd = 0
        }
        while next < i { _ = try decodeNext() }
        return try decodeNext()
    }

    private mutating func decodeNext() throws(StorageError) -> BlockSeriesEntry {
        let number = next
        let start = cursor.offset
        let path = index.path
        func fail(_ what: String) -> StorageError {
            BlockFiles.corruption(path, at: groupRange.lowerBound + start, "series \(number): \(what)")
        }
        let firstInGroup = number % BlockFormat.seriesPerGroup == 0
        var entry = BlockSeriesEntry()
        entry.indexOffset = groupRange.lowerBound + start

        guard let shared = cursor.readUVarint(), shared <= UInt64(previous.labels.count),
            let fresh = cursor.readUVarint(), fresh <= UInt64(cursor.remaining / 2)
        else { throw fail("malformed label counts") }
        entry.labels = Array(previous.labels.prefix(Int(shared)))
        entry.labels.reserveCapacity(Int(shared + fresh))
        for _ in 0..<fresh {
            guard let name = cursor.readUVarint(), let value = cursor.readUVarint() else {
                throw fail("malformed label")
            }
            guard name < UInt64(index.nameCount) else { throw fail("label name \(name) of \(index.nameCount)") }
            let nameEntry = index.nameEntry(Int(name))
            guard value < UInt64(nameEntry.valueCount) else {
                throw fail("label value \(value) of \(nameEntry.valueCount)")
            }
            if let last = entry.labels.last, last.name >= Int(name) { throw fail("label names out of order") }
            entry.labels.append((Int(name), nameEntry.firstValue + Int(value)))
        }

        guard let chunkCount = cursor.readUVarint(), chunkCount >= 1, chunkCount <= UInt64(cursor.remaining / 2),
            let runDelta = cursor.readUVarint(), runDelta < 1 << 48  // bounds the sums below: no overflow
        else { throw fail("malformed chunk count or run offset") }
        entry.runOffset = firstInGroup ? Int(runDelta) : previousRunEnd + Int(runDelta)
        entry.chunks.reserveCapacity(Int(chunkCount))
        var runLength = 0
        var previousColumn = -1
        for c in 0..<Int(chunkCount) {
            guard let delta = cursor.readVarint(), let length = cursor.readUVarint(), length <= UInt64(UInt32.max)
            else { throw fail("malformed chunk \(c)") }
            let base = c == 0 ? (previous.chunks.first?.column ?? 0) : previousColumn + 1
            let (column, overflow) = Int64(base).addingReportingOverflow(delta)
            guard !overflow, column >= 0, column < Int64(index.columnCount) else {
                throw fail("chunk \(c) refers to timestamp column \(base) + \(delta) of \(index.columnCount)")
            }
            entry.chunks.append((Int(column), Int(length)))
            previousColumn = Int(column)
            runLength += Int(length)
        }
        next += 1
        if next == min((group + 1) * BlockFormat.seriesPerGroup, index.seriesCount) && !cursor.isAtEnd {
            throw fail("\(cursor.remaining) stray bytes after the group's last series")
        }
        previous = entry
        previousRunEnd = entry.runOffset + runLength + 4
        return entry
    }
}
