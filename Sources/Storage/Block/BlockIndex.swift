import Encoding

/// The `index` file of a block, mapped, with its sections located from the
/// TOC. Opening reads the header and the 108-byte TOC and checks that the
/// sections tile the file; nothing else is read until a query needs it.
///
/// The four tables (symbols, series groups, timestamp columns, postings
/// table) are checked by ``verifyTables()`` before first use; series groups
/// and postings lists carry a CRC each, checked whenever one is read, so the
/// cost of checking follows the cost of reading.
struct BlockIndex: Sendable {
    let file: MappedFile
    /// The byte ranges of the sections, CRCs included, by ``BlockFormat/Section``.
    let sections: [Range<Int>]
    let seriesCount: Int
    let groupCount: Int
    let columnCount: Int
    let symbolCount: Int
    let nameCount: Int
    let valueCount: Int

    var path: String { file.path }

    init(file: MappedFile) throws(StorageError) {
        self.file = file
        let size = file.count
        let path = file.path
        guard size >= BlockFormat.headerSize + BlockFormat.tocSize else {
            throw BlockFiles.corruption(path, at: 0, "index of \(size) bytes is shorter than header and TOC")
        }
        guard file.load(0, as: UInt32.self) == BlockFormat.indexMagic else {
            throw BlockFiles.corruption(path, at: 0, "not a block index (bad magic)")
        }
        guard file.load(4, as: UInt8.self) == BlockFormat.version else {
            throw BlockFiles.corruption(
                path, at: 4, "index format version \(file.load(4, as: UInt8.self)), expected \(BlockFormat.version)")
        }
        guard file.load(5, as: UInt8.self) == 0, file.load(6, as: UInt16.self) == 0 else {
            throw BlockFiles.corruption(path, at: 5, "reserved header bytes are not zero")
        }
        let tocStart = size - BlockFormat.tocSize
        let tocBody = tocStart..<size - 4
        let storedCRC = file.load(size - 4, as: UInt32.self)
        let computedCRC = CRC32C.checksum(file.slice(tocBody))
        guard storedCRC == computedCRC else {
            throw BlockFiles.corruption(
                path, at: tocStart,
                "TOC checksum mismatch (stored \(BlockFiles.hex(storedCRC)), computed \(BlockFiles.hex(computedCRC)))")
        }
        var sections: [Range<Int>] = []
        var expectedStart = BlockFormat.headerSize
        for section in BlockFormat.Section.allCases {
            let at = tocStart + section.rawValue * 16
            let offset = file.load(at, as: UInt64.self)
            let length = file.load(at + 8, as: UInt64.self)
            guard offset == UInt64(expectedStart), length <= UInt64(tocStart - expectedStart) else {
                throw BlockFiles.corruption(
                    path, at: at,
                    "TOC places section \(section) at \(offset)+\(length), expected to start at \(expectedStart)")
            }
            sections.append(expectedStart..<expectedStart + Int(length))
            expectedStart += Int(length)
        }
        guard expectedStart == tocStart else {
            throw BlockFiles.corruption(
                path, at: expectedStart, "\(tocStart - expectedStart) bytes between sections and TOC")
        }
        self.sections = sections
        let seriesCount64 = file.load(tocStart + 96, as: UInt64.self)
        guard seriesCount64 < UInt64(UInt32.max) else {
            throw BlockFiles.corruption(path, at: tocStart + 96, "series count \(seriesCount64)")
        }
        seriesCount = Int(seriesCount64)
        groupCount = (seriesCount + BlockFormat.seriesPerGroup - 1) / BlockFormat.seriesPerGroup

        func expect(_ ok: Bool, _ section: BlockFormat.Section, _ what: @autoclosure () -> String) throws(StorageError)
        {
            if !ok { throw BlockFiles.corruption(path, at: sections[section.rawValue].lowerBound, what()) }
        }
        let groups = sections[BlockFormat.Section.seriesGroups.rawValue]
        try expect(
            groups.count == 8 * groupCount + 4, .seriesGroups,
            "series group table of \(groups.count) bytes for \(seriesCount) series")
        let series = sections[BlockFormat.Section.series.rawValue]
        try expect(
            seriesCount == 0 ? series.isEmpty : series.count >= 5 * groupCount, .series,
            "series section of \(series.count) bytes for \(seriesCount) series")
        let columns = sections[BlockFormat.Section.columns.rawValue]
        try expect(
            columns.count >= 4 && (columns.count - 4) % BlockFormat.columnEntrySize == 0, .columns,
            "timestamp column table of \(columns.count) bytes")
        columnCount = (columns.count - 4) / BlockFormat.columnEntrySize

        let symbols = sections[BlockFormat.Section.symbols.rawValue]
        try expect(symbols.count >= 8, .symbols, "symbol table of \(symbols.count) bytes")
        symbolCount = Int(file.load(symbols.lowerBound, as: UInt32.self))
        let strides = (symbolCount + BlockFormat.symbolStride - 1) / BlockFormat.symbolStride
        try expect(
            4 + 4 * strides + symbolCount <= symbols.count - 4, .symbols,
            "symbol table of \(symbols.count) bytes cannot hold \(symbolCount) symbols")

        let table = sections[BlockFormat.Section.postingsTable.rawValue]
        try expect(table.count >= 8, .postingsTable, "postings table of \(table.count) bytes")
        nameCount = Int(file.load(table.lowerBound, as: UInt32.self))
        let namesBytes = nameCount * BlockFormat.nameEntrySize
        let valuesBytes = table.count - 8 - namesBytes
        try expect(
            valuesBytes >= 0 && valuesBytes % BlockFormat.valueEntrySize == 0, .postingsTable,
            "postings table of \(table.count) bytes for \(nameCount) label names")
        valueCount = valuesBytes / BlockFormat.valueEntrySize
    }

