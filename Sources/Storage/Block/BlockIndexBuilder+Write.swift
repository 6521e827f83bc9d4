import Encoding

extension BlockIndexBuilder {
    /// Writes the whole `index` file: header, the six sections, the TOC
    /// (docs/format/block.md). Sections are streamed through `file` with
    /// running checksums; nothing larger than one series group or postings
    /// list is assembled in memory.
    func write(to file: BlockFileWriter, columns: [TimestampColumnTable.Entry]) throws(StorageError) {
        var header: [UInt8] = []
        header.appendUInt32LE(BlockFormat.indexMagic)
        header += [BlockFormat.version, 0, 0, 0]
        try file.append(header)

        let symbolOf = symbolNumbers()
        let table = BlockPostingsTable(self, symbolOf: symbolOf)
        var toc: [(offset: Int, length: Int)] = []

        func section(_ body: () throws(StorageError) -> Void) throws(StorageError) {
            let start = file.position
            try body()
            toc.append((start, file.position - start))
        }

        try section { () throws(StorageError) in try writeSymbols(to: file, symbolOf: symbolOf) }
        var groupOffsets: [UInt64] = []
        try section { () throws(StorageError) in
            groupOffsets = try writeSeries(to: file, table: table)
        }
        try section { () throws(StorageError) in
            file.beginChecksum()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(groupOffsets.count * 8)
            for offset in groupOffsets { bytes.appendUInt64LE(offset) }
            try file.append(bytes)
            try file.appendChecksum()
        }
        try section { () throws(StorageError) in
            file.beginChecksum()
            var bytes: [UInt8] = []
            for entry in columns {
                bytes.appendUInt64LE(entry.offset)
                bytes.appendUInt64LE(UInt64(bitPattern: entry.minTime))
                bytes.appendUInt64LE(UInt64(bitPattern: entry.maxTime))
                bytes.appendUInt32LE(entry.count)
                bytes.appendUInt32LE(entry.length)
                if bytes.count >= 1 << 16 {
                    try file.append(bytes)
                    bytes.removeAll(keepingCapacity: true)
                }
            }
            try file.append(bytes)
            try file.appendChecksum()
        }
        var postingsOffsets: [UInt64] = []
        try section { () throws(StorageError) in
            postingsOffsets = try writePostings(to: file, table: table)
        }
        try section { () throws(StorageError) in
            file.beginChecksum()
            var bytes: [UInt8] = []
            bytes.appendUInt32LE(UInt32(table.names.count))
            for name in table.names {
                bytes.appendUInt32LE(symbolOf[Int(name.id)])
                bytes.appendUInt32LE(name.firstValue)
                bytes.appendUInt32LE(name.valueCount)
            }
            for (i, value) in table.values.enumerated() {
                bytes.appendUInt32LE(symbolOf[Int(value.valueID)])
                bytes.appendUInt64LE(postingsOffsets[i])
            }
            try file.append(bytes)
            try file.appendChecksum()
        }

        var tocBytes: [UInt8] = []
        for (offset, length) in toc {
            tocBytes.appendUInt64LE(UInt64(offset))
            tocBytes.appendUInt64LE(UInt64(length))
        }
        tocBytes.appendUInt64LE(UInt64(seriesCount))
        tocBytes.appendUInt32LE(CRC32C.checksum(tocBytes))
        try file.append(tocBytes)
    }

    /// The rank of each interned string in byte order: its symbol number.
    private func symbolNumbers() -> [UInt32] {
        let order = strings.indices.sorted { strings[$0].lexicographicallyPrecedes(strings[$1]) }
        var symbolOf = [UInt32](repeating: 0, count: strings.count)
        for (rank, id) in order.enumerated() { symbolOf[id] = UInt32(rank) }
        return symbolOf
    }

    /// `count u32 | offsets u32 × ⌈count/32⌉ | strings (uvarint length, bytes) | crc`.
    private func writeSymbols(to file: BlockFileWriter, symbolOf: [UInt32]) throws(StorageError) {
        var sorted = [[UInt8]](repeating: [], count: strings.count)
        for (id, symbol) in symbolOf.enumerated() { sorted[Int(symbol)] = strings[id] }
        let stride = BlockFormat.symbolStride
        let tableBytes = 4 + 4 * ((sorted.count + stride - 1) / stride)
        var offsets: [UInt8] = []
        offsets.appendUInt32LE(UInt32(sorted.count))
        var offset = tableBytes
        for (i, s) in sorted.enumerated() {
            if i % stride == 0 {
                guard offset <= Int(UInt32.max) else {
                    throw StorageError(.io, "block: \(file.path): symbol table exceeds 4 GiB")
                }
                offsets.appendUInt32LE(UInt32(offset))
            }
            offset += Varint.size(UInt64(s.count)) + s.count
        }
        file.beginChecksum()
        try file.append(offsets)
        var bytes: [UInt8] = []
        for s in sorted {
            Varint.appendUnsigned(UInt64(s.count), to: &bytes)
            bytes.append(contentsOf: s)
            if bytes.count >= 1 << 16 {
                try file.append(bytes)
                bytes.removeAll(keepingCapacity: true)
            }
        }
        try file.append(bytes)
        try file.appendChecksum()
    }

