/// Reads a bit stream written by ``BitWriter``, most significant bit first.
///
/// `read…` methods consume, `peek…` methods do not; both return nil, and consume
/// nothing, when fewer bits remain than asked for. A multi-bit read is one or two
/// unaligned 8-byte loads rather than a loop over bits, because chunk decoding
/// sits on the query hot path.
///
/// The reader does not own its bytes: keep the buffer alive while reading, e.g.
/// inside `Array.withUnsafeBytes`.
public struct BitReader {
    /// The bytes being read.
    public let buffer: UnsafeRawBufferPointer
    /// The index of the next unread bit, counted from bit 7 of `buffer[0]`.
    public private(set) var bitPosition: Int

    /// A reader at bit `bitPosition` of `buffer`.
    ///
    /// - Precondition: `0 <= bitPosition <= buffer.count * 8`.
    public init(_ buffer: UnsafeRawBufferPointer, bitPosition: Int = 0) {
        precondition(bitPosition >= 0 && bitPosition <= buffer.count &<< 3, "bitPosition out of range")
        self.buffer = buffer
        self.bitPosition = bitPosition
    }

    /// Bits left to read.
    public var bitsRemaining: Int { buffer.count &<< 3 &- bitPosition }

    /// Reads one bit; nil at the end of the buffer.
    @inline(__always)
    public mutating func readBit() -> Bool? {
        guard bitPosition < buffer.count &<< 3, let base = buffer.baseAddress else { return nil }
        let byte = base.load(fromByteOffset: bitPosition &>> 3, as: UInt8.self)
        let bit = byte &>> UInt8(7 &- (bitPosition & 7)) & 1
        bitPosition &+= 1
        return bit == 1
    }

    /// The next `count` bits as the low bits of the result, without consuming
    /// them; nil when fewer than `count` bits remain.
    ///
    /// - Precondition: `0 <= count <= 64`.
    @inline(__always)
    public func peekBits(_ count: Int) -> UInt64? {
        precondition(count >= 0 && count <= 64, "count must be in 0...64")
        guard count <= bitsRemaining else { return nil }
        return count == 0 ? 0 : peekPadded(count)
    }

    /// Reads `count` bits as the low bits of the result; nil, consuming nothing,
    /// when fewer than `count` bits remain.
    ///
    /// - Precondition: `0 <= count <= 64`.
    @inline(__always)
    public mutating func readBits(_ count: Int) -> UInt64? {
        guard let bits = peekBits(count) else { return nil }
        bitPosition &+= count
        return bits
    }

    /// Skips `count` bits; false, consuming nothing, when fewer remain.
    @inline(__always)
    public mutating func skipBits(_ count: Int) -> Bool {
        guard count >= 0 && count <= bitsRemaining else { return false }
        bitPosition &+= count
        return true
    }

    /// The next `count` bits (1...64) with zeros past the end of the buffer.
    /// Lets a decoder look at a prefix code in one load and then consume only
    /// what the code says; consuming checks the real bounds.
    @inline(__always)
    func peekPadded(_ count: Int) -> UInt64 {
        guard let base = buffer.baseAddress else { return 0 }
        let byteIndex = bitPosition &>> 3
        let shift = UInt64(bitPosition & 7)
        let n = buffer.count
        var word: UInt64
        if byteIndex &+ 8 <= n {
            word = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: byteIndex, as: UInt64.self))
        } else {
            // Within 8 bytes of the end: assemble what is there, zero-padded.
            word = 0
            var i = byteIndex
            var at: UInt64 = 56
            while i < n {
                word |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &<< at
                i &+= 1
                at &-= 8
            }
        }
        word = word &<< shift
        // An unaligned read of more than 64 - shift bits spills into a 9th byte.
        if shift &+ UInt64(count) > 64, byteIndex &+ 8 < n {
            word |= UInt64(base.load(fromByteOffset: byteIndex &+ 8, as: UInt8.self)) &>> (8 &- shift)
        }
        return word &>> UInt64(64 &- count)
    }

    /// Consumes a `header`-bit code already parsed from `lookahead` (what
    /// `peekPadded(64)` returned at the current position) and the `payload`
    /// bits after it (1...64), returning those; nil, consuming nothing, when
    /// the bits run out. Usually one bounds check and no second load.
    @inline(__always)
    mutating func consume(header: Int, payload: Int, lookahead: UInt64) -> UInt64? {
        let total = header &+ payload
        if total <= 64 {
            guard total <= bitsRemaining else { return nil }
            bitPosition &+= total
            return (lookahead &<< UInt64(header)) &>> UInt64(64 &- payload)
        }
        guard header <= bitsRemaining &- payload else { return nil }
        bitPosition &+= header
        return readBits(payload)
    }
}
