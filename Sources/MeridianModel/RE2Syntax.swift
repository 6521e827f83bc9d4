/// The RE2 (Go `regexp/syntax`) rules that Swift's regex engine does not
/// enforce: Prometheus refuses these patterns, so Meridian must too, with
/// Go's words. Swift accepts lookaround, atomic groups, `(?<name>…)` and
/// backreferences; RE2 (Go 1.19, as in Prometheus 2.42) accepts none of them.
enum RE2Syntax {
    /// Go's error for `pattern`, if it uses syntax RE2 lacks; nil otherwise
    /// (other errors are left to the regex engine).
    /// - Complexity: O(n).
    static func unsupported(_ pattern: String) -> String? {
        let chars = Array(pattern.unicodeScalars)
        var i = 0
        var inClass = false
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                if i + 1 < chars.count, !inClass, ("1"..."9").contains(chars[i + 1]) {
                    return "error parsing regexp: invalid escape sequence: `\\\(chars[i + 1])`"
                }
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
            } else if c == "[" {
                inClass = true
                // A `]` right after `[` or `[^` is a literal.
                if i + 1 < chars.count, chars[i + 1] == "^" { i += 1 }
                if i + 1 < chars.count, chars[i + 1] == "]" { i += 1 }
            } else if c == "(", i + 1 < chars.count, chars[i + 1] == "?" {
                if let error = perlFlags(chars, from: i) { return error }
            }
            i += 1
        }
        return nil
    }

    /// Checks `(?…` at `start`: a named group `(?P<name>`, or flags
    /// `[imsU-]*` ending in `:` or `)`, as Go's `parsePerlFlags` allows.
    private static func perlFlags(_ chars: [Unicode.Scalar], from start: Int) -> String? {
        var j = start + 2
        if j < chars.count, chars[j] == "P" { return nil }
        while j < chars.count, "imsU-".unicodeScalars.contains(chars[j]) { j += 1 }
        if j < chars.count, chars[j] == ":" || chars[j] == ")" { return nil }
        let shown = String(String.UnicodeScalarView(chars[start..<min(j + 1, chars.count)]))
        return "error parsing regexp: invalid or unsupported Perl syntax: `\(shown)`"
    }
}
