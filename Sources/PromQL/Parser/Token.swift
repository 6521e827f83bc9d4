/// The kinds of token the lexer hands the parser, one per Prometheus `ItemType`
/// the expression grammar uses.
enum TokenKind: Equatable, Sendable {
    case eof
    /// A lexing error; the token's text is the message.
    case error
    case identifier
    /// An identifier containing a colon (`job:rate5m`), only valid as a metric name.
    case metricIdentifier
    case number
    /// The quoted text, quotes and escapes included.
    case string
    case duration
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma
    /// `=`, in label matchers only.
    case assign
    /// `:` in a subquery; inside brackets any letter lexes as one (as in Prometheus).
    case colon
    /// `@`.
    case at
    /// `=~` and `!~`, in label matchers only.
    case regexMatch, regexNoMatch
    /// A binary operator (`!=` doubles as a matcher inside braces).
    case op(BinaryOp)
    case aggregator(AggregateOp)
    case keyword(Keyword)
    /// `start` and `end`, for `@ start()` and `@ end()`.
    case preprocessor(AtPreprocessor)
}

/// Words with a grammatical role that are neither operators nor aggregations.
enum Keyword: String, Sendable {
    case bool, by, without, on, ignoring, offset
    case groupLeft = "group_left"
    case groupRight = "group_right"
}

/// `start()` and `end()` after `@`.
enum AtPreprocessor: String, Sendable {
    case start, end
}

/// A lexed token: its kind, where it starts (a byte offset) and its text as written.
struct Token: Sendable {
    var kind: TokenKind
    var start: Int
    var text: String

    /// Byte offset just past the token.
    var end: Int { start + text.utf8.count }

    var range: PositionRange { PositionRange(start: start, end: end) }

    /// The token as Prometheus names it in "unexpected …" errors (`Item.desc`):
    /// `<op:+>`, `<by>`, `<aggr:sum>`, `"("`, `identifier "foo"`, `end of input`.
    var errorDescription: String {
        switch kind {
        case .eof: return "end of input"
        case .error: return text
        case .identifier: return "identifier \(goQuote(text))"
        case .metricIdentifier: return "metric identifier \(goQuote(text))"
        case .number: return "number \(Token.shortQuote(text))"
        case .string: return "string \(Token.shortQuote(text))"
        case .duration: return "duration \(Token.shortQuote(text))"
        // Prometheus 2.42 has no display name for `@`, so its description
        // falls back to the token type's number; kept for identical messages.
        case .at: return "\"<Item 57385>\" <op:@>"
        case .op, .regexMatch, .regexNoMatch: return "<op:\(text)>"
        case .aggregator: return "<aggr:\(text)>"
        case .keyword: return "<\(text)>"
        default: return Token.shortQuote(text)
        }
    }

    /// Go's `%q`, cut to ten characters with `...` after it as `%.10q...` does.
    private static func shortQuote(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > 10 else { return goQuote(text) }
        var head = String.UnicodeScalarView()
        head.append(contentsOf: scalars.prefix(10))
        return goQuote(String(head)) + "..."
    }

    /// The binary operator this token spells, if any (`and`, `+`, `atan2`, …).
    var binaryOperator: BinaryOp? {
        if case .op(let op) = kind { return op }
        return nil
    }

    /// Words the lexer turns into tokens of their own; matched case-insensitively.
    static let keywords: [String: TokenKind] = {
        var words: [String: TokenKind] = [
            "and": .op(.and), "or": .op(.or), "unless": .op(.unless), "atan2": .op(.atan2),
            "start": .preprocessor(.start), "end": .preprocessor(.end),
            "inf": .number, "nan": .number,
        ]
        for op in AggregateOp.allCases { words[op.rawValue] = .aggregator(op) }
        for word in [Keyword.bool, .by, .without, .on, .ignoring, .offset, .groupLeft, .groupRight] {
            words[word.rawValue] = .keyword(word)
        }
        return words
    }()
}
