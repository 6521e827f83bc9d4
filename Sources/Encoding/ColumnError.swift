/// Shorthands for the errors column decoders throw, so that each check reads
/// as one line. Messages name the field, which is what a person looking at a
/// damaged block needs.
enum ColumnError {
    static func truncated(_ what: String) -> EncodingError {
        EncodingError(.truncated, "column ends inside \(what)")
    }

    static func corrupt(_ what: String) -> EncodingError {
        EncodingError(.corrupt, "column holds an impossible \(what)")
    }

    /// Reads an unsigned varint, telling a cut-off one (truncated) from one
    /// longer than 10 bytes or over 64 bits (corrupt).
    @inline(__always)
    static func uvarint(_ cursor: inout ByteCursor, _ what: String) throws(EncodingError) -> UInt64 {
        if let value = cursor.readUVarint() { return value }
        throw cursor.remaining >= 10 ? corrupt(what) : truncated(what)
    }

    /// Reads a zig-zag signed varint.
    @inline(__always)
    static func varint(_ cursor: inout ByteCursor, _ what: String) throws(EncodingError) -> Int64 {
        Varint.unzigzag(try uvarint(&cursor, what))
    }

    /// Checks a sample count before anything is decoded.
    static func checkCount(_ count: Int, bytes: UnsafeRawBufferPointer) throws(EncodingError) {
        guard count >= 0 else { throw EncodingError(.invalidSampleCount, "sample count \(count)") }
        // Encoders write nothing for no values, and at least one byte otherwise.
        if count == 0 && !bytes.isEmpty { throw corrupt("\(bytes.count) bytes for 0 values") }
        if count > 0 && bytes.isEmpty { throw truncated("an empty column of \(count) values") }
    }

    /// What both columns' public `decode(_:count:into:)` do around their
    /// pointer decoders: checks `count`, grows `out` once by `count` slots,
    /// lets `fill` decode into them, and removes them again if it throws, so
    /// `out` is left as it was on error.
    static func appendDecoded<T: Numeric>(
        _ bytes: UnsafeRawBufferPointer, count: Int, into out: inout [T],
        fill: (UnsafeMutablePointer<T>) throws(EncodingError) -> Void
    ) throws(EncodingError) {
        try checkCount(count, bytes: bytes)
        guard count > 0 else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        do throws(EncodingError) {
            try out.withUnsafeMutableBufferPointer { (buffer) throws(EncodingError) in
                try fill(buffer.baseAddress! + start)
            }
        } catch {
            out.removeLast(count)
            throw error
        }
    }
}
