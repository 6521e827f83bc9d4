/// Encodes samples into an XOR chunk, one at a time, as they arrive.
///
/// Every open series in the head owns one, so the struct is 48 bytes: the bit
/// writer, XOR window and integer width, a 32-bit count, and the last time,
/// time delta, value and value delta. The first time is read back from the
/// bytes rather than stored.
///
/// Any sequence of Int64 times encodes correctly (deltas wrap, and the widest
/// bucket holds 64 bits); keeping them increasing, which ``XORChunkIterator/seek(_:)``
/// relies on, is the caller's job. Values round-trip bit for bit, NaN payloads
/// included.
public struct XORAppender: Sendable {
    var writer: BitWriter
    /// The value-coding state (see ``XORSampleDecoder``).
    var leading: UInt8 = 0
    var trailing: UInt8 = 0
    var width: UInt8 = 64
    var count: UInt32 = 0
    var lastT: Int64 = 0
    var lastDelta: Int64 = 0
    var lastValue: UInt64 = 0
    var valueDelta: Int64 = 0

    /// An empty chunk. Allocates nothing until the first append.
    public init() {
        writer = BitWriter()
    }

    /// The number of samples appended.
    public var sampleCount: Int { Int(count) }

    /// The encoded samples so far; `XORChunk(bytes:sampleCount:)` of these and
    /// ``sampleCount`` decodes at any moment.
    public var bytes: [UInt8] { writer.bytes }

    /// The time of the first sample, or nil when empty.
    ///
    /// - Complexity: O(1): decodes the varint at the start of the bytes.
    public var firstTime: Int64? {
        guard count > 0 else { return nil }
        return writer.bytes.withUnsafeBytes { buffer in
            var cursor = ByteCursor(buffer)
            return cursor.readVarint()
        }
    }

    /// The time of the last sample, or nil when empty.
    public var lastTime: Int64? { count > 0 ? lastT : nil }

    /// The samples so far as an immutable chunk.
    ///
    /// - Complexity: O(1). The chunk shares storage with the appender, so the
    ///   next append copies the bytes once (copy-on-write).
    public func chunk() -> XORChunk {
        XORChunk(bytes: writer.bytes, sampleCount: sampleCount)
    }

    /// Appends a sample.
    ///
    /// - Precondition: fewer than 2³² − 1 samples in the chunk.
    /// - Complexity: amortized O(1); no allocation except when the byte array
    ///   grows (by half).
    public mutating func append(t: Int64, v: Double) {
        let bits = v.bitPattern
        if count == 0 {
            // Zig-zag so that negative times (tests, pre-1970 imports) stay short.
            var rest = Varint.zigzag(t)
            while rest >= 0x80 {
                writer.writeBits(rest & 0x7F | 0x80, count: 8)
                rest >>= 7
            }
            writer.writeBits(rest, count: 8)
            writer.writeBits(bits, count: 64)
        } else {
            let delta = t &- lastT
            var out = PendingBits()
            XORFormat.writeDeltaOfDelta(delta &- lastDelta, to: &out, &writer)
            appendValue(bits, to: &out)
            out.flush(to: &writer)
            lastDelta = delta
        }
        lastT = t
        lastValue = bits
        count += 1
    }

    /// Writes the cheapest code for `bits` given the current window and width
    /// (codes in ``XORSampleDecoder/decodeValue(_:)``).
    ///
    /// Whole numbers, which is most of what Prometheus sends, can go as a
    /// residual against `last + valueDelta`: a counter's noise takes a few
    /// bits where its XOR takes a dozen. Anything else is XORed Gorilla-style.
    /// A window or width is reused when that is no dearer than a tight new one;
    /// plain Gorilla reuses whenever the XOR fits, so one wide XOR keeps every
    /// later value wide.
    @inline(__always)
    mutating func appendValue(_ bits: UInt64, to out: inout PendingBits) {
        let old = lastValue
        let xor = bits ^ old
        if xor == 0 {
            out.append(0, count: 1, to: &writer)
            valueDelta = 0
            return
        }
        // XOR: reuse the window ('110') or a new one ('1111', 11 header bits).
        let newLeading = min(xor.leadingZeroBitCount, XORFormat.maxLeading)
        let newTrailing = xor.trailingZeroBitCount
        let newSignificant = 64 - newLeading - newTrailing
        let significant = 64 - Int(leading) - Int(trailing)
        let xorReuse = newLeading >= Int(leading) && newTrailing >= Int(trailing) ? 3 + significant : .max
        let xorNew = 4 + XORFormat.leadingBits + XORFormat.significantBits + newSignificant
        // Integer: reuse the width ('10') or a new one ('1110', 6 header bits).
        var intReuse = Int.max
        var intNew = Int.max
        var residual: Int64 = 0
        var needed = 0
        // -0.0 is whole but has no Int64 of its own: XOR only.
        if bits != (-0.0 as Double).bitPattern, let a = XORFormat.safeInteger(old),
            let b = XORFormat.safeInteger(bits)
        {
            residual = (b &- a) &- valueDelta
            needed = XORFormat.signedWidth(residual)
            if needed <= Int(width) { intReuse = 2 + Int(width) }
            intNew = 4 + XORFormat.widthBits + needed
        }
        let raw = UInt64(bitPattern: residual)
        // Ties go to the reuse codes, then to integers: fewer state changes.
        if intReuse <= min(xorReuse, intNew, xorNew) {
            valueDelta &+= residual
            out.append(0b10, count: 2, to: &writer)
            out.append(raw, count: Int(width), to: &writer)
        } else if xorReuse <= min(intNew, xorNew) {
            valueDelta = 0
            out.append(0b110, count: 3, to: &writer)
            out.append(xor &>> UInt64(trailing), count: significant, to: &writer)
        } else if intNew <= xorNew {
            valueDelta &+= residual
            width = UInt8(needed)
            out.append(0b1110 << 6 | UInt64(needed - 1), count: 4 + XORFormat.widthBits, to: &writer)
            out.append(raw, count: needed, to: &writer)
        } else {
            valueDelta = 0
            leading = UInt8(newLeading)
            trailing = UInt8(newTrailing)
            let header = XORFormat.leadingBits + XORFormat.significantBits
            let window = UInt64(0b1111 << header | newLeading << XORFormat.significantBits | (newSignificant - 1))
            out.append(window, count: 4 + header, to: &writer)
            out.append(xor &>> UInt64(newTrailing), count: newSignificant, to: &writer)
        }
    }
}
