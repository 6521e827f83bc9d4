/// LEB128 varints as protobuf writes them: unsigned (`uvarint`) and zig-zag
/// signed (`varint`), so small negative deltas stay one byte.
public enum Varint {
    /// Appends `value` as an unsigned varint (1-10 bytes).
    @inlinable
    public static func appendUnsigned(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Appends `value` zig-zag encoded.
    @inlinable
    public static func appendSigned(_ value: Int64, to out: inout [UInt8]) {
        appendUnsigned(zigzag(value), to: &out)
    }

    /// Zig-zag maps signed to unsigned: 0, -1, 1, -2 … -> 0, 1, 2, 3 …
    @inlinable
    public static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// Inverse of ``zigzag(_:)``.
    @inlinable
    public static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// The number of bytes ``appendUnsigned(_:to:)`` writes for `value`.
    @inlinable
    public static func size(_ value: UInt64) -> Int {
        var n = 1
        var v = value
        while v >= 0x80 {
            v >>= 7
            n += 1
        }
        return n
    }
}

/// A read cursor over a byte buffer. `read…` methods consume and return nil when
/// the bytes run out or are malformed, leaving the cursor where it was; `peek…`
/// methods never consume.
public struct ByteCursor {
    /// The bytes being read.
    public let bytes: UnsafeRawBufferPointer
    /// The offset of the next unread byte.
    public var offset: Int

    /// A cursor at the start of `bytes`.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Bytes left to read.
    @inlinable public var remaining: Int { bytes.count - offset }

    /// Whether everything has been read.
    @inlinable public var isAtEnd: Bool { offset >= bytes.count }

    /// Reads an unsigned varint; nil when truncated or longer than 10 bytes.
    @inlinable
    public mutating func readUVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = offset
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if shift == 63 && b > 1 { return nil }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 {
                offset = i
                return result
            }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    /// Reads a zig-zag signed varint.
    @inlinable
    public mutating func readVarint() -> Int64? {
        readUVarint().map(Varint.unzigzag)
    }

    /// Reads one byte.
    @inlinable
    public mutating func readByte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a little-endian UInt32.
    @inlinable
    public mutating func readUInt32LE() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Reads a little-endian UInt64.
    @inlinable
    public mutating func readUInt64LE() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Reads `count` bytes as a slice of the underlying buffer.
    @inlinable
    public mutating func readBytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    /// Reads a varint length and that many bytes; nil when truncated.
    @inlinable
    public mutating func readLengthPrefixed() -> UnsafeRawBufferPointer? {
        // One byte holds any length under 128: the usual label.
        if offset < bytes.count, bytes[offset] < 0x80 {
            let count = Int(bytes[offset])
            guard bytes.count - offset - 1 >= count else { return nil }
            defer { offset += 1 + count }
            return UnsafeRawBufferPointer(rebasing: bytes[offset + 1..<offset + 1 + count])
        }
        guard let count = readUVarint(), count <= UInt64(Int.max) else { return nil }
        return readBytes(Int(count))
    }
}

extension Array where Element == UInt8 {
    /// Appends a little-endian UInt32.
    @inlinable
    public mutating func appendUInt32LE(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends a little-endian UInt64.
    @inlinable
    public mutating func appendUInt64LE(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
