/// UTF-8 validation on raw bytes, so label values can be checked without
/// building a `String`.
enum UTF8Validation {
    /// Whether `count` bytes at `start` are well-formed UTF-8 (Unicode table
    /// 3-7: no overlong forms, no surrogates, nothing past U+10FFFF), the same
    /// rule `String(validating:)` and SwiftProtobuf apply.
    /// - Complexity: O(n); ASCII runs are checked eight bytes at a time.
    @inline(__always)
    static func isValid(_ start: UnsafeRawPointer, count: Int) -> Bool {
        var i = 0
        // Label values are almost always ASCII: skip whole words of it.
        while i + 8 <= count {
            if start.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < count {
            if start.load(fromByteOffset: i, as: UInt8.self) < 0x80 {
                i += 1
                continue
            }
            return isValidSlow(start, from: i, count: count)
        }
        return true
    }

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
