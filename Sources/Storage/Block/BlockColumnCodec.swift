import Encoding

/// The column codecs a block uses, as values, so that tests can pin the
/// container format (golden bytes of `index` and `chunks`) independently of
/// the codecs, which have golden tests of their own. Production code always
/// uses ``standard``.
struct BlockColumnCodec: Sendable {
    var encodeTimestamps: @Sendable ([Int64]) -> [UInt8]
    var decodeTimestamps: @Sendable (UnsafeRawBufferPointer, Int, inout [Int64]) throws(EncodingError) -> Void
    var encodeValues: @Sendable ([Double]) -> [UInt8]
    var decodeValues: @Sendable (UnsafeRawBufferPointer, Int, inout [Double]) throws(EncodingError) -> Void

    /// ``TimestampColumn`` and ``ValueColumn``: what format version 1 means.
    static let standard = BlockColumnCodec(
        encodeTimestamps: { TimestampColumn.encode($0) },
        decodeTimestamps: { (bytes, count, out) throws(EncodingError) in
            try TimestampColumn.decode(bytes, count: count, into: &out)
        },
        encodeValues: { ValueColumn.encode($0) },
        decodeValues: { (bytes, count, out) throws(EncodingError) in
            try ValueColumn.decode(bytes, count: count, into: &out)
        })
}
