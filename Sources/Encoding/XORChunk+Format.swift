/// The bit-level codes of the XOR chunk, shared by the appender, the iterator
/// and resumption so the three cannot drift apart. docs/format/chunk.md is the
/// specification; change both together (and the golden tests).
enum XORFormat {
    /// Width of the leading-zero field of a new XOR window. Counts above 31 are
    /// clamped, which only widens the window.
    static let leadingBits = 5
    /// Width of the (significant bits − 1) field of a new XOR window.
    static let significantBits = 6
    /// The largest leading-zero count a window can record.
    static let maxLeading = (1 << leadingBits) - 1
    /// Width of the (integer width − 1) field of a new integer width.
    static let widthBits = 6

    // MARK: Timestamps

    /// Appends the code for a timestamp delta-of-delta.
    ///
    /// Bucket sizes follow millisecond scrape timestamps: jitter of a few ms
    /// costs 5 or 8 bits. Each bucket stores a sign and the magnitude minus
    /// the previous bucket's reach, so no two codes mean the same number:
    ///
    ///     '1'                   0
    ///     '01'    + s + 2 bits  ±1 ... ±4
    ///     '001'   + s + 4 bits  ±5 ... ±20
    ///     '0001'  + s + 12 bits ±21 ... ±4116
    ///     '00001' + s + 19 bits ±4117 ... ±528404  (a first delta of up to 8 min)
    ///     '00000' + 64 bits     anything, two's complement
    ///
    /// The codes open with zeros on purpose: zero padding after the last sample
    /// (at most 7 bits) never completes a code, so a sample count larger than
    /// the chunk holds is always detected.
    @inline(__always)
    static func writeDeltaOfDelta(_ dod: Int64, to out: inout PendingBits, _ writer: inout BitWriter) {
        if dod == 0 {
            out.append(1, count: 1, to: &writer)
            return
        }
        let magnitude = dod.magnitude
        let sign: UInt64 = dod < 0 ? 1 : 0
        if magnitude <= 4 {
            out.append(0b01 << 3 | sign << 2 | (magnitude - 1), count: 5, to: &writer)
        } else if magnitude <= 20 {
            out.append(0b001 << 5 | sign << 4 | (magnitude - 5), count: 8, to: &writer)
        } else if magnitude <= 4116 {
            out.append(0b0001 << 13 | sign << 12 | (magnitude - 21), count: 17, to: &writer)
        } else if magnitude <= 528_404 {
            out.append(0b00001 << 20 | sign << 19 | (magnitude - 4117), count: 25, to: &writer)
        } else {
            out.append(0, count: 5, to: &writer)
            out.append(UInt64(bitPattern: dod), count: 64, to: &writer)
        }
    }

    /// Reads a timestamp delta-of-delta; nil when the bits run out.
    @inline(__always)
    static func readDeltaOfDelta(from reader: inout BitReader) -> Int64? {
        // One padded 64-bit look holds the prefix and, but for the widest
        // bucket, the payload; consume() checks the real bounds.
        let lookahead = reader.peekPadded(64)
        let zeros = min(lookahead.leadingZeroBitCount, 5)
        let magnitudeBits: Int
        let base: UInt64
        switch zeros {
        case 0: return reader.skipBits(1) ? 0 : nil
        case 1: (magnitudeBits, base) = (2, 1)
        case 2: (magnitudeBits, base) = (4, 5)
        case 3: (magnitudeBits, base) = (12, 21)
        case 4: (magnitudeBits, base) = (19, 4117)
        default:
            return reader.consume(header: 5, payload: 64, lookahead: lookahead).map { Int64(bitPattern: $0) }
        }
        guard let payload = reader.consume(header: zeros &+ 1, payload: magnitudeBits &+ 1, lookahead: lookahead)
        else { return nil }
        let magnitude = Int64(payload & ((1 &<< UInt64(magnitudeBits)) &- 1) &+ base)
        return payload &>> UInt64(magnitudeBits) == 0 ? magnitude : -magnitude
    }

    // MARK: Values

    /// The value as an Int64 when it is a whole number that a Double holds
    /// exactly (|v| ≤ 2⁵³); nil for fractions, NaN and infinities. -0.0 counts
    /// as 0 here, but the encoder never writes it as an integer (see
    /// `XORAppender.appendValue`).
    ///
    /// Works on the bits: `rounded(.towardZero)` would call libm's `trunc`,
    /// which a stdlib-only target cannot rely on being linked.
    @inline(__always)
    static func safeInteger(_ bits: UInt64) -> Int64? {
        let unsigned = bits & 0x7FFF_FFFF_FFFF_FFFF
        if unsigned == 0 { return 0 }
        // Below 1 is a fraction; above 2^53 is not exact (NaN and ∞ included).
        let exponent = Int(truncatingIfNeeded: unsigned >> 52) &- 1023
        guard exponent >= 0 && exponent <= 53 else { return nil }
        let significand = unsigned & 0xF_FFFF_FFFF_FFFF | 1 << 52
        let magnitude: UInt64
        if exponent == 53 {
            guard significand == 1 << 52 else { return nil }
            magnitude = 1 << 53
        } else {
            let fractionBits = UInt64(52 &- exponent)
            guard significand & ((1 &<< fractionBits) &- 1) == 0 else { return nil }
            magnitude = significand &>> fractionBits
        }
        return bits >> 63 == 0 ? Int64(magnitude) : -Int64(magnitude)
    }

    /// Bits needed to hold `r` in two's complement, 1...64.
    @inline(__always)
    static func signedWidth(_ r: Int64) -> Int {
        65 &- (r < 0 ? ~r : r).leadingZeroBitCount
    }

    /// The low `width` bits of `raw` sign-extended, for width 1...64.
    @inline(__always)
    static func signExtend(_ raw: UInt64, width: Int) -> Int64 {
        let unused = UInt64(64 &- width)
        return Int64(bitPattern: raw &<< unused) &>> unused
    }
}
