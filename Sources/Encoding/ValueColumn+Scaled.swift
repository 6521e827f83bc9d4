extension ValueColumn {
    /// 10^0 … 10^22: the powers of ten a Double holds exactly, so that
    /// m / 10^d is one correctly rounded division, the same on every machine.
    static let powersOfTen: [Double] = [
        1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
    /// The most decimal digits the encoder tries. Beyond 15 the integers pass
    /// 2^53 for any value above 1, where they stop being exact.
    static let maxEncodedDigits = 15
    /// The most decimal digits a column may declare.
    static let maxDigits = 22
    /// 2^53: integers up to here convert to Double and back exactly.
    static let exactIntegerLimit: Double = 9_007_199_254_740_992

    /// The integer m with `Double(m) / 10^digits` bit-identical to `v`, or
    /// nil. Digits 0 means whole numbers up to 2^53 in magnitude, except −0.0,
    /// which has no integer of its own.
    ///
    /// Checked by converting back rather than by arithmetic on decimals:
    /// only the round trip guarantees the decoder's bits. (And stdlib-only
    /// code has no `rounded()`; truncation and two neighbours do instead.)
    @inline(__always)
    static func scaledInteger(_ v: Double, digits: Int) -> Int64? {
        if digits == 0 {
            guard v.bitPattern != (-0.0 as Double).bitPattern else { return nil }
            return XORFormat.safeInteger(v.bitPattern)
        }
        let scale = powersOfTen[digits]
        let p = v * scale
        // False for NaN and ±∞ too.
        guard p.magnitude < exactIntegerLimit else { return nil }
        // v·10^d is within a few ulps of m when v is m/10^d rounded; skip
        // the divisions for the (usual) values that are nowhere near.
        let t = Int64(p)
        let fraction = (p - Double(t)).magnitude
        let slack = 4 * p.ulp
        guard fraction <= slack || fraction >= 1 - slack else { return nil }
        if (Double(t) / scale).bitPattern == v.bitPattern { return t }
        let m = v < 0 ? t - 1 : t + 1
        return (Double(m) / scale).bitPattern == v.bitPattern ? m : nil
    }

    /// The fewest decimal digits that represent `v`, if at most
    /// ``maxEncodedDigits``.
    static func decimalDigits(_ v: Double) -> Int? {
        for digits in 0...maxEncodedDigits where scaledInteger(v, digits: digits) != nil { return digits }
        return nil
    }

    /// Digit counts worth encoding a column with: the fewest that represent
    /// every value that can be, and the fewest that leave at most 1/16 of
    /// the values as exceptions (one odd value should not scale all the
    /// others by 10^k). Empty when most values have no short decimal form.
    static func decimalCandidates(_ values: [Double]) -> [Int] {
        var histogram = [Int](repeating: 0, count: maxEncodedDigits + 1)
        var misses = 0
        for (i, v) in values.enumerated() {
            if let d = decimalDigits(v) {
                histogram[d] += 1
            } else {
                misses += 1
                // Exceptions cost 2-10 bytes each: past half, XOR wins. And
                // full-precision floats miss from the start: stop early.
                if misses * 2 > values.count || (misses == 16 && i == 15) { return [] }
            }
        }
        var candidates: [Int] = []
        var covered = 0
        for digits in 0...maxEncodedDigits {
            covered += histogram[digits]
            if candidates.isEmpty && covered * 16 >= values.count * 15 { candidates.append(digits) }
        }
        if let all = histogram.lastIndex(where: { $0 > 0 }), !candidates.contains(all) { candidates.append(all) }
        return candidates
    }

    /// The column as integers m / 10^digits, values without such an m as
    /// exceptions; the smallest of `orders`. Nil when exceptions would be the
    /// majority.
    static func encodeScaled(_ values: [Double], digits: Int, orders: [Int] = [0, 1, 2]) -> [UInt8]? {
        var integers = [Int64](repeating: 0, count: values.count)
        var exceptions: [Int] = []
        var firstInteger: Int64?
        for (i, v) in values.enumerated() {
            if let m = scaledInteger(v, digits: digits) {
                integers[i] = m
                if firstInteger == nil { firstInteger = m }
            } else {
                exceptions.append(i)
            }
        }
        guard let firstInteger, exceptions.count * 2 <= values.count else { return nil }
        // An exception's slot repeats the integer before it, so its deltas are
        // zero and the ones after it unchanged.
        var last = firstInteger
        var next = 0
        for i in integers.indices {
            if next < exceptions.count && exceptions[next] == i {
                integers[i] = last
                next += 1
            } else {
                last = integers[i]
            }
        }

        let (order, body) = IntSequence.smallest(integers, orders: orders)
        var tag = (digits == 0 ? Tag.integer : Tag.decimal) | UInt8(order)
        if !exceptions.isEmpty { tag |= Tag.exceptionsFlag }
        var out = [tag]
        if digits > 0 { out.append(UInt8(digits)) }
        if !exceptions.isEmpty { appendExceptions(exceptions, of: values, to: &out) }
        out.append(contentsOf: body)
        return out
    }

    /// The exception list: a count, then for each a uvarint of its position
    /// gap shifted left by one, the low bit set for a staleness marker, which
    /// needs no value; any other value follows as 8 little-endian bytes.
    static func appendExceptions(_ positions: [Int], of values: [Double], to out: inout [UInt8]) {
        Varint.appendUnsigned(UInt64(positions.count), to: &out)
        var last = -1
        for i in positions {
            let bits = values[i].bitPattern
            let stale: UInt64 = bits == staleMarkerBits ? 1 : 0
            Varint.appendUnsigned(UInt64(i - last - 1) << 1 | stale, to: &out)
            if stale == 0 { out.appendUInt64LE(bits) }
            last = i
        }
    }
}
