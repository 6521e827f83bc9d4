/// Walks the samples of an ``XORChunk`` in order: `next()` or `seek(_:)`, then
/// `at()`.
///
/// Damaged bytes never trap: decoding stops, `next()` and `seek(_:)` return
/// false and ``error`` says why. Decoding a sample costs O(1) and allocates
/// nothing.
public struct XORChunkIterator: Sendable {
    let bytes: [UInt8]
    let sampleCount: Int
    var state = XORSampleDecoder()
    var bitPosition = 0
    /// Set once `next()` has returned false; later calls return false at once.
    var finished = false

    /// Why decoding stopped before `sampleCount` samples, or nil.
    public private(set) var error: EncodingError?

    init(bytes: [UInt8], sampleCount: Int) {
        self.bytes = bytes
        self.sampleCount = sampleCount
    }

    /// Moves to the next sample; false after the last one or on damaged bytes.
    public mutating func next() -> Bool {
        if finished { return false }
        guard state.decoded < sampleCount else {
            if sampleCount < 0 {
                error = EncodingError(.invalidSampleCount, "sample count \(sampleCount)")
            }
            finished = true
            return false
        }
        // Decode into locals: the closure borrows `bytes`, so it must not also
        // mutate `self`.
        var state = self.state
        var position = bitPosition
        let failure = bytes.withUnsafeBytes { buffer in
            var reader = BitReader(buffer, bitPosition: position)
            let failure = state.decodeNext(&reader)
            position = reader.bitPosition
            return failure
        }
        if let failure {
            let index = state.decoded
            error = EncodingError(
                failure, "XOR chunk damaged at sample \(index) of \(sampleCount), bit \(position)")
            finished = true
            return false
        }
        self.state = state
        bitPosition = position
        return true
    }

    /// Moves to the first sample at or after time `t`, starting from the
    /// current sample: a sample already at or after `t` stays current, and the
    /// iterator never moves backwards. False if no such sample remains.
    ///
    /// - Complexity: O(n) in the samples skipped; the codes have no index.
    public mutating func seek(_ t: Int64) -> Bool {
        if finished { return false }
        if state.decoded > 0 && state.t >= t { return true }
        while next() {
            if state.t >= t { return true }
        }
        return false
    }

    /// The current sample. Meaningful only after `next()` or `seek(_:)`
    /// returned true.
    public func at() -> (t: Int64, v: Double) {
        (state.t, Double(bitPattern: state.value))
    }
}
