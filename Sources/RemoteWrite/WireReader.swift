/// A forward reader over one protobuf message in a buffer, for the hand-written
/// decoder. Positions are absolute offsets into the whole request, so an error
/// can say where in the body it happened; `end` bounds the current message.
///
/// It accepts exactly what SwiftProtobuf accepts at the wire level (tags of at
/// most five bytes, varints of at most ten, lengths within the message), which
/// the differential tests check byte by byte on corrupted inputs.
struct WireReader {
    /// The start of the whole request.
    let base: UnsafeRawPointer
    /// The offset of the next unread byte.
    var position: Int
    /// The offset just past the current message.
    let end: Int

    @inline(__always)
    init(base: UnsafeRawPointer, position: Int, end: Int) {
        self.base = base
        self.position = position
        self.end = end
    }

    /// Whether the current message has been read to its end.
    @inline(__always) var isAtEnd: Bool { position >= end }

    @inline(__always)
    func byte(at offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

    /// Reads a field tag at message level and returns it raw (`field << 3 | wire`),
    /// so that callers can switch on the one-byte tags of known fields.
    ///
    /// Rejects wire types 6 and 7, field number 0, tags longer than five bytes
    /// or with a field number past 2^29 - 1, and an end-group tag (no group is
    /// open at message level). Call only when ``isAtEnd`` is false.
    @inline(__always)
    mutating func readTag() throws(RemoteWriteError) -> UInt32 {
        let first = byte(at: position)
        if first < 0x80 {
            // One byte: fields 1-15, the case of every field the decoder knows.
            let wire = first & 7
            guard first >= 8, wire <= 5, wire != 4 else { throw badTag(first) }
            position += 1
            return UInt32(first)
        }
        return try readLongTag()
    }

    @inline(never)
    mutating func readLongTag() throws(RemoteWriteError) -> UInt32 {
        let start = position
        let wire = byte(at: start) & 7
        guard wire <= 5 else { throw badTag(byte(at: start)) }
        var value: UInt32 = 0
        var shift: UInt32 = 0
        var i = start
        while true {
            guard i < end else { throw malformed(at: start, "truncated field tag") }
            let b = byte(at: i)
            i += 1
            if shift == 28 {
                // The fifth byte carries the top four bits of a 32-bit tag and
                // can have no continuation.
                guard b <= 15 else { throw malformed(at: start, "field tag longer than five bytes") }
                value |= UInt32(b) << shift
                break
            }
            value |= UInt32(b & 0x7f) << shift
            if b < 0x80 { break }
            shift += 7
        }
        guard value >> 3 != 0 else { throw malformed(at: start, "field number 0") }
        guard value & 7 != 4 else { throw malformed(at: start, "end-group tag outside a group") }
        position = i
        return value
    }

    /// Reads an unsigned varint of at most ten bytes; the tenth byte's bits
    /// past 64 are dropped, as every mainstream protobuf runtime does.
    @inline(__always)
    mutating func readVarint() throws(RemoteWriteError) -> UInt64 {
        guard position < end else { throw malformed(at: position, "truncated varint") }
        let first = byte(at: position)
        if first < 0x80 {
            position += 1
            return UInt64(first)
        }
        return try readLongVarint()
    }

    @inline(__always)
    mutating func readLongVarint() throws(RemoteWriteError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = position
        while true {
            guard i < end else { throw malformed(at: position, "truncated varint") }
            guard shift <= 63 else { throw malformed(at: position, "varint longer than ten bytes") }
            let b = byte(at: i)
            i += 1
            value |= UInt64(b & 0x7f) &<< shift
            if b < 0x80 { break }
            shift += 7
        }
        position = i
        return value
    }

    /// Reads a little-endian 64-bit word (wire type 1).
    @inline(__always)
    mutating func readFixed64() throws(RemoteWriteError) -> UInt64 {
        guard end - position >= 8 else { throw malformed(at: position, "truncated 64-bit field") }
        let value = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return value
    }

    /// Reads the length of a length-delimited field and steps over its body;
    /// returns the body's start offset and length.
    @inline(__always)
    mutating func readLengthDelimited() throws(RemoteWriteError) -> (start: Int, count: Int) {
        let at = position
        let length = try readVarint()
        // The 2 GiB cap matches protobuf's own limit on a string or message.
        guard length < 0x7fff_ffff, length <= UInt64(end - position) else {
            throw malformed(at: at, "length \(length) runs past the end of the enclosing message")
        }
        let start = position
        position += Int(length)
        return (start, Int(length))
    }

    /// A reader over the body of a length-delimited field.
    @inline(__always)
    func subReader(_ body: (start: Int, count: Int)) -> WireReader {
        WireReader(base: base, position: body.start, end: body.start + body.count)
    }

    @inline(never)
    func badTag(_ first: UInt8) -> RemoteWriteError {
        if first & 7 > 5 { return malformed(at: position, "invalid wire type \(first & 7)") }
        if first & 7 == 4 { return malformed(at: position, "end-group tag outside a group") }
        return malformed(at: position, "field number 0")
    }

    /// A wire type that the schema does not allow for a known field. Protobuf
    /// runtimes differ here (some keep such a field as unknown); Prometheus
    /// refuses it, and so does Meridian.
    @inline(never)
    func wrongWireType(field: UInt32, wire: UInt32, in message: String, at offset: Int) -> RemoteWriteError {
        malformed(at: offset, "wrong wire type \(wire) for field \(field) of \(message)")
    }

    @inline(never)
    func malformed(at offset: Int, _ reason: String) -> RemoteWriteError {
        RemoteWriteError(.malformedProtobuf, "malformed protobuf at byte \(offset): \(reason)")
    }
}
