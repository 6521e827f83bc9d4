extension PackedInts {
    /// Decodes `count` values written by ``encode(_:to:)`` from `cursor`
    /// into `out[0..<count]`. The slots run to the end of the cursor's bytes,
    /// so on success the cursor is at the end.
    ///
    /// Checks every length against the bytes before reading and rejects
    /// trailing bytes or nonzero padding, so damage and a wrong count are
    /// errors, never traps or invented values.
    ///
    /// - Complexity: O(count + patches); no allocation.
    static func decode(
        _ cursor: inout ByteCursor, count: Int, into out: UnsafeMutablePointer<Int64>
    ) throws(EncodingError) {
        guard count > 0 else { return }
        guard let mode = cursor.readByte() else { throw ColumnError.truncated("packed integers: mode") }
        let width = Int(mode & widthMask)
        var scale: UInt64 = 1
        if mode & scaleFlag != 0 {
            scale = try ColumnError.uvarint(&cursor, "packed integers: scale")
            // The encoder writes no scale rather than a scale of 0 or 1.
            guard scale >= 2 else { throw ColumnError.corrupt("packed integers: scale \(scale)") }
        }
        let base = try ColumnError.varint(&cursor, "packed integers: base")
        let patchCount = try ColumnError.uvarint(&cursor, "packed integers: patch count")
        guard patchCount <= UInt64(count) else {
            throw ColumnError.corrupt("packed integers: \(patchCount) patches for \(count) values")
        }
        // Validate the patches now, apply them after the slots are unpacked.
        let patchStart = cursor.offset
        var position = -1
        for _ in 0..<Int(patchCount) {
            let gap = try ColumnError.uvarint(&cursor, "packed integers: patch position")
            _ = try ColumnError.uvarint(&cursor, "packed integers: patch value")
            guard gap < UInt64(count - 1 - position) else {
                throw ColumnError.corrupt("packed integers: patch past value \(count)")
            }
            position += Int(gap) + 1
        }

        let slots = UnsafeRawBufferPointer(rebasing: cursor.bytes[cursor.offset...])
        let reader = FieldReader(slots)
        let step = Int64(bitPattern: scale)
        // Low bits (all of a fixed-width slot) first; overflow only on
        // absurd counts, which no buffer can hold.
        let (lowBits, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow && lowBits <= reader.bitCount else {
            throw ColumnError.truncated("packed integers: \(count) values of \(width) bits")
        }
        unpack(reader, count: count, width: width, base: base, scale: step, into: out)
        var rest = reader
        rest.position = lowBits
        if mode & riceFlag != 0 {
            // The low bits end at a byte; the unary bitmap takes the rest.
            let lowBytes = (lowBits + 7) >> 3
            guard lowBytes == lowBits >> 3 || rest.peek(lowBytes * 8 - lowBits) == 0 else {
                throw ColumnError.corrupt("packed integers: nonzero padding after the low bits")
            }
            let bitmap = UnsafeRawBufferPointer(rebasing: slots[lowBytes...])
            try addQuotients(bitmap, count: count, k: width, scale: step, into: out)
        } else {
            guard rest.restIsZeroPadding() else {
                throw ColumnError.corrupt("packed integers: bytes or nonzero padding after the slots")
            }
        }
        cursor.offset = cursor.bytes.count

        var patches = ByteCursor(cursor.bytes, offset: patchStart)
        position = -1
        for _ in 0..<Int(patchCount) {
            // Validated above.
            position &+= Int(patches.readUVarint()!) &+ 1
            let high = Varint.unzigzag(patches.readUVarint()!)
            out[position] &+= step &* (high &<< Int64(width))
        }
    }

    /// Unpacks `count` fields of `width` bits from the start of `reader` as
    /// `out[i] = base + scale · field`.
    ///
    /// Kept out of line and free of throws so that the loop keeps its state
    /// in registers: fields of up to 57 bits are one 8-byte load, a shift
    /// pair and a multiply-add each.
    ///
    /// - Precondition: `count · width <= reader.bitCount`.
    @inline(never)
    static func unpack(
        _ reader: FieldReader, count: Int, width: Int, base: Int64, scale: Int64,
        into out: UnsafeMutablePointer<Int64>
    ) {
        if width == 0 {
            out.update(repeating: base, count: count)
            return
        }
        let down = UInt64(64 &- width)
        let p = reader.base
        var i = 0
        if width <= 57 && reader.byteCount >= 8 {
            // Field i starts at bit i·width; its load stays in bounds while
            // that bit is at most lastBit.
            let lastBit = (reader.byteCount &- 8) &* 8 &+ 7
            let fast = min(count, lastBit / width &+ 1)
            var bit = 0
            while i < fast {
                let word = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self))
                out[i] = base &+ scale &* Int64(bitPattern: (word &<< UInt64(bit & 7)) &>> down)
                bit &+= width
                i &+= 1
            }
        }
        guard i < count else { return }
        if width > 57 {
            var tail = reader
            while i < count {
                tail.position = i &* width
                out[i] = base &+ scale &* Int64(bitPattern: tail.peek64() &>> down)
                i &+= 1
            }
            return
        }
        // The last fields start in the last 8 bytes: read them from a
        // zero-padded copy, with the same one-load step.
        let first = (i &* width) &>> 3
        var padded: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &padded) { copy in
            copy.copyMemory(from: UnsafeRawBufferPointer(start: p + first, count: reader.byteCount &- first))
        }
        withUnsafeBytes(of: &padded) { copy in
            let q = copy.baseAddress!
            var bit = i &* width &- first &* 8
            while i < count {
                let word = UInt64(bigEndian: q.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self))
                out[i] = base &+ scale &* Int64(bitPattern: (word &<< UInt64(bit & 7)) &>> down)
                bit &+= width
                i &+= 1
            }
        }
    }

    /// Adds `scale · (q << k)` to `out[i]` for the unary quotients of an
    /// LSB-first bitmap, which must end in the byte of the last value's 1,
    /// with only zeros after that 1.
    ///
    /// Finds each 1 by a trailing-zero count and clears it with `w & (w - 1)`,
    /// so the only dependency from one value to the next is that one clear.
    @inline(never)
    static func addQuotients(
        _ bitmap: UnsafeRawBufferPointer, count: Int, k: Int, scale: Int64,
        into out: UnsafeMutablePointer<Int64>
    ) throws(EncodingError) {
        guard let p = bitmap.baseAddress else {
            throw ColumnError.truncated("packed integers: no quotients for \(count) values")
        }
        let n = bitmap.count
        var previous = -1  // bit of the last 1
        var i = 0
        var wordStart = 0  // bit of the word's bit 0
        while wordStart < n &* 8 {
            let byte = wordStart &>> 3
            var word: UInt64
            if byte &+ 8 <= n {
                word = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            } else {
                word = 0
                for j in byte..<n {
                    word |= UInt64(p.load(fromByteOffset: j, as: UInt8.self)) &<< UInt64((j &- byte) &* 8)
                }
            }
            while word != 0 {
                let one = wordStart &+ word.trailingZeroBitCount
                let q = UInt64(one &- previous &- 1)
                out[i] &+= scale &* Int64(bitPattern: q &<< UInt64(k))
                previous = one
                i &+= 1
                word &= word &- 1
                if i == count {
                    // Bits past the end of the bytes are zero in `word`.
                    guard word == 0 && one &>> 3 == n &- 1 else {
                        throw ColumnError.corrupt("packed integers: bits or bytes after the last quotient")
                    }
                    return
                }
            }
            wordStart &+= 64
        }
        throw ColumnError.truncated("packed integers: quotient \(i) of \(count)")
    }
}
