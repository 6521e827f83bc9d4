import Encoding

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension BlockIndex {
    /// The bytes of symbol `i`, a view into the mapping.
    /// - Complexity: O(1): one table read and at most 31 strings skipped.
    func symbol(_ i: Int) throws(StorageError) -> UnsafeRawBufferPointer {
        let section = self.section(.symbols)
        guard i >= 0, i < symbolCount else {
            throw BlockFiles.corruption(path, at: section.lowerBound, "symbol \(i) of \(symbolCount)")
        }
        let tableAt = section.lowerBound + 4 + 4 * (i / BlockFormat.symbolStride)
        let start = Int(file.load(tableAt, as: UInt32.self))
        let strings = section.lowerBound..<section.upperBound - 4
        guard start < strings.count else {
            throw BlockFiles.corruption(path, at: tableAt, "symbol offset \(start) beyond the table")
        }
        var cursor = ByteCursor(file.slice(strings), offset: start)
        for _ in 0..<(i % BlockFormat.symbolStride) {
            guard let length = cursor.readUVarint(), cursor.readBytes(Int(clamping: length)) != nil else {
                throw BlockFiles.corruption(path, at: strings.lowerBound + cursor.offset, "malformed symbol near \(i)")
            }
        }
        let at = cursor.offset
        guard let length = cursor.readUVarint(), let bytes = cursor.readBytes(Int(clamping: length)) else {
            throw BlockFiles.corruption(path, at: strings.lowerBound + at, "malformed symbol \(i)")
        }
        return bytes
    }

    /// Symbol `i` as a string.
    func symbolString(_ i: Int) throws(StorageError) -> String {
        String(decoding: try symbol(i), as: UTF8.self)
    }

    /// The label name ordinal of `name`, nil when no series has the label.
    /// - Complexity: O(log names) symbol reads.
    func nameOrdinal(_ name: String) throws(StorageError) -> Int? {
        try search(Array(name.utf8), in: 0..<nameCount) { (k) throws(StorageError) in nameEntry(k).symbol }
    }

    /// The value entry (over all names) of `value` for the name with ordinal
    /// `k`, nil when no series has that pair.
    func valueIndex(name k: Int, value: String) throws(StorageError) -> Int? {
        let name = nameEntry(k)
        return try search(Array(value.utf8), in: name.firstValue..<name.firstValue + name.valueCount) {
            (j) throws(StorageError) in valueEntry(j).symbol
        }
    }

    /// Binary search of entries `range`, sorted by their symbols' bytes.
    private func search(
        _ target: [UInt8], in range: Range<Int>, symbolOf: (Int) throws(StorageError) -> Int
    ) throws(StorageError) -> Int? {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let mid = (low + high) / 2
            let order = Self.compare(try symbol(try symbolOf(mid)), target)
            if order == 0 { return mid }
            if order < 0 { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// Byte order of `a` and `b`: negative, zero or positive.
    static func compare(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = b.withUnsafeBytes { memcmp(a.baseAddress!, $0.baseAddress!, n) }
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }
}
