import MeridianModel

/// The rules of ``NameValidation``, checked eight bytes at a time for the
/// decoder's hot path (a request repeats ~16,000 label names): each byte lane
/// is range-tested with one add per bound (SIMD within a register) instead of
/// three compares and a branch per byte. Tests hold these to ``NameValidation``
/// on every string of up to two bytes and on random longer ones.
extension NameValidation {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether every byte of `word` is a name byte: `[a-zA-Z0-9_]`, plus `:`
    /// for metric names.
    @inline(__always)
    private static func allNameBytes(_ word: UInt64, metric: Bool) -> Bool {
        // Bytes of 0x80 and up are never allowed; below that, adding
        // (0x80 - low) sets a lane's top bit exactly when the byte is >= low,
        // and adding (0x7f - high) exactly when it is > high, with no carry
        // between lanes.
        guard word & highBits == 0 else { return false }
        @inline(__always) func within(_ low: UInt64, _ high: UInt64) -> UInt64 {
            (word &+ ones &* (0x80 - low)) & ~(word &+ ones &* (0x7f - high)) & highBits
        }
        let digits = metric ? within(0x30, 0x3a) : within(0x30, 0x39)
        return digits | within(0x41, 0x5a) | within(0x5f, 0x5f) | within(0x61, 0x7a) == highBits
    }

    /// All `count` bytes at `start`, as whole words; short names are padded
    /// with "a" lanes, longer ones end with a word overlapping the previous.
    @inline(__always)
    private static func allNameBytes(_ start: UnsafeRawPointer, count: Int, metric: Bool) -> Bool {
        if count >= 8 {
            var i = 0
            while i &+ 8 <= count {
                let word = start.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if !allNameBytes(word, metric: metric) { return false }
                i &+= 8
            }
            return i == count
                || allNameBytes(start.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self), metric: metric)
        }
        let word: UInt64
        if count >= 4 {
            word =
                UInt64(start.loadUnaligned(as: UInt32.self))
                | UInt64(start.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)) << 32
        } else if count >= 2 {
            word =
                UInt64(start.loadUnaligned(as: UInt16.self))
                | UInt64(start.loadUnaligned(fromByteOffset: count &- 2, as: UInt16.self)) << 16
                | 0x6161_6161_0000_0000
        } else {
            word = UInt64(start.load(as: UInt8.self)) | 0x6161_6161_6161_6100
        }
        // Lane order is irrelevant: every lane is tested alike.
        return allNameBytes(word, metric: metric)
    }

    /// ``isValidLabelName(_:)-(UnsafeRawBufferPointer)`` on `count` bytes at `start`.
    @inline(__always)
    static func isValidLabelName(_ start: UnsafeRawPointer, count: Int) -> Bool {
        // Every allowed byte other than a digit is above "9", so that is the
        // whole rule for the first byte.
        count > 0 && start.load(as: UInt8.self) > 0x39 && allNameBytes(start, count: count, metric: false)
    }

    /// ``isValidMetricName(_:)-(UnsafeRawBufferPointer)`` on `count` bytes at `start`.
    @inline(__always)
    static func isValidMetricName(_ start: UnsafeRawPointer, count: Int) -> Bool {
        // ":" (0x3a) may come first in a metric name; digits may not.
        count > 0 && start.load(as: UInt8.self) > 0x39 && allNameBytes(start, count: count, metric: true)
    }
}
