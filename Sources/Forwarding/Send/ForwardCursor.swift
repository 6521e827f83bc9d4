import Encoding

/// How far an upstream has acknowledged the forward log: the position of
/// the first record not yet acknowledged, and its first sample's number.
public struct ForwardCursor: Sendable, Equatable {
    public var position: ForwardPosition
    public var sampleSeq: UInt64

    public init(position: ForwardPosition, sampleSeq: UInt64) {
        self.position = position
        self.sampleSeq = sampleSeq
    }

    static let magic: [UInt8] = Array("MFC1".utf8)

    /// `MFC1`, segment, offset, sample number (uvarints), the upstream URL
    /// (length-prefixed, for people reading the directory), CRC32C of all before.
    func encode(upstream: String) -> [UInt8] {
        var out = Self.magic
        Varint.appendUnsigned(UInt64(position.segment), to: &out)
        Varint.appendUnsigned(UInt64(position.offset), to: &out)
        Varint.appendUnsigned(sampleSeq, to: &out)
        Varint.appendUnsigned(UInt64(upstream.utf8.count), to: &out)
        out.append(contentsOf: upstream.utf8)
        let crc = CRC32C.checksum(out)
        withUnsafeBytes(of: crc.littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// Decodes a cursor file; nil when it is not one (damaged: start over).
    static func decode(_ bytes: [UInt8]) -> ForwardCursor? {
        guard bytes.count > 8, Array(bytes.prefix(4)) == magic else { return nil }
        let body = Array(bytes.dropLast(4))
        let stored = bytes.suffix(4).withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        guard CRC32C.checksum(body) == stored else { return nil }
        return body.withUnsafeBytes { raw -> ForwardCursor? in
            var cursor = ByteCursor(raw, offset: 4)
            guard let segment = cursor.readUVarint(), let offset = cursor.readUVarint(), let seq = cursor.readUVarint(),
                segment < UInt64(Int.max), offset < UInt64(Int.max)
            else { return nil }
            return ForwardCursor(position: ForwardPosition(segment: Int(segment), offset: Int(offset)), sampleSeq: seq)
        }
    }
}
