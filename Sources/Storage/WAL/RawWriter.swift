/// A forward-only writer into memory the caller has already reserved. It does
/// no bounds checks: callers size the reservation for the worst case first
/// (a varint is at most 10 bytes), which is what makes it cheaper than
/// appending to an array byte by byte.
struct RawWriter {
    /// Where writing started.
    let base: UnsafeMutableRawPointer
    /// Bytes written so far.
    private(set) var offset = 0

    init(_ base: UnsafeMutableRawPointer) {
        self.base = base
    }

    @inline(__always)
    mutating func putByte(_ byte: UInt8) {
        base.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
        offset += 1
    }

    /// LEB128, 1-10 bytes, the same bytes as `Varint.appendUnsigned`.
    @inline(__always)
    mutating func putUVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            putByte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        putByte(UInt8(v))
    }

    /// Zig-zag LEB128, the same bytes as `Varint.appendSigned`.
    @inline(__always)
    mutating func putVarint(_ value: Int64) {
        putUVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inline(__always)
    mutating func putUInt64LE(_ value: UInt64) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
        offset += 8
    }
}
