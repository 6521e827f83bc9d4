/// Splits a query into tokens on demand, as Prometheus 2.42's state-machine
/// lexer does, including its quirks: inside `[…]` every letter lexes as a
/// colon, keywords are plain identifiers inside braces, and the first error
/// ends the token stream.
///
/// Positions are byte offsets into the UTF-8 text, because Prometheus
/// reports columns in bytes.
struct Lexer {
    let input: [UInt8]
    /// Next byte to read.
    var pos = 0
    /// Where the token being scanned starts.
    var start = 0
    /// Width of the last rune read, so ``backup()`` can undo one ``next()``.
    private var width = 0

    private var parenDepth = 0
    private var braceOpen = false
    private var bracketOpen = false
    private var gotColon = false
    /// The next token starts a range or subquery duration (`[` was just seen).
    private var expectDuration = false
    /// Set after EOF or an error: every later call returns EOF.
    private var finished = false
    /// The quote that opened the string being scanned.
    var stringOpen: Unicode.Scalar = "\""

    init(_ query: String) {
        input = Array(query.utf8)
    }

    /// The next token; comments are skipped. After an error or the end of
    /// input, returns end-of-input tokens forever.
    mutating func nextToken() -> Token {
        if finished { return Token(kind: .eof, start: pos, text: "") }
        while true {
            start = pos
            let token: Token?
            if braceOpen {
                token = lexInsideBraces()
            } else if expectDuration {
                expectDuration = false
                token = lexDuration()
            } else {
                token = lexStatement()
            }
            if let token {
                if token.kind == .eof || token.kind == .error { finished = true }
                return token
            }
        }
    }

    // MARK: - Statements

    /// One token outside braces, or nil after skipping space or a comment.
    private mutating func lexStatement() -> Token? {
        if peekByte() == UInt8(ascii: "#") { return skipComment() }
        guard let r = next() else {
            if parenDepth != 0 { return error("unclosed left parenthesis") }
            if bracketOpen { return error("unclosed left bracket") }
            return emit(.eof)
        }
        switch r {
        case ",": return emit(.comma)
        case " ", "\t", "\n", "\r": return skipSpace()
        case "*": return emit(.op(.mul))
        case "/": return emit(.op(.div))
        case "%": return emit(.op(.mod))
        case "+": return emit(.op(.add))
        case "-": return emit(.op(.sub))
        case "^": return emit(.op(.pow))
        case "=":
            let following = peek()
            if following == "=" {
                _ = next()
                return emit(.op(.eql))
            }
            if following == "~" { return error("unexpected character after '=': \(goQuoteRune("~"))") }
            return emit(.assign)
        case "!":
            let following = next()
            if following == "=" { return emit(.op(.neq)) }
            return error("unexpected character after '!': \(goQuoteRune(following))")
        case "<":
            if peek() == "=" {
                _ = next()
                return emit(.op(.lte))
            }
            return emit(.op(.lss))
        case ">":
            if peek() == "=" {
                _ = next()
                return emit(.op(.gte))
            }
            return emit(.op(.gtr))
        case "\"", "'":
            stringOpen = r
            return lexString()
        case "`":
            stringOpen = r
            return lexRawString()
        case "(":
            parenDepth += 1
            return emit(.leftParen)
        case ")":
            let token = emit(.rightParen)
            parenDepth -= 1
            // Prometheus reports this after emitting the parenthesis, so the
            // error points just past it.
            if parenDepth < 0 { return error("unexpected right parenthesis \(goQuoteRune(r))") }
            return token
        case "{":
            braceOpen = true
            return emit(.leftBrace)
        case "[":
            if bracketOpen { return error("unexpected left bracket \(goQuoteRune(r))") }
            gotColon = false
            let token = emit(.leftBracket)
            while let space = peek(), isSpace(space) { _ = next() }
            start = pos
            bracketOpen = true
            expectDuration = true
            return token
        case "]":
            if !bracketOpen { return error("unexpected right bracket \(goQuoteRune(r))") }
            bracketOpen = false
            return emit(.rightBracket)
        case "@":
            return emit(.at)
        default:
            if isDigit(r) || (r == "." && peek().map(isDigit) == true) {
                backup()
                return lexNumberOrDuration()
            }
            if isAlpha(r) || r == ":" {
                if !bracketOpen {
                    backup()
                    return lexKeywordOrIdentifier()
                }
                if gotColon { return error("unexpected colon \(goQuoteRune(r))") }
                gotColon = true
                return emit(.colon)
            }
            return error("unexpected character: \(goQuoteRune(r))")
        }
    }

