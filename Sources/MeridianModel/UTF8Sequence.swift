/// Well-formed UTF-8, one sequence at a time (Unicode table 3-7: no overlong
/// forms, no surrogates, nothing past U+10FFFF), the rule Go's decoder,
/// `String(validating:)` and SwiftProtobuf share. Remote write checks label
/// values with it; the regex syntax check finds where Go's parser meets a bad byte.
public enum UTF8Sequence {
    /// The length of the well-formed sequence at `offset`, of `count` bytes
    /// read through `byte`; nil where there is none, which is where Go's
    /// decoder reads `RuneError` of width 1 (a bad lead or continuation byte,
    /// an overlong form, a surrogate, past U+10FFFF, or cut short).
    /// - Complexity: O(1); reads at most four bytes.
    @inlinable @inline(__always)
    public static func length(at offset: Int, count: Int, byte: (Int) -> UInt8) -> Int? {
        guard offset < count else { return nil }
        let lead = byte(offset)
        if lead < 0x80 { return 1 }
        let length: Int
        // The second byte's range narrows for the lead bytes whose shortest
        // forms would otherwise be overlong, surrogates or past U+10FFFF.
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: return nil
        }
        guard offset + length <= count else { return nil }
        let second = byte(offset + 1)
        guard second >= low && second <= high else { return nil }
        if length >= 3 && byte(offset + 2) & 0xC0 != 0x80 { return nil }
        if length == 4 && byte(offset + 3) & 0xC0 != 0x80 { return nil }
        return length
    }
}
