extension TimestampColumn {
    /// Decodes a column of `count` timestamps written by ``encode(_:)`` and
    /// appends them to `out`.
    ///
    /// Damaged bytes or a `count` that does not belong to them throw
    /// ``EncodingError`` (never trap), and leave `out` as it was.
    ///
    /// - Complexity: O(count). Grows `out` once and decodes in place: no
    ///   allocation per value.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, count: Int, into out: inout [Int64]
    ) throws(EncodingError) {
        try ColumnError.appendDecoded(bytes, count: count, into: &out) { (slots) throws(EncodingError) in
            try decode(bytes, count: count, filling: slots)
        }
    }

    /// Decodes `count` (≥ 1) timestamps into `out[0..<count]`.
    /// (Not an overload of `decode(_:count:into:)`: `&array` converts to a
    /// pointer, so the same label would let callers pick this one by mistake.)
    static func decode(
        _ bytes: UnsafeRawBufferPointer, count: Int, filling out: UnsafeMutablePointer<Int64>
    ) throws(EncodingError) {
        var cursor = ByteCursor(bytes)
        let tag = cursor.readByte()!  // checkCount: not empty
        guard let kind = Kind(rawValue: tag) else { throw ColumnError.corrupt("timestamp kind \(tag)") }
        switch kind {
        case .regular:
            var t = try ColumnError.varint(&cursor, "first timestamp")
            let interval = count >= 2 ? try ColumnError.varint(&cursor, "interval") : 0
            for i in 0..<count {
                out[i] = t
                t &+= interval
            }
        case .delta:
            try IntSequence.decode(&cursor, count: count, order: 1, into: out)
        case .deltaOfDelta:
            try IntSequence.decode(&cursor, count: count, order: 2, into: out)
        case .grid:
            try decodeGrid(&cursor, count: count, into: out)
        }
        guard cursor.isAtEnd else { throw ColumnError.corrupt("\(cursor.remaining) bytes after the timestamps") }
    }

    /// The body of a ``Kind/grid`` column.
    @inline(__always)
    static func decodeGrid(
        _ cursor: inout ByteCursor, count: Int, into out: UnsafeMutablePointer<Int64>
    ) throws(EncodingError) {
        let first = try ColumnError.varint(&cursor, "first timestamp")
        let interval = try ColumnError.varint(&cursor, "grid interval")
        let skipCount = try ColumnError.uvarint(&cursor, "grid skip count")
        let residuals = count - 1
        guard skipCount <= UInt64(residuals) else {
            throw ColumnError.corrupt("grid: \(skipCount) skips for \(count) timestamps")
        }
        // Validate the skips now, apply them while rebuilding the times.
        let skipStart = cursor.offset
        var position = -1
        for _ in 0..<Int(skipCount) {
            let gap = try ColumnError.uvarint(&cursor, "grid skip position")
            _ = try ColumnError.uvarint(&cursor, "grid skip steps")
            guard gap < UInt64(residuals - 1 - position) else {
                throw ColumnError.corrupt("grid: skip past timestamp \(count)")
            }
            position += Int(gap) + 1
        }
        try PackedInts.decode(&cursor, count: residuals, into: out + 1)

        // Validated above, so the reads cannot fail.
        var skips = ByteCursor(cursor.bytes, offset: skipStart)
        var grid = first  // t₀ + kᵢ·D
        out[0] = first
        var done = 0  // residuals already turned into times
        var last = -1  // the last skip
        for _ in 0..<Int(skipCount) {
            let skip = last &+ 1 &+ Int(skips.readUVarint()!)
            let extra = Varint.unzigzag(skips.readUVarint()!)
            addGrid(&grid, interval: interval, to: out + 1, from: done, to: skip)
            // The skip's own step is 1 + extra; addGrid adds the 1.
            grid &+= extra &* interval
            done = skip
            last = skip
        }
        addGrid(&grid, interval: interval, to: out + 1, from: done, to: residuals)
    }

    /// `out[p] += grid += D` for p in `start..<end`: the grid points between
    /// two skips, in a loop with nothing else in it.
    @inline(__always)
    static func addGrid(
        _ grid: inout Int64, interval: Int64, to out: UnsafeMutablePointer<Int64>, from start: Int, to end: Int
    ) {
        var g = grid
        var p = start
        while p < end {
            g &+= interval
            out[p] &+= g
            p &+= 1
        }
        grid = g
    }
}