    /// Inside `{…}`: label names, matcher operators, strings and commas only.
    private mutating func lexInsideBraces() -> Token? {
        if peekByte() == UInt8(ascii: "#") { return skipComment() }
        guard let r = next() else { return error("unexpected end of input inside braces") }
        switch r {
        case " ", "\t", "\n", "\r": return skipSpace()
        case ",": return emit(.comma)
        case "\"", "'":
            stringOpen = r
            return lexString()
        case "`":
            stringOpen = r
            return lexRawString()
        case "=":
            if next() == "~" { return emit(.regexMatch) }
            backup()
            return emit(.assign)
        case "!":
            let following = next()
            if following == "~" { return emit(.regexNoMatch) }
            if following == "=" { return emit(.op(.neq)) }
            return error("unexpected character after '!' inside braces: \(goQuoteRune(following))")
        case "{":
            return error("unexpected left brace \(goQuoteRune(r))")
        case "}":
            braceOpen = false
            return emit(.rightBrace)
        default:
            if isAlpha(r) {
                while let c = next(), isAlphaNumeric(c) {}
                backup()
                return emit(.identifier)
            }
            return error("unexpected character inside braces: \(goQuoteRune(r))")
        }
    }

    /// A word: a keyword (any case), `Inf`/`NaN`, an identifier, or with a
    /// colon in it a metric identifier.
    private mutating func lexKeywordOrIdentifier() -> Token {
        while let c = next(), isAlphaNumeric(c) || c == ":" {}
        backup()
        let word = text(from: start)
        if let kind = Token.keywords[word.lowercased()] { return emit(kind) }
        return emit(word.contains(":") ? .metricIdentifier : .identifier)
    }

    private mutating func skipComment() -> Token? {
        while let c = next(), c != "\n", c != "\r" {}
        backup()
        return nil
    }

    private mutating func skipSpace() -> Token? {
        while let c = peek(), isSpace(c) { _ = next() }
        return nil
    }

    // MARK: - Primitives

    /// Reads one rune, decoding UTF-8 as Go does: a malformed byte reads as
    /// U+FFFD with width 1. Nil at the end of input.
    mutating func next() -> Unicode.Scalar? {
        guard pos < input.count else {
            width = 0
            return nil
        }
        let (scalar, length) = decodeRune(at: pos)
        width = length
        pos += length
        return scalar
    }

    /// Steps back over the rune the last ``next()`` read (nothing at the end of input).
    mutating func backup() { pos -= width }

    func peek() -> Unicode.Scalar? {
        pos < input.count ? decodeRune(at: pos).0 : nil
    }

    private func peekByte() -> UInt8? { pos < input.count ? input[pos] : nil }

    /// Consumes the next rune when it is in `valid`.
    mutating func accept(_ valid: String) -> Bool {
        if let r = next(), valid.unicodeScalars.contains(r) { return true }
        backup()
        return false
    }

    mutating func acceptRun(_ valid: String) {
        while let r = next(), valid.unicodeScalars.contains(r) {}
        backup()
    }

    mutating func emit(_ kind: TokenKind) -> Token {
        let token = Token(kind: kind, start: start, text: text(from: start))
        start = pos
        return token
    }

    /// An error token at the start of the token being scanned, as Prometheus places it.
    func error(_ message: String) -> Token {
        Token(kind: .error, start: start, text: message)
    }

    func text(from offset: Int) -> String {
        String(decoding: input[offset..<pos], as: UTF8.self)
    }

    private func decodeRune(at offset: Int) -> (Unicode.Scalar, Int) {
        var iterator = input[offset...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return (scalar, UTF8.width(scalar))
        }
        return ("\u{FFFD}", 1)
    }
}

func isSpace(_ r: Unicode.Scalar) -> Bool { r == " " || r == "\t" || r == "\n" || r == "\r" }
func isDigit(_ r: Unicode.Scalar) -> Bool { r >= "0" && r <= "9" }
func isAlpha(_ r: Unicode.Scalar) -> Bool { r == "_" || (r >= "a" && r <= "z") || (r >= "A" && r <= "Z") }
func isAlphaNumeric(_ r: Unicode.Scalar) -> Bool { isAlpha(r) || isDigit(r) }

/// Whether `name` can be a label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
func isLabelName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, isAlpha(first) else { return false }
    return name.unicodeScalars.allSatisfy(isAlphaNumeric)
}
