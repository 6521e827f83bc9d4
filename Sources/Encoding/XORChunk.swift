/// An immutable Gorilla-style chunk: timestamps as delta-of-delta codes, values
/// XORed with the previous value. The bytes carry no header; the sample count
/// travels beside them (in the head's series or the block's chunk reference).
/// Layout: docs/format/chunk.md.
///
/// Made by ``XORAppender/chunk()``, read with ``makeIterator()``.
public struct XORChunk: Sendable, Equatable {
    /// The encoding's id where chunks of several encodings are stored together.
    public static let encodingID: UInt8 = 1

    /// The encoded samples.
    public let bytes: [UInt8]
    /// The number of samples encoded in `bytes`.
    public let sampleCount: Int

    /// Wraps encoded bytes. Nothing is validated here; an iterator over damaged
    /// bytes stops early and reports ``XORChunkIterator/error``.
    ///
    /// - Complexity: O(1).
    public init(bytes: [UInt8], sampleCount: Int) {
        self.bytes = bytes
        self.sampleCount = sampleCount
    }

    /// An iterator positioned before the first sample.
    ///
    /// - Complexity: O(1); the iterator shares `bytes`.
    public func makeIterator() -> XORChunkIterator {
        XORChunkIterator(bytes: bytes, sampleCount: sampleCount)
    }
}
