/// An append-only bit stream, most significant bit first: the first bit written
/// is bit 7 of `bytes[0]`. Unused low bits of the last byte are always zero, so
/// two writers that wrote the same bits hold equal `bytes`.
///
/// The struct is 9 bytes (array reference plus a bit counter) because every
/// open chunk in the head owns one.
public struct BitWriter: Sendable {
    /// The bytes written so far; the last one may be partly filled.
    public private(set) var bytes: [UInt8]

    /// Unused low bits of the last byte, 0...7. Stored instead of a bit count so
    /// the struct stays small (the count is derived).
    var freeBits: UInt8

    /// An empty stream. Allocates nothing until the first write.
    public init() {
        bytes = []
        freeBits = 0
    }

    /// Resumes a stream whose first `bitCount` bits are in `bytes`.
    ///
    /// Bytes past the last used one are dropped and unused bits of the last byte
    /// are cleared, so resuming and writing gives the same bytes as never having
    /// stopped.
    ///
    /// - Precondition: `0 <= bitCount <= bytes.count * 8`.
    public init(bytes: [UInt8], bitCount: Int) {
        precondition(bitCount >= 0 && bitCount <= bytes.count &* 8, "bitCount out of range")
        let used = (bitCount + 7) >> 3
        var bytes = bytes
        if bytes.count > used { bytes.removeLast(bytes.count - used) }
        let free = used * 8 - bitCount
        if free > 0 { bytes[used - 1] &= ~UInt8((1 << free) - 1) }
        self.bytes = bytes
        self.freeBits = UInt8(free)
    }

    /// The number of bits written.
    public var bitCount: Int { bytes.count &* 8 &- Int(freeBits) }

    /// Appends one bit.
    public mutating func writeBit(_ bit: Bool) {
        if freeBits == 0 {
            reserve(1)
            bytes.append(bit ? 0x80 : 0)
            freeBits = 7
        } else {
            freeBits &-= 1
            if bit { bytes[bytes.count &- 1] |= 1 << freeBits }
        }
    }

    /// Appends the low `count` bits of `value`, most significant first; higher
    /// bits of `value` are ignored.
    ///
    /// - Precondition: `0 <= count <= 64`.
    /// - Complexity: O(1): at most one byte updated and one append of up to 8
    ///   bytes, so batching bits into one call is cheaper than many calls.
    public mutating func writeBits(_ value: UInt64, count: Int) {
        precondition(count >= 0 && count <= 64, "count must be in 0...64")
        if count == 0 { return }
        let bits = count == 64 ? value : value & ((1 &<< UInt64(count)) &- 1)
        let free = Int(freeBits)
        if count <= free {
            freeBits = UInt8(free &- count)
            bytes[bytes.count &- 1] |= UInt8(truncatingIfNeeded: bits &<< UInt64(freeBits))
            return
        }
        // Top up the partly filled last byte, then append whole bytes.
        let rest = count &- free
        if free > 0 { bytes[bytes.count &- 1] |= UInt8(truncatingIfNeeded: bits &>> UInt64(rest)) }
        let newBytes = (rest &+ 7) &>> 3
        let pad = newBytes &* 8 &- rest
        // Left-align the new bytes in a word; the bits shifted out are the
        // ones already written.
        var word = (bits &<< UInt64(pad)) &<< UInt64(64 &- newBytes &* 8)
        reserve(newBytes)
        for _ in 0..<newBytes {
            bytes.append(UInt8(truncatingIfNeeded: word &>> 56))
            word &<<= 8
        }
        freeBits = UInt8(pad)
    }

    /// Makes room for `extra` more bytes, growing by half (not doubling) so a
    /// chunk wastes at most a third of its allocation; 100k open chunks make the
    /// difference visible.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        let needed = bytes.count &+ extra
        if needed > bytes.capacity {
            bytes.reserveCapacity(max(needed, 16, bytes.count &+ bytes.count >> 1))
        }
    }
}
