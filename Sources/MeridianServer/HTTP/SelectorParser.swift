import MeridianModel

/// Parses a series selector as `match[]` takes it: `metric`, `metric{a="b"}`,
/// `{__name__=~"x.*", job!="y"}`. Strings take PromQL's quoting: "…", '…' with
/// Go escapes, or `…` raw.
public struct SelectorParser {
    private let text: [UInt8]
    private var pos = 0

    /// Parses `selector` into matchers, or throws a `bad_data` error that points
    /// at the position, as Prometheus does.
    public static func parse(_ selector: String) throws -> [LabelMatcher] {
        var parser = SelectorParser(text: Array(selector.utf8))
        let matchers = try parser.parseSelector()
        guard matchers.contains(where: { !$0.matchesEmpty }) else {
            throw APIError(.badData, "1:1: parse error: vector selector must contain at least one non-empty matcher")
        }
        return matchers
    }

    private init(text: [UInt8]) { self.text = text }

    private mutating func parseSelector() throws -> [LabelMatcher] {
        skipSpace()
        var matchers: [LabelMatcher] = []
        if let name = identifier(allowColon: true) {
            matchers.append(try LabelMatcher(.equal, metricNameLabel, name))
        }
        skipSpace()
        if peek() == UInt8(ascii: "{") {
            pos += 1
            while true {
                skipSpace()
                if peek() == UInt8(ascii: "}") {
                    pos += 1
                    break
                }
                guard let name = identifier(allowColon: false) else { throw error("unexpected character inside braces") }
                skipSpace()
                let type = try matchOperator()
                skipSpace()
                let value = try stringLiteral()
                do {
                    matchers.append(try LabelMatcher(type, name, value))
                } catch let e as ModelError {
                    throw error("\(e)")
                }
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    pos += 1
                } else if peek() != UInt8(ascii: "}") {
                    throw error("expected \",\" or \"}\" in label matching")
                }
            }
        }
        skipSpace()
        guard pos == text.count, !matchers.isEmpty else { throw error("not a series selector") }
        return matchers
    }

    private func peek(_ offset: Int = 0) -> UInt8? { pos + offset < text.count ? text[pos + offset] : nil }

    private mutating func skipSpace() {
        while let c = peek(), c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d { pos += 1 }
    }

    private mutating func identifier(allowColon: Bool) -> String? {
        let start = pos
        while let c = peek(),
            (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f || (allowColon && c == 0x3a)
                || (pos > start && c >= 0x30 && c <= 0x39)
        {
            pos += 1
        }
        return pos > start ? String(decoding: text[start..<pos], as: UTF8.self) : nil
    }

    private mutating func matchOperator() throws -> MatchType {
        switch (peek(), peek(1)) {
        case (UInt8(ascii: "="), UInt8(ascii: "~")):
            pos += 2
            return .regexMatch
        case (UInt8(ascii: "!"), UInt8(ascii: "=")):
            pos += 2
            return .notEqual
        case (UInt8(ascii: "!"), UInt8(ascii: "~")):
            pos += 2
            return .regexNoMatch
        case (UInt8(ascii: "="), _):
            pos += 1
            return .equal
        default:
            throw error("expected a label matching operator")
        }
    }

    private mutating func stringLiteral() throws -> String {
        guard let quote = peek(), quote == 0x22 || quote == 0x27 || quote == 0x60 else {
            throw error("expected a quoted label value")
        }
        pos += 1
        var out: [UInt8] = []
        while let c = peek() {
            pos += 1
            if c == quote { return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") && quote != 0x60 {
                guard let e = peek() else { break }
                pos += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "a"): out.append(0x07)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "v"): out.append(0x0b)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): out.append(e)
                case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let width = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
                    guard pos + width <= text.count,
                        let code = UInt32(String(decoding: text[pos..<pos + width], as: UTF8.self), radix: 16)
                    else { throw error("invalid escape sequence") }
                    pos += width
                    if width == 2 {
                        out.append(UInt8(code))
                    } else if let scalar = Unicode.Scalar(code) {
                        out.append(contentsOf: String(Character(scalar)).utf8)
                    } else {
                        throw error("invalid Unicode code point in escape sequence")
                    }
                default: throw error("unknown escape sequence")
                }
            } else {
                out.append(c)
            }
        }
        throw error("unterminated quoted string")
    }

    private func error(_ message: String) -> APIError {
        APIError(.badData, "1:\(pos + 1): parse error: \(message)")
    }
}
