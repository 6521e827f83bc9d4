/// Reads MSB-first bit fields (the order ``BitWriter`` writes) from a byte
/// range whose total length the caller has already checked.
///
/// Unlike ``BitReader`` it does no bounds check per read: column decoders know
/// from the header how many bits a run of fields takes, check that once, and
/// then read hundreds of fields in a tight loop. Reads near the end are
/// zero-padded, never out of bounds.
struct FieldReader {
    /// The first byte of the range.
    let base: UnsafeRawPointer
    /// Bytes in the range.
    let byteCount: Int
    /// The next bit to read, counted from bit 7 of byte 0.
    var position: Int = 0

    /// A reader over `bytes`.
    init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have no address. Any non-null one will do: no
        // read of an empty range touches memory (see peekSlow).
        base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 0x8)!
        byteCount = bytes.count
    }

    /// Bits in the range.
    var bitCount: Int { byteCount &<< 3 }

    /// The 64 bits from `position` on, zeros past the end. Two loads at most.
    @inline(__always)
    func peek64() -> UInt64 {
        let byte = position &>> 3
        let shift = UInt64(position & 7)
        if byte &+ 9 <= byteCount {
            let word = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            let next = UInt64(base.load(fromByteOffset: byte &+ 8, as: UInt8.self))
            // At shift 0 the ninth byte contributes nothing: a byte >> 8 is 0.
            return word &<< shift | next &>> (8 &- shift)
        }
        return peekSlow(byte: byte, shift: shift)
    }

    /// The top `count` (1...57) bits from `position`: one load, since a
    /// field of at most 57 bits never spills into a ninth byte.
    @inline(__always)
    func peek(_ count: Int) -> UInt64 {
        let byte = position &>> 3
        if byte &+ 8 <= byteCount {
            let word = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            return (word &<< UInt64(position & 7)) &>> UInt64(64 &- count)
        }
        return peekSlow(byte: byte, shift: UInt64(position & 7)) &>> UInt64(64 &- count)
    }

    /// `peek64` near the end of the range: assemble what is there.
    @inline(never)
    func peekSlow(byte: Int, shift: UInt64) -> UInt64 {
        var word: UInt64 = 0
        var at: UInt64 = 56
        var i = byte
        // Nine bytes cover 64 bits at any shift.
        while i < byteCount && i < byte &+ 8 {
            word |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &<< at
            i &+= 1
            at &-= 8
        }
        word = word &<< shift
        if shift > 0 && byte &+ 8 < byteCount {
            word |= UInt64(base.load(fromByteOffset: byte &+ 8, as: UInt8.self)) &>> (8 &- shift)
        }
        return word
    }

    /// Whether the bits from `position` to the end of the range are all zero:
    /// the padding every column writer leaves, checked so that damage and a
    /// wrong count are reported rather than ignored.
    func restIsZeroPadding() -> Bool {
        let left = bitCount &- position
        guard left >= 0 && left < 8 else { return false }
        return left == 0 || peek64() == 0
    }
}