    func section(_ section: BlockFormat.Section) -> Range<Int> { sections[section.rawValue] }

    /// Checks the CRCs of the four tables, and that the names' value ranges
    /// tile the value entries. O(size of the tables); call once.
    func verifyTables() throws(StorageError) {
        for section in [BlockFormat.Section.symbols, .seriesGroups, .columns, .postingsTable] {
            let range = self.section(section)
            try verifyChecksum(range.lowerBound..<range.upperBound - 4, what: "\(section)")
        }
        var expectedFirst = 0
        for k in 0..<nameCount {
            let name = nameEntry(k)
            guard name.firstValue == expectedFirst, name.valueCount >= 1, name.symbol < symbolCount else {
                throw BlockFiles.corruption(
                    path, at: nameEntryOffset(k),
                    "label name \(k): values from \(name.firstValue), \(name.valueCount) of them")
            }
            expectedFirst += name.valueCount
        }
        guard expectedFirst == valueCount else {
            throw BlockFiles.corruption(
                path, at: section(.postingsTable).lowerBound,
                "label names cover \(expectedFirst) of \(valueCount) values")
        }
    }

    /// Throws `.corruption` unless the 4 bytes after `range` are its CRC-32C.
    func verifyChecksum(_ range: Range<Int>, what: @autoclosure () -> String) throws(StorageError) {
        let stored = file.load(range.upperBound, as: UInt32.self)
        let computed = CRC32C.checksum(file.slice(range))
        guard stored == computed else {
            throw BlockFiles.corruption(
                path, at: range.lowerBound,
                "\(what()) (\(range.count) bytes) checksum mismatch (stored \(BlockFiles.hex(stored)), computed \(BlockFiles.hex(computed)))"
            )
        }
    }

    // MARK: Tables

    /// A timestamp column's entry; `j < columnCount`.
    func column(_ j: Int) -> BlockColumnEntry {
        let at = section(.columns).lowerBound + j * BlockFormat.columnEntrySize
        return BlockColumnEntry(
            offset: file.load(at, as: UInt64.self),
            minTime: Int64(bitPattern: file.load(at + 8, as: UInt64.self)),
            maxTime: Int64(bitPattern: file.load(at + 16, as: UInt64.self)),
            count: file.load(at + 24, as: UInt32.self),
            length: file.load(at + 28, as: UInt32.self))
    }

    func columnEntryOffset(_ j: Int) -> Int { section(.columns).lowerBound + j * BlockFormat.columnEntrySize }

    /// A label name's entry; `k < nameCount`.
    func nameEntry(_ k: Int) -> (symbol: Int, firstValue: Int, valueCount: Int) {
        let at = nameEntryOffset(k)
        return (
            Int(file.load(at, as: UInt32.self)), Int(file.load(at + 4, as: UInt32.self)),
            Int(file.load(at + 8, as: UInt32.self))
        )
    }

    func nameEntryOffset(_ k: Int) -> Int { section(.postingsTable).lowerBound + 4 + k * BlockFormat.nameEntrySize }

    /// A label value's entry (over all names); `j < valueCount`.
    func valueEntry(_ j: Int) -> (symbol: Int, postingsOffset: UInt64) {
        let at = valueEntryOffset(j)
        return (Int(file.load(at, as: UInt32.self)), file.load(at + 4, as: UInt64.self))
    }

    func valueEntryOffset(_ j: Int) -> Int {
        section(.postingsTable).lowerBound + 4 + nameCount * BlockFormat.nameEntrySize + j * BlockFormat.valueEntrySize
    }

    /// The byte range of series group `g`, without its CRC.
    func groupRange(_ g: Int) throws(StorageError) -> Range<Int> {
        let table = section(.seriesGroups).lowerBound
        let series = section(.series)
        let start = file.load(table + 8 * g, as: UInt64.self)
        let end = g + 1 < groupCount ? file.load(table + 8 * (g + 1), as: UInt64.self) : UInt64(series.count)
        guard start < end, end <= UInt64(series.count), end - start >= 5 else {
            throw BlockFiles.corruption(
                path, at: table + 8 * g, "series group \(g) spans \(start)..<\(end) of \(series.count)")
        }
        return series.lowerBound + Int(start)..<series.lowerBound + Int(end) - 4
    }

    /// The series numbers of value entry `j`, checked against their CRC.
    func postings(_ j: Int) throws(StorageError) -> [SeriesRef] {
        let section = self.section(.postings)
        let entry = valueEntry(j)
        guard entry.postingsOffset < UInt64(section.count) else {
            throw BlockFiles.corruption(
                path, at: valueEntryOffset(j), "postings offset \(entry.postingsOffset) beyond section")
        }
        let start = section.lowerBound + Int(entry.postingsOffset)
        var cursor = ByteCursor(file.slice(start..<section.upperBound))
        guard let count = cursor.readUVarint(), count >= 1, count <= UInt64(seriesCount),
            let list = BlockPostingsCoding.decode(&cursor, count: Int(count), limit: seriesCount),
            cursor.remaining >= 4
        else {
            throw BlockFiles.corruption(path, at: start, "malformed postings list")
        }
        try verifyChecksum(start..<start + cursor.offset, what: "postings list")
        return list
    }
}

/// One entry of the timestamp-column table.
struct BlockColumnEntry: Sendable {
    var offset: UInt64
    var minTime: Int64
    var maxTime: Int64
    var count: UInt32
    var length: UInt32
}