    /// Series entries in groups of 16, each group followed by its CRC; returns
    /// each group's offset from the start of the section.
    private func writeSeries(to file: BlockFileWriter, table: BlockPostingsTable) throws(StorageError) -> [UInt64] {
        let sectionStart = file.position
        var groupOffsets: [UInt64] = []
        var entry: [UInt8] = []
        var previousLabels: ArraySlice<UInt64> = []
        var previousRunEnd: UInt64 = 0
        var previousFirstColumn: Int64 = 0
        for i in 0..<seriesCount {
            if i % BlockFormat.seriesPerGroup == 0 {
                if i > 0 { try file.appendChecksum() }
                groupOffsets.append(UInt64(file.position - sectionStart))
                file.beginChecksum()
                previousLabels = []
                previousRunEnd = 0
                previousFirstColumn = 0
            }
            entry.removeAll(keepingCapacity: true)
            let labels = self.labels(ofSeries: i)
            var shared = 0
            while shared < labels.count && shared < previousLabels.count
                && labels[labels.startIndex + shared] == previousLabels[previousLabels.startIndex + shared]
            {
                shared += 1
            }
            Varint.appendUnsigned(UInt64(shared), to: &entry)
            Varint.appendUnsigned(UInt64(labels.count - shared), to: &entry)
            for pair in labels.dropFirst(shared) {
                let ordinals = table.ordinals[pair]!
                Varint.appendUnsigned(UInt64(ordinals.name), to: &entry)
                Varint.appendUnsigned(UInt64(ordinals.value), to: &entry)
            }
            let chunks = self.chunks(ofSeries: i)
            Varint.appendUnsigned(UInt64(chunks.count), to: &entry)
            let runOffset = runOffsets[i]
            Varint.appendUnsigned(runOffset - previousRunEnd, to: &entry)
            var previousColumn: Int64 = -1
            var runLength: UInt64 = 0
            for c in chunks {
                let column = Int64(chunkColumns[c])
                let base = c == chunks.lowerBound ? previousFirstColumn : previousColumn + 1
                Varint.appendSigned(column - base, to: &entry)
                Varint.appendUnsigned(UInt64(chunkValueLengths[c]), to: &entry)
                previousColumn = column
                runLength += UInt64(chunkValueLengths[c])
            }
            try file.append(entry)
            previousLabels = labels
            previousRunEnd = runOffset + runLength + 4
            previousFirstColumn = Int64(chunkColumns[chunks.lowerBound])
        }
        if seriesCount > 0 { try file.appendChecksum() }
        return groupOffsets
    }

    /// One list per label pair in table order: `uvarint count | runs | crc`.
    /// Returns each list's offset from the start of the section.
    private func writePostings(to file: BlockFileWriter, table: BlockPostingsTable) throws(StorageError) -> [UInt64] {
        let sectionStart = file.position
        var offsets: [UInt64] = []
        offsets.reserveCapacity(table.values.count)
        var bytes: [UInt8] = []
        for value in table.values {
            offsets.append(UInt64(file.position - sectionStart))
            let list = postings[value.pair]!
            bytes.removeAll(keepingCapacity: true)
            Varint.appendUnsigned(UInt64(list.count), to: &bytes)
            BlockPostingsCoding.append(list, to: &bytes)
            file.beginChecksum()
            try file.append(bytes)
            try file.appendChecksum()
        }
        return offsets
    }
}

/// The postings table being written: label names in byte order, each with its
/// values in byte order, and the ordinals series entries refer to labels by.
struct BlockPostingsTable {
    struct Name {
        var id: UInt32
        var firstValue: UInt32
        var valueCount: UInt32
    }

    struct Value {
        var valueID: UInt32
        var pair: UInt64
    }

    var names: [Name] = []
    var values: [Value] = []
    /// For each label pair: the name's ordinal and the value's ordinal among
    /// that name's values.
    var ordinals: [UInt64: (name: UInt32, value: UInt32)] = [:]

    init(_ builder: BlockIndexBuilder, symbolOf: [UInt32]) {
        var valuesByName: [UInt32: [UInt32]] = [:]
        for pair in builder.postings.keys {
            valuesByName[UInt32(pair >> 32), default: []].append(UInt32(truncatingIfNeeded: pair))
        }
        let nameIDs = valuesByName.keys.sorted { symbolOf[Int($0)] < symbolOf[Int($1)] }
        for (nameOrdinal, nameID) in nameIDs.enumerated() {
            let valueIDs = valuesByName[nameID]!.sorted { symbolOf[Int($0)] < symbolOf[Int($1)] }
            names.append(Name(id: nameID, firstValue: UInt32(values.count), valueCount: UInt32(valueIDs.count)))
            for (valueOrdinal, valueID) in valueIDs.enumerated() {
                let pair = UInt64(nameID) << 32 | UInt64(valueID)
                values.append(Value(valueID: valueID, pair: pair))
                ordinals[pair] = (UInt32(nameOrdinal), UInt32(valueOrdinal))
            }
        }
    }
}
