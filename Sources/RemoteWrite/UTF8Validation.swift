import MeridianModel

/// UTF-8 validation on raw bytes, so label values can be checked without
/// building a `String`.
enum UTF8Validation {
    /// Whether `count` bytes at `start` are well-formed UTF-8 (Unicode table
    /// 3-7: no overlong forms, no surrogates, nothing past U+10FFFF), the same
    /// rule `String(validating:)` and SwiftProtobuf apply.
    /// - Complexity: O(n); ASCII text is checked eight bytes at a time.
    @inline(__always)
    static func isValid(_ start: UnsafeRawPointer, count: Int) -> Bool {
        isASCII(start, count: count) || isValidSlow(start, from: 0, count: count)
    }

    /// Whether every byte is below 0x80, with a handful of word loads and no
    /// loop for the short strings label values mostly are. Reads only inside
    /// the `count` bytes (overlapping loads cover the tail).
    @inline(__always)
    static func isASCII(_ start: UnsafeRawPointer, count: Int) -> Bool {
        if count >= 8 {
            var bits = start.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            var i = 0
            while i &+ 8 <= count {
                bits |= start.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                i &+= 8
            }
            return bits & 0x8080_8080_8080_8080 == 0
        }
        if count >= 4 {
            let bits =
                start.loadUnaligned(as: UInt32.self) | start.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
            return bits & 0x8080_8080 == 0
        }
        var bits: UInt8 = 0
        var i = 0
        while i < count {
            bits |= start.load(fromByteOffset: i, as: UInt8.self)
            i &+= 1
        }
        return bits < 0x80
    }

    /// The full check from byte `offset` on, kept out of line: label values
    /// are rarely anything but ASCII.
    @inline(never)
    static func isValidSlow(_ start: UnsafeRawPointer, from offset: Int, count: Int) -> Bool {
        var i = offset
        while i < count {
            guard
                let length = UTF8Sequence.length(
                    at: i, count: count, byte: { start.load(fromByteOffset: $0, as: UInt8.self) })
            else { return false }
            i += length
        }
        return true
    }
}
