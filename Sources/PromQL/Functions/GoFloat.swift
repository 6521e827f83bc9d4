/// Go's `strconv` float conversions where Prometheus exposes them to users:
/// parsing `le` labels and formatting `count_values` labels. Matching Go
/// byte for byte keeps label values identical to Prometheus', which matters
/// because labels are identities.
public enum GoFloat {
    /// `strconv.ParseFloat(s, 64)`.
    ///
    /// Accepts Go's float literal syntax: optional sign, decimal digits with
    /// an optional point and `e` exponent, or `0x` hex mantissa with a
    /// mandatory `p` exponent; `_` between digits; and, ignoring case,
    /// `inf`/`infinity` (optionally signed) and unsigned `nan`.
    /// - Returns: nil for a syntax error, and for a finite literal beyond
    ///   Double's range (Go's `ErrRange`, which Prometheus treats as a bad label).
    /// - Complexity: O(n) in the string's length; no allocation for
    ///   literals without underscores.
    public static func parse(_ s: String) -> Double? {
        var copy = s
        return copy.withUTF8 { parse(utf8: $0) }
    }

    /// ``parse(_:)`` on raw UTF-8 bytes.
    public static func parse(utf8 s: UnsafeBufferPointer<UInt8>) -> Double? {
        if s.isEmpty { return nil }
        if let special = special(s) { return special.consumed == s.count ? special.value : nil }
        guard let underscores = isWellFormedNumber(s) else { return nil }
        // The literal is now known to be one C's strtod reads the same way
        // (decimal or hex with p exponent); only the underscores must go.
        let text: String
        if underscores {
            text = String(decoding: s.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        } else {
            text = String(decoding: s, as: UTF8.self)
        }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Go's `special`: `[+-]inf`, `[+-]infinity`, `nan`, any case; reports the bytes used.
    static func special(_ s: UnsafeBufferPointer<UInt8>) -> (value: Double, consumed: Int)? {
        var i = 0
        var negative = false
        let first = lower(s[0])
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            i = 1
        } else if first == UInt8(ascii: "n") {
            return commonPrefixLength(s, from: 0, "nan") == 3 ? (.nan, 3) : nil
        } else if first != UInt8(ascii: "i") {
            return nil
        }
        var n = commonPrefixLength(s, from: i, "infinity")
        if n > 3 && n < 8 { n = 3 }
        guard n == 3 || n == 8 else { return nil }
        return (negative ? -.infinity : .infinity, i + n)
    }

    /// Go's `readFloat` grammar plus `underscoreOK`; nil when malformed,
    /// otherwise whether the literal contains underscores.
    static func isWellFormedNumber(_ s: UnsafeBufferPointer<UInt8>) -> Bool? {
        var i = 0
        if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        var hex = false
        if i + 2 < s.count && s[i] == UInt8(ascii: "0") && lower(s[i + 1]) == UInt8(ascii: "x") {
            hex = true
            i += 2
        }
        var underscores = false
        var sawDot = false
        var sawDigits = false
        mantissa: while i < s.count {
            let c = s[i]
            switch c {
            case UInt8(ascii: "_"): underscores = true
            case UInt8(ascii: "."):
                if sawDot { break mantissa }
                sawDot = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigits = true
            case _ where hex && isHexLetter(c): sawDigits = true
            default: break mantissa
            }
            i += 1
        }
        guard sawDigits else { return nil }
        if i < s.count && lower(s[i]) == (hex ? UInt8(ascii: "p") : UInt8(ascii: "e")) {
            i += 1
            guard i < s.count else { return nil }
            if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            guard i < s.count, isDigit(s[i]) else { return nil }
            while i < s.count && (isDigit(s[i]) || s[i] == UInt8(ascii: "_")) {
                if s[i] == UInt8(ascii: "_") { underscores = true }
                i += 1
            }
        } else if hex {
            return nil  // a hex mantissa needs a p exponent
        }
        guard i == s.count else { return nil }
        if underscores && !underscoresAreSeparators(s) { return nil }
        return underscores
    }

    /// Go's `underscoreOK`: each `_` sits between digits (or after a base prefix).
    static func underscoresAreSeparators(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        enum Saw { case start, digit, underscore, other }
        var saw = Saw.start
        var i = 0
        if s.count >= 1 && (s[0] == UInt8(ascii: "-") || s[0] == UInt8(ascii: "+")) { i = 1 }
        var hex = false
        if s.count - i >= 2 && s[i] == UInt8(ascii: "0") {
            let prefix = lower(s[i + 1])
            if prefix == UInt8(ascii: "b") || prefix == UInt8(ascii: "o") || prefix == UInt8(ascii: "x") {
                hex = prefix == UInt8(ascii: "x")
                saw = .digit
                i += 2
            }
        }
        while i < s.count {
            let c = s[i]
            i += 1
            if isDigit(c) || (hex && isHexLetter(c)) {
                saw = .digit
            } else if c == UInt8(ascii: "_") {
                if saw != .digit { return false }
                saw = .underscore
            } else {
                if saw == .underscore { return false }
                saw = .other
            }
        }
        return saw != .underscore
    }

    private static func lower(_ c: UInt8) -> UInt8 { c | 0x20 }
    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    private static func isHexLetter(_ c: UInt8) -> Bool {
        let l = lower(c)
        return l >= UInt8(ascii: "a") && l <= UInt8(ascii: "f")
    }

    private static func commonPrefixLength(_ s: UnsafeBufferPointer<UInt8>, from start: Int, _ prefix: StaticString)
        -> Int
    {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        var n = 0
        while n < p.count && start + n < s.count {
            var c = s[start + n]
            if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") { c += 0x20 }
            if c != p[n] { break }
            n += 1
        }
        return n
    }
}
