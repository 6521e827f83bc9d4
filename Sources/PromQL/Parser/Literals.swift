/// Converting the text of number and string tokens into values, with Go's
/// rules (`strconv.ParseInt` with base 0, then `strconv.ParseFloat`, and
/// Prometheus' `strutil.Unquote`), so `010` is 8 and `0x1f` is 31 here too.
enum Literals {
    /// The value of a number token, or the message Prometheus reports for it.
    static func number(_ text: String) -> Result<Double, LiteralError> {
        if let integer = parseGoInt(text) { return .success(Double(integer)) }
        return parseGoFloat(text)
    }

    /// Go's `strconv.ParseInt(text, 0, 64)` for the shapes the lexer produces:
    /// `0x` hex, a leading `0` for octal, otherwise decimal. Nil when it
    /// fails, overflow included.
    private static func parseGoInt(_ text: String) -> Int64? {
        var digits = Substring(text)
        var radix = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.hasPrefix("0") && digits.count > 1 {
            digits = digits.dropFirst()
            radix = 8
        }
        guard !digits.isEmpty else { return nil }
        return Int64(digits, radix: radix)
    }

    /// Go's `strconv.ParseFloat(text, 64)`: decimal floats, `inf`/`nan` in
    /// any case; a hex mantissa needs a `p` exponent, which the lexer never
    /// lets through, so hex here is always a syntax error.
    private static func parseGoFloat(_ text: String) -> Result<Double, LiteralError> {
        let failure = { (reason: String) in
            LiteralError("strconv.ParseFloat: parsing \(goQuote(text)): \(reason)")
        }
        switch text.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .success(.infinity)
        case "-inf", "-infinity": return .success(-.infinity)
        case "nan": return .success(.nan)
        default: break
        }
        guard isDecimalFloat(text), let value = Double(text) else { return .failure(failure("invalid syntax")) }
        if value.isInfinite { return .failure(failure("value out of range")) }
        return .success(value)
    }

    /// `digits[.digits][(e|E)[+|-]digits]` with at least one mantissa digit.
    private static func isDecimalFloat(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        func digitRun() -> Int {
            let count = bytes.prefix(while: { $0 >= 48 && $0 <= 57 }).count
            bytes = bytes.dropFirst(count)
            return count
        }
        var mantissaDigits = digitRun()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissaDigits += digitRun()
        }
        guard mantissaDigits > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            guard digitRun() > 0 else { return false }
        }
        return bytes.isEmpty
    }

    /// The value of a string token (quotes included): `"…"` and `'…'` with Go
    /// escapes, `` `…` `` verbatim. `\x` and octal escapes give single bytes;
    /// ones that do not form valid UTF-8 become U+FFFD, as Swift strings must
    /// be valid.
    static func unquote(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, let quote = bytes.first, quote == bytes.last else { return nil }
        let body = bytes[1..<(bytes.count - 1)]
        if quote == UInt8(ascii: "`") {
            return body.contains(quote) ? nil : String(decoding: body, as: UTF8.self)
        }
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"), !body.contains(UInt8(ascii: "\n")) else {
            return nil
        }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        while i < body.endIndex {
            let c = body[i]
            if c == quote { return nil }
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < body.endIndex else { return nil }
            let escape = body[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"): out.append(escape)
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                guard escape == quote else { return nil }
                out.append(escape)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let width = escape == UInt8(ascii: "x") ? 2 : escape == UInt8(ascii: "u") ? 4 : 8
                guard i + width <= body.endIndex else { return nil }
                var value: UInt32 = 0
                for digit in body[i..<(i + width)] {
                    guard let v = hexValue(Unicode.Scalar(digit)) else { return nil }
                    value = value << 4 | v
                }
                i += width
                if escape == UInt8(ascii: "x") {
                    out.append(UInt8(value))
                } else {
                    guard let scalar = Unicode.Scalar(value) else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard i + 2 <= body.endIndex else { return nil }
                var value = UInt32(escape - 48)
                for digit in body[i..<(i + 2)] {
                    guard digit >= 48 && digit <= 55 else { return nil }
                    value = value << 3 | UInt32(digit - 48)
                }
                i += 2
                guard value <= 255 else { return nil }
                out.append(UInt8(value))
            default:
                return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A literal that does not convert, with Prometheus' wording.
struct LiteralError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
