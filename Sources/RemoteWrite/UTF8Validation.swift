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
        @inline(__always) func byte(_ k: Int) -> UInt8 { start.load(fromByteOffset: k, as: UInt8.self) }
        @inline(__always) func isContinuation(_ b: UInt8) -> Bool { b & 0xc0 == 0x80 }
        while i < count {
            let b0 = byte(i)
            if b0 < 0x80 {
                i += 1
                continue
            }
            let length: Int
            // The allowed range of the second byte narrows for the lead bytes
            // whose shortest forms would otherwise be overlong or surrogates.
            var low: UInt8 = 0x80
            var high: UInt8 = 0xbf
            switch b0 {
            case 0xc2...0xdf: length = 2
            case 0xe0:
                length = 3
                low = 0xa0
            case 0xe1...0xec, 0xee...0xef: length = 3
            case 0xed:
                length = 3
                high = 0x9f
            case 0xf0:
                length = 4
                low = 0x90
            case 0xf1...0xf3: length = 4
            case 0xf4:
                length = 4
                high = 0x8f
            default: return false
            }
            guard i + length <= count else { return false }
            let b1 = byte(i + 1)
            guard b1 >= low && b1 <= high else { return false }
            if length >= 3 && !isContinuation(byte(i + 2)) { return false }
            if length == 4 && !isContinuation(byte(i + 3)) { return false }
            i += length
        }
        return true
    }
}
