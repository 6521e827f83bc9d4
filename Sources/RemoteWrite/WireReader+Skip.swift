extension WireReader {
    /// How deep messages and groups may nest, counting the request itself as 1;
    /// the same budget SwiftProtobuf applies by default, so that both refuse a
    /// body of thousands of nested groups built to exhaust the stack.
    static let maxDepth = 100

    /// Steps over the body of a field the schema does not know (a newer
    /// sender's field), whatever its wire type, as protobuf requires.
    /// `depth` is that of the message holding the field.
    mutating func skipField(tag: UInt32, depth: Int) throws(RemoteWriteError) {
        switch tag & 7 {
        case 0: _ = try readVarint()
        case 1: _ = try readFixed64()
        case 2: _ = try readSkippedLength()
        case 3: try skipGroup(field: tag >> 3, depth: depth + 1)
        case 5:
            guard end - position >= 4 else { throw malformed(at: position, "truncated 32-bit field") }
            position += 4
        default:
            // readTag never returns wire types 4, 6 or 7.
            throw malformed(at: position, "unexpected wire type \(tag & 7)")
        }
    }

    /// Steps over an unknown length-delimited body; unlike a known field's,
    /// its length has no 2 GiB cap (only the bounds of the message).
    private mutating func readSkippedLength() throws(RemoteWriteError) -> Int {
        let at = position
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw malformed(at: at, "length \(length) runs past the end of the enclosing message")
        }
        position += Int(length)
        return Int(length)
    }

    /// Steps over a (deprecated, proto2) group up to its matching end tag.
    ///
    /// Inside a group, tags are read as plain varints below 2^32 - 1, the way
    /// SwiftProtobuf skips groups, rather than with the stricter message-level
    /// rule of ``readTag()``.
    private mutating func skipGroup(field: UInt32, depth: Int) throws(RemoteWriteError) {
        let start = position
        guard depth <= WireReader.maxDepth else {
            throw malformed(at: start, "messages and groups nested deeper than \(WireReader.maxDepth)")
        }
        while true {
            guard position < end else { throw malformed(at: start, "group \(field) has no end tag") }
            let at = position
            let raw = try readVarint()
            guard raw < UInt64(UInt32.max), raw >> 3 != 0, raw & 7 <= 5 else {
                throw malformed(at: at, "invalid field tag inside group \(field)")
            }
            let tag = UInt32(raw)
            if tag & 7 == 4 {
                guard tag >> 3 == field else {
                    throw malformed(at: at, "end tag of group \(tag >> 3) inside group \(field)")
                }
                return
            }
            try skipField(tag: tag, depth: depth)
        }
    }
}
