extension ValueColumn {
    /// Decodes a column of `count` values written by ``encode(_:)`` and
    /// appends them to `out`, bit for bit as they were encoded.
    ///
    /// Damaged bytes or a `count` that does not belong to them throw
    /// ``EncodingError`` (never trap), and leave `out` as it was.
    ///
    /// - Complexity: O(count). Grows `out` once and decodes in place, integers
    ///   in the same slots they become Doubles in: no allocation per value.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, count: Int, into out: inout [Double]
    ) throws(EncodingError) {
        try ColumnError.appendDecoded(bytes, count: count, into: &out) { (slots) throws(EncodingError) in
            try decode(bytes, count: count, filling: slots)
        }
    }

    /// Decodes `count` (≥ 1) values into `out[0..<count]`.
    /// (Not an overload of `decode(_:count:into:)`: `&array` converts to a
    /// pointer, so the same label would let callers pick this one by mistake.)
    static func decode(
        _ bytes: UnsafeRawBufferPointer, count: Int, filling out: UnsafeMutablePointer<Double>
    ) throws(EncodingError) {
        var cursor = ByteCursor(bytes)
        let tag = cursor.readByte()!  // checkCount: not empty
        switch tag {
        case Tag.constant:
            guard let bits = cursor.readUInt64LE() else { throw ColumnError.truncated("constant value") }
            out.initialize(repeating: Double(bitPattern: bits), count: count)
        case Tag.constantInteger:
            let m = try ColumnError.varint(&cursor, "constant integer")
            out.initialize(repeating: Double(m), count: count)
        case Tag.xor:
            try decodeXOR(UnsafeRawBufferPointer(rebasing: bytes[1...]), count: count, into: out)
            return
        default:
            try decodeIntegers(tag, &cursor, count: count, into: out)
        }
        guard cursor.isAtEnd else { throw ColumnError.corrupt("\(cursor.remaining) bytes after the values") }
    }

    /// The integer families: ``Kind/integer(order:exceptions:)``,
    /// ``Kind/decimal(digits:order:exceptions:)``, ``Kind/floatBits(order:)``.
    @inline(__always)
    static func decodeIntegers(
        _ tag: UInt8, _ cursor: inout ByteCursor, count: Int, into out: UnsafeMutablePointer<Double>
    ) throws(EncodingError) {
        let family = tag & Tag.familyMask
        let order = Int(tag & Tag.orderMask)
        let hasExceptions = tag & Tag.exceptionsFlag != 0
        guard order <= 2, family == Tag.integer || family == Tag.decimal || (family == Tag.floatBits && !hasExceptions)
        else { throw ColumnError.corrupt("value kind 0x\(String(tag, radix: 16))") }
        var digits = 0
        if family == Tag.decimal {
            guard let d = cursor.readByte() else { throw ColumnError.truncated("decimal digits") }
            guard d >= 1 && Int(d) <= maxDigits else { throw ColumnError.corrupt("decimal digits \(d)") }
            digits = Int(d)
        }
        var exceptionStart = -1
        var exceptionCount = 0
        if hasExceptions { (exceptionStart, exceptionCount) = try skipExceptions(&cursor, count: count) }

        // Double and Int64 share size and alignment: decode the integers into
        // the very slots their Doubles go to.
        try out.withMemoryRebound(to: Int64.self, capacity: count) { (integers) throws(EncodingError) in
            try IntSequence.decode(&cursor, count: count, order: order, into: integers)
        }
        // Reading the slots as Doubles gives the integers' bits back.
        switch family {
        case Tag.integer:
            for i in 0..<count { out[i] = Double(Int64(bitPattern: out[i].bitPattern)) }
        case Tag.decimal:
            let scale = powersOfTen[digits]
            for i in 0..<count { out[i] = Double(Int64(bitPattern: out[i].bitPattern)) / scale }
        default:
            break  // float bits: the integers are the values' bits already
        }

        guard hasExceptions else { return }
        var exceptions = ByteCursor(cursor.bytes, offset: exceptionStart)
        var position = -1
        for _ in 0..<exceptionCount {
            // Validated by skipExceptions.
            let code = exceptions.readUVarint()!
            position &+= Int(code >> 1) &+ 1
            let bits = code & 1 == 1 ? staleMarkerBits : exceptions.readUInt64LE()!
            out[position] = Double(bitPattern: bits)
        }
    }

    /// Validates the exception list and returns where its entries start and
    /// how many there are; the cursor ends after it.
    static func skipExceptions(_ cursor: inout ByteCursor, count: Int) throws(EncodingError) -> (Int, Int) {
        let n = try ColumnError.uvarint(&cursor, "exception count")
        guard n >= 1 && n <= UInt64(count) else { throw ColumnError.corrupt("\(n) exceptions for \(count) values") }
        let start = cursor.offset
        var position = -1
        for _ in 0..<Int(n) {
            let code = try ColumnError.uvarint(&cursor, "exception position")
            guard code >> 1 < UInt64(count - 1 - position) else {
                throw ColumnError.corrupt("exception past value \(count)")
            }
            position += Int(code >> 1) + 1
            if code & 1 == 0 {
                guard cursor.readBytes(8) != nil else { throw ColumnError.truncated("exception value") }
            }
        }
        return (start, Int(n))
    }
}
