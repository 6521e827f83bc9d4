import CSnappy
import Encoding

/// Snappy block compression (the raw format, not the framed one), as
/// remote-write 1.0 uses it for request bodies. A thin wrapper over libsnappy.
public enum Snappy {
    /// Decompresses one snappy block.
    ///
    /// The block's header declares the decompressed length; a block that
    /// declares more than `maxDecodedSize` is refused before any memory is
    /// reserved, so a few bytes on the wire cannot make the receiver allocate
    /// gigabytes (a decompression bomb).
    /// - Throws: ``RemoteWriteError/Code/tooLarge`` past the limit,
    ///   ``RemoteWriteError/Code/framedSnappy`` for the framed format,
    ///   ``RemoteWriteError/Code/malformedSnappy`` for anything else invalid.
    /// `reservingCapacity`: bytes of room to leave after the output, so that
    /// appending that many does not copy it.
    /// - Complexity: O(n) in the decompressed size, one allocation.
    public static func decompress(
        _ input: UnsafeRawBufferPointer, maxDecodedSize: Int, reservingCapacity extra: Int = 0
    ) throws(RemoteWriteError) -> [UInt8] {
        if isFramedStream(input) {
            throw RemoteWriteError(.framedSnappy, framedMessage)
        }
        guard let declared = decodedLength(input) else {
            throw RemoteWriteError(.malformedSnappy, "malformed snappy block: invalid length header")
        }
        guard declared <= maxDecodedSize else {
            throw RemoteWriteError(
                .tooLarge, "decompressed body of \(declared) bytes exceeds the limit of \(maxDecodedSize) bytes")
        }
        let source = input.baseAddress!.assumingMemoryBound(to: CChar.self)
        var status = SNAPPY_OK
        // Uninitialized capacity: snappy writes every byte, so zero-filling
        // first would only double the memory traffic.
        let output = [UInt8](unsafeUninitializedCapacity: max(declared + extra, 1)) { buffer, initialized in
            var length = declared
            status = buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                snappy_uncompress(source, input.count, $0, &length)
            }
            initialized = status == SNAPPY_OK ? length : 0
        }
        guard status == SNAPPY_OK, output.count == declared else {
            throw RemoteWriteError(.malformedSnappy, "malformed snappy block: corrupt compressed data")
        }
        return output
    }

    /// Array convenience for ``decompress(_:maxDecodedSize:)-(UnsafeRawBufferPointer,_)``.
    public static func decompress(_ input: [UInt8], maxDecodedSize: Int) throws(RemoteWriteError) -> [UInt8] {
        let result: Result<[UInt8], RemoteWriteError> = input.withUnsafeBytes { bytes in
            Result { () throws(RemoteWriteError) in try decompress(bytes, maxDecodedSize: maxDecodedSize) }
        }
        return try result.get()
    }

    /// The decompressed length a block declares in its header, or nil when the
    /// header is not a valid length. Reads only the header (at most 5 bytes).
    public static func decodedLength(_ input: UnsafeRawBufferPointer) -> Int? {
        guard let base = input.baseAddress, !input.isEmpty else { return nil }
        var length = 0
        let status = snappy_uncompressed_length(base.assumingMemoryBound(to: CChar.self), input.count, &length)
        return status == SNAPPY_OK ? length : nil
    }

    /// Compresses `input` into one snappy block.
    /// - Complexity: O(n); allocates the worst-case output size once.
    public static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let capacity = snappy_max_compressed_length(input.count)
        // An empty input still needs a valid pointer for the C call.
        var empty: UInt8 = 0
        return withUnsafeMutablePointer(to: &empty) { placeholder in
            let source = UnsafeRawPointer(input.baseAddress ?? UnsafeRawPointer(placeholder))
                .assumingMemoryBound(to: CChar.self)
            return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                var length = capacity
                let status = buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: capacity) {
                    snappy_compress(source, input.count, $0, &length)
                }
                // Only fails when the output buffer is too small, and it is
                // sized by snappy's own worst case.
                precondition(status == SNAPPY_OK, "snappy_compress failed with status \(status.rawValue)")
                initialized = length
            }
        }
    }

    /// Array convenience for ``compress(_:)-(UnsafeRawBufferPointer)``.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBytes { compress($0) }
    }

    /// One block that decompresses to the concatenation of what `blocks`
    /// decompress to, without decompressing anything: a block is its
    /// decompressed length (a uvarint) followed by literals and back
    /// references, and a reference only reaches back into the block's own
    /// output, so the element streams can follow one another under a new
    /// length. With remote-write bodies, since a `WriteRequest` is its
    /// repeated fields, the result is one request holding all of theirs.
    /// - Returns: nil when a block's length header is invalid, or the total
    ///   is over 2^32 - 1 (the most a block may declare).
    /// - Complexity: O(n) in the compressed bytes; one copy.
    public static func concatenate(_ blocks: [[UInt8]]) -> [UInt8]? {
        var total = 0
        var headers: [Int] = []
        headers.reserveCapacity(blocks.count)
        for block in blocks {
            guard let length = block.withUnsafeBytes({ decodedLength($0) }),
                let lastHeaderByte = block.firstIndex(where: { $0 < 0x80 })
            else { return nil }
            total += length
            headers.append(lastHeaderByte + 1)
        }
        guard total <= Int(UInt32.max) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(Varint.size(UInt64(total)) + blocks.reduce(0) { $0 + $1.count })
        Varint.appendUnsigned(UInt64(total), to: &out)
        for (block, header) in zip(blocks, headers) { out.append(contentsOf: block[header...]) }
        return out
    }

    /// The stream identifier chunk that opens every snappy framed stream:
    /// chunk type 0xff, a 3-byte little-endian length of 6, then "sNaPpY".
    static let streamIdentifier: [UInt8] = [0xff, 0x06, 0x00, 0x00] + Array("sNaPpY".utf8)

    /// Whether `bytes` begin with the snappy framed format's stream identifier.
    ///
    /// Remote-write uses the block format; a framed body means the sender is
    /// misconfigured, and the receiver answers 415 rather than 400 so that the
    /// operator sees an encoding problem, not a data problem. These bytes can
    /// open a valid block too, but that block would decompress to text starting
    /// with the byte 0x00 (field number 0), which no valid protobuf does, so the
    /// check never misfires on a valid request.
    public static func isFramedStream(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= streamIdentifier.count else { return false }
        for (i, expected) in streamIdentifier.enumerated() where bytes[i] != expected { return false }
        return true
    }

    /// Array convenience for ``isFramedStream(_:)-(UnsafeRawBufferPointer)``.
    public static func isFramedStream(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { isFramedStream($0) }
    }

    private static let framedMessage =
        "body uses the snappy framed format; remote-write requires the snappy block format"
}
