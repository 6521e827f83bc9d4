/// A checksummed, length-prefixed record frame, shared by the files that log
/// records one after another (the WAL, the forward log; docs/format/wal.md):
///
/// ```
/// +--------+----------------+----------------+-------------------+
/// | kind   | length         | crc32c         | payload           |
/// | 1 byte | UInt32 LE      | UInt32 LE      | `length` bytes    |
/// +--------+----------------+----------------+-------------------+
/// ```
///
/// `kind` is 0x01 for a plain record; other values are kept for a future
/// framing, and 0x00 is never written, so a zero-filled tail is recognised as
/// such. The checksum covers the payload.
public enum CheckedFrame {
    /// Bytes before the payload.
    public static let headerSize = 9
    /// The frame kind of an uncompressed record.
    public static let kindRecord: UInt8 = 0x01
    /// The largest payload a frame may carry. Anything larger in a header is
    /// damage, not data.
    public static let maxPayload = 1 << 30

    /// Appends a frame whose payload `encode` appends to `out`, and returns the
    /// frame's size. The payload is written in place after a placeholder
    /// header, which is then filled in, so framing costs no copy.
    @discardableResult
    public static func append(to out: inout [UInt8], payload encode: (inout [UInt8]) -> Void) -> Int {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: headerSize))
        encode(&out)
        let length = out.count - start - headerSize
        precondition(length > 0 && length <= maxPayload, "frame payload of \(length) bytes is empty or exceeds \(maxPayload)")
        out.withUnsafeMutableBytes { raw in
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + headerSize)...]))
            storeHeader(length: length, crc: crc, into: raw, at: start)
        }
        return out.count - start
    }

    /// The header of a frame whose payload is `head` followed by `tail`: a
    /// payload in two pieces is framed, and can be written with `writev`,
    /// without joining them.
    public static func header(payload head: UnsafeRawBufferPointer, _ tail: UnsafeRawBufferPointer) -> [UInt8] {
        let length = head.count + tail.count
        precondition(
            length > 0 && length <= maxPayload, "frame payload of \(length) bytes is empty or exceeds \(maxPayload)")
        let crc = CRC32C.checksum(tail, continuing: CRC32C.checksum(head))
        var out = [UInt8](repeating: 0, count: headerSize)
        out.withUnsafeMutableBytes { storeHeader(length: length, crc: crc, into: $0, at: 0) }
        return out
    }

    /// Writes a frame header (kind, length, checksum) at `offset`.
    private static func storeHeader(length: Int, crc: UInt32, into raw: UnsafeMutableRawBufferPointer, at offset: Int) {
        raw.storeBytes(of: kindRecord, toByteOffset: offset, as: UInt8.self)
        raw.storeBytes(of: UInt32(length).littleEndian, toByteOffset: offset + 1, as: UInt32.self)
        raw.storeBytes(of: crc.littleEndian, toByteOffset: offset + 5, as: UInt32.self)
    }

    /// The payload length and checksum a frame header declares; nil when the
    /// header is cut short, of another kind, or declares an impossible length.
    public static func decodeHeader(_ header: [UInt8]) -> (length: Int, crc: UInt32)? {
        guard header.count >= headerSize, header[0] == kindRecord else { return nil }
        return header.withUnsafeBytes { raw in
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 1, as: UInt32.self)))
            guard length > 0 && length <= maxPayload else { return nil }
            return (length, UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 5, as: UInt32.self)))
        }
    }
}

/// Walks the frames of one file held in memory, checking each
/// checksum. It never throws: damage is a value the caller classifies.
public struct CheckedFrameScanner {
    /// What the scanner found at its position.
    public enum Step {
        /// A frame whose checksum matched; `offset` is where its header starts.
        case record(payload: UnsafeRawBufferPointer, offset: Int)
        /// The end of the bytes, exactly at a frame boundary.
        case end
        /// Bytes at `offset` that are not a valid frame. `tornWrite` is true
        /// when they look like what an interrupted append leaves behind — a
        /// cut-short header or payload, a bad last frame, a zero-filled tail —
        /// and so are harmless at the end of the newest segment.
        case damaged(offset: Int, reason: String, tornWrite: Bool)
    }

    public let bytes: UnsafeRawBufferPointer
    /// Where the next frame starts; stays at a damaged frame.
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    public mutating func next() -> Step {
        let remaining = bytes.count - offset
        if remaining == 0 { return .end }
        if remaining < CheckedFrame.headerSize {
            return .damaged(offset: offset, reason: "header cut short after \(remaining) bytes", tornWrite: true)
        }
        let kind = bytes[offset]
        if kind != CheckedFrame.kindRecord {
            if kind == 0 && isZero(from: offset) {
                return .damaged(offset: offset, reason: "\(remaining) zero bytes", tornWrite: true)
            }
            return .damaged(offset: offset, reason: "unknown frame kind 0x\(String(kind, radix: 16))", tornWrite: false)
        }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 1, as: UInt32.self)))
        if length == 0 || length > CheckedFrame.maxPayload {
            return .damaged(offset: offset, reason: "impossible payload length \(length)", tornWrite: false)
        }
        let end = offset + CheckedFrame.headerSize + length
        if end > bytes.count {
            return .damaged(
                offset: offset, reason: "payload of \(length) bytes cut short after \(remaining - CheckedFrame.headerSize)",
                tornWrite: true)
        }
        let expected = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 5, as: UInt32.self))
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + CheckedFrame.headerSize)..<end])
        if CRC32C.checksum(payload) != expected {
            return .damaged(offset: offset, reason: "checksum mismatch", tornWrite: end == bytes.count)
        }
        let start = offset
        offset = end
        return .record(payload: payload, offset: start)
    }

    private func isZero(from start: Int) -> Bool {
        for i in start..<bytes.count where bytes[i] != 0 { return false }
        return true
    }
}
