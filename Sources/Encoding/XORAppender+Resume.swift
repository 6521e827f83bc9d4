extension XORAppender {
    /// Rebuilds the appender for a chunk encoded earlier, so appending can go on
    /// after a restart: decodes all `sampleCount` samples to recover the last
    /// time, delta, value, value-coding state and bit length.
    ///
    /// Appending after resuming produces the same bytes as never having
    /// stopped. Bytes after the last sample's bits are dropped, and unused bits
    /// of the last byte cleared.
    ///
    /// - Throws: ``EncodingError`` when the bytes hold fewer than `sampleCount`
    ///   samples or are damaged, or `sampleCount` is out of range.
    /// - Complexity: O(n) in the samples.
    public init(resuming bytes: [UInt8], sampleCount: Int) throws(EncodingError) {
        guard sampleCount >= 0 && sampleCount < Int(UInt32.max) else {
            throw EncodingError(.invalidSampleCount, "cannot resume a chunk of \(sampleCount) samples")
        }
        var state = XORSampleDecoder()
        var bitCount = 0
        let failure: EncodingError.Code? = bytes.withUnsafeBytes { buffer in
            var reader = BitReader(buffer)
            while state.decoded < sampleCount {
                if let failure = state.decodeNext(&reader) { return failure }
            }
            bitCount = reader.bitPosition
            return nil
        }
        if let failure {
            throw EncodingError(
                failure,
                "cannot resume: XOR chunk of \(bytes.count) bytes damaged at sample \(state.decoded) of \(sampleCount)")
        }
        writer = BitWriter(bytes: bytes, bitCount: bitCount)
        leading = state.leading
        trailing = state.trailing
        width = state.width
        valueDelta = state.valueDelta
        count = UInt32(sampleCount)
        lastT = state.t
        lastDelta = state.delta
        lastValue = state.value
    }
}
