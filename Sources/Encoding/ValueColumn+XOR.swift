extension ValueColumn {
    /// Width of the leading-zero field of a new XOR window; counts above 31
    /// are clamped, which only widens the window.
    static let xorLeadingBits = 5
    /// Width of the (significant bits − 1) field of a new XOR window.
    static let xorSignificantBits = 6

    /// Gorilla XOR without the chunk's timestamps and integer codes (the
    /// column kinds cover integers): v₀ as 64 bits, then per value
    ///
    ///     '1'                              same bits as the value before
    ///     '01' + x                         XOR in the current window
    ///     '00' + lllll + ssssss + x        new window: leading zeros, sig − 1
    ///
    /// The window starts as all 64 bits. Codes start with zeros so that the
    /// zero padding of the last byte never completes one: a count larger
    /// than the column holds is always an error. As in the chunk encoder, a window is
    /// reused only when that is no dearer than a tight new one, so one wide
    /// XOR does not make every later value wide.
    static func encodeXOR(_ values: [Double]) -> [UInt8] {
        var writer = BitWriter()
        var pending = PendingBits()
        var previous = values[0].bitPattern
        pending.append(previous, count: 64, to: &writer)
        var leading = 0
        var trailing = 0
        for v in values.dropFirst() {
            let bits = v.bitPattern
            let xor = bits ^ previous
            previous = bits
            if xor == 0 {
                pending.append(1, count: 1, to: &writer)
                continue
            }
            let newLeading = min(xor.leadingZeroBitCount, (1 << xorLeadingBits) - 1)
            let newTrailing = xor.trailingZeroBitCount
            let newSignificant = 64 - newLeading - newTrailing
            let significant = 64 - leading - trailing
            let reuse = newLeading >= leading && newTrailing >= trailing ? 2 + significant : .max
            if reuse <= 2 + xorLeadingBits + xorSignificantBits + newSignificant {
                pending.append(0b01, count: 2, to: &writer)
                pending.append(xor &>> UInt64(trailing), count: significant, to: &writer)
            } else {
                leading = newLeading
                trailing = newTrailing
                let window = UInt64(newLeading) << 6 | UInt64(newSignificant - 1)
                pending.append(window, count: 2 + xorLeadingBits + xorSignificantBits, to: &writer)
                pending.append(xor &>> UInt64(trailing), count: newSignificant, to: &writer)
            }
        }
        pending.flush(to: &writer)
        return [Tag.xor] + writer.bytes
    }

    /// Decodes `count` XOR-coded values that must end in the last byte.
    ///
    /// - Complexity: O(count): one or two 64-bit looks per value.
    static func decodeXOR(
        _ bytes: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Double>
    ) throws(EncodingError) {
        var reader = FieldReader(bytes)
        let total = reader.bitCount
        guard total >= 64 else { throw ColumnError.truncated("XOR: first value") }
        var value = reader.peek64()
        reader.position = 64
        out[0] = Double(bitPattern: value)
        var leading = 0
        var trailing = 0
        for i in 1..<count {
            let word = reader.peek64()
            var header = 1
            // A 1 is never padding, so a repeat needs no bounds check.
            if word >> 63 == 0 {
                header = 2
                if word >> 62 == 0b00 {
                    header = 2 + xorLeadingBits + xorSignificantBits
                    let newLeading = Int(truncatingIfNeeded: word >> 57) & 0x1F
                    let significant = Int(truncatingIfNeeded: word >> 51) & 0x3F + 1
                    guard newLeading + significant <= 64 else {
                        throw ColumnError.corrupt("XOR window \(newLeading)+\(significant) at value \(i)")
                    }
                    leading = newLeading
                    trailing = 64 - newLeading - significant
                }
                let significant = 64 - leading - trailing
                guard header + significant <= total - reader.position else {
                    throw ColumnError.truncated("XOR value \(i) of \(count)")
                }
                let payload: UInt64
                if header + significant <= 64 {
                    payload = (word &<< UInt64(header)) &>> UInt64(64 - significant)
                } else {
                    reader.position += header
                    payload = reader.peek64() &>> UInt64(64 - significant)
                    reader.position -= header
                }
                value ^= payload &<< UInt64(trailing)
                reader.position += significant
            }
            reader.position += header
            out[i] = Double(bitPattern: value)
        }
        guard reader.restIsZeroPadding() else {
            throw ColumnError.corrupt("XOR: bytes or nonzero padding after value \(count)")
        }
    }
}
