/// Numbers, durations and strings. The lexer only checks their shape, the
/// parser converts them, so a literal the lexer accepts can still fail to
/// parse (`1e` is a number token, `5m1h` a duration token), exactly as in
/// Prometheus.
extension Lexer {
    /// After `[`: a duration, or a lexing error.
    mutating func lexDuration() -> Token {
        if scanNumber() { return error("missing unit character in duration") }
        if !acceptRemainingDuration() {
            return error("bad duration syntax: \(goQuote(text(from: start)))")
        }
        backup()
        return emit(.duration)
    }

    /// `12`, `1.5e3`, `0x1f` or `5m`.
    mutating func lexNumberOrDuration() -> Token {
        if scanNumber() { return emit(.number) }
        if acceptRemainingDuration() {
            backup()
            return emit(.duration)
        }
        return error("bad number or duration syntax: \(goQuote(text(from: start)))")
    }

    /// Consumes something number-shaped; true when what follows cannot
    /// continue it (no letter or digit), i.e. when it is a number token.
    private mutating func scanNumber() -> Bool {
        var digits = "0123456789"
        if accept("0") && accept("xX") {
            digits = "0123456789abcdefABCDEF"
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789")
        }
        if let following = peek(), isAlphaNumeric(following) { return false }
        return true
    }

    /// The unit and any further `<digits><unit>` groups after the leading digits.
    /// Units are checked loosely (`5hs` passes); parsing the duration catches those.
    /// Consumes one rune past the end, which the caller backs up over.
    private mutating func acceptRemainingDuration() -> Bool {
        guard accept("smhdwy") else { return false }
        _ = accept("s")
        while accept("0123456789") {
            while accept("0123456789") {}
            // `y` must come first, so it is not accepted here.
            guard accept("smhdw") else { return false }
            _ = accept("s")
        }
        guard let following = next() else { return true }
        return !isAlphaNumeric(following)
    }

    // MARK: - Strings

    /// A `"…"` or `'…'` string; escapes are validated here and decoded by ``unquote(_:)``.
    mutating func lexString() -> Token {
        while true {
            switch next() {
            case "\\":
                if let failure = lexEscape() { return failure }
            case "\u{FFFD}":
                return error("invalid UTF-8 rune")
            case nil, "\n":
                return error("unterminated quoted string")
            case let r? where r == stringOpen:
                return emit(.string)
            default:
                continue
            }
        }
    }

    /// A `` `…` `` string: no escapes, may span lines.
    mutating func lexRawString() -> Token {
        while true {
            switch next() {
            case "\u{FFFD}":
                return error("invalid UTF-8 rune")
            case nil:
                return error("unterminated raw string")
            case let r? where r == stringOpen:
                return emit(.string)
            default:
                continue
            }
        }
    }

    /// Checks one escape after its backslash, as Go's scanner does; nil when valid.
    private mutating func lexEscape() -> Token? {
        var ch = next()
        let count: Int
        let base: UInt32
        let limit: UInt32
        switch ch {
        case "a", "b", "f", "n", "r", "t", "v", "\\":
            return nil
        case let r? where r == stringOpen:
            return nil
        case let r? where r >= "0" && r <= "7":
            (count, base, limit) = (3, 8, 255)
        case "x":
            ch = next()
            (count, base, limit) = (2, 16, 255)
        case "u":
            ch = next()
            (count, base, limit) = (4, 16, 0x10FFFF)
        case "U":
            ch = next()
            (count, base, limit) = (8, 16, 0x10FFFF)
        case nil:
            return error("escape sequence not terminated")
        case let r?:
            return error("unknown escape sequence \(goUnicodeFormat(r))")
        }
        var value: UInt32 = 0
        for remaining in stride(from: count, to: 0, by: -1) {
            guard let r = ch else { return error("escape sequence not terminated") }
            guard let digit = hexValue(r), digit < base else {
                return error("illegal character \(goUnicodeFormat(r)) in escape sequence")
            }
            value = value &* base &+ digit
            if remaining > 1 { ch = next() }
        }
        if value > limit || (0xD800..<0xE000).contains(value) {
            return error("escape sequence is an invalid Unicode code point")
        }
        return nil
    }
}

/// The value of a hexadecimal digit, nil for anything else.
func hexValue(_ r: Unicode.Scalar) -> UInt32? {
    switch r {
    case "0"..."9": return r.value - 48
    case "a"..."f": return r.value - 87
    case "A"..."F": return r.value - 55
    default: return nil
    }
}
