/// The state carried from one XOR-chunk sample to the next while decoding.
/// Shared by ``XORChunkIterator`` and ``XORAppender/init(resuming:sampleCount:)``
/// so that resuming reconstructs exactly what the iterator would see.
struct XORSampleDecoder: Sendable {
    /// Time of the last decoded sample.
    var t: Int64 = 0
    /// `t` minus the time before it; 0 before the second sample, which is why
    /// the second sample needs no special code.
    var delta: Int64 = 0
    /// Bit pattern of the last decoded value.
    var value: UInt64 = 0
    /// The current XOR window. (0, 0), all 64 bits, until the first new
    /// window is written; the encoder starts from the same state.
    var leading: UInt8 = 0
    var trailing: UInt8 = 0
    /// The current width of integer residuals; 64 until the first new width.
    var width: UInt8 = 64
    /// The step of the last integer code (the last value minus the one
    /// before), 0 after any other code. The integer code predicts
    /// `value + valueDelta`, so a counter rising at a steady rate leaves only
    /// the noise to encode, and one that rises in bursts (repeats between) is
    /// predicted from 0.
    var valueDelta: Int64 = 0
    /// Samples decoded so far.
    var decoded = 0

    /// Decodes the next sample from `reader`, which must be where the previous
    /// call left it (bit 0 for the first sample). Returns nil on success, or why
    /// it failed; after a failure the state is unspecified.
    @inline(__always)
    mutating func decodeNext(_ reader: inout BitReader) -> EncodingError.Code? {
        if decoded == 0 {
            // Sample 0 starts the chunk, so it is byte-aligned: read the time with
            // the project's varint reader rather than a second implementation.
            var cursor = ByteCursor(reader.buffer, offset: reader.bitPosition >> 3)
            guard let first = cursor.readVarint() else {
                return cursor.remaining >= 10 ? .corrupt : .truncated
            }
            guard reader.skipBits((cursor.offset << 3) - reader.bitPosition),
                let bits = reader.readBits(64)
            else { return .truncated }
            t = first
            value = bits
            decoded = 1
            return nil
        }
        guard let dod = XORFormat.readDeltaOfDelta(from: &reader) else { return .truncated }
        delta &+= dod
        t &+= delta
        if let failure = decodeValue(&reader) { return failure }
        decoded &+= 1
        return nil
    }

    /// Reads one value code:
    ///
    ///     '0'     repeat the last value
    ///     '10'    integer residual in the current width
    ///     '110'   XOR in the current window
    ///     '1110'  new integer width, then the residual
    ///     '1111'  new XOR window, then the XOR
    @inline(__always)
    mutating func decodeValue(_ reader: inout BitReader) -> EncodingError.Code? {
        // As for timestamps: parse from one padded look, let consume() check.
        let lookahead = reader.peekPadded(64)
        if lookahead >> 63 == 0 {
            guard reader.skipBits(1) else { return .truncated }
            valueDelta = 0
            return nil
        }
        if lookahead >> 62 == 0b10 || lookahead >> 60 == 0b1110 {
            var header = 2
            if lookahead >> 62 != 0b10 {
                header = 4 + XORFormat.widthBits
                width = UInt8(field(lookahead, at: 4, width: XORFormat.widthBits) + 1)
            }
            // Only an integer follows an integer; anything else is damage, and
            // converting a NaN to Int64 would trap.
            guard let base = XORFormat.safeInteger(value) else { return .corrupt }
            guard let raw = reader.consume(header: header, payload: Int(width), lookahead: lookahead)
            else { return .truncated }
            valueDelta &+= XORFormat.signExtend(raw, width: Int(width))
            value = Double(base &+ valueDelta).bitPattern
            return nil
        }
        var header = 3
        if lookahead >> 61 != 0b110 {
            header = 4 + XORFormat.leadingBits + XORFormat.significantBits
            let newLeading = field(lookahead, at: 4, width: XORFormat.leadingBits)
            let significant = field(lookahead, at: 4 + XORFormat.leadingBits, width: XORFormat.significantBits) + 1
            // 5 + 6 bits can describe a window wider than 64 bits; no encoder
            // writes one.
            guard newLeading + significant <= 64 else { return .corrupt }
            leading = UInt8(newLeading)
            trailing = UInt8(64 - newLeading - significant)
        }
        let significant = 64 &- Int(leading) &- Int(trailing)
        guard let bits = reader.consume(header: header, payload: significant, lookahead: lookahead)
        else { return .truncated }
        value ^= bits &<< UInt64(trailing)
        valueDelta = 0
        return nil
    }

    /// The `width`-bit field starting `offset` bits into `word`.
    @inline(__always)
    private func field(_ word: UInt64, at offset: Int, width: Int) -> Int {
        Int(truncatingIfNeeded: (word &<< UInt64(offset)) &>> UInt64(64 &- width))
    }
}
