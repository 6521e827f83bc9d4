import MeridianModel

/// Turns PromQL text into a checked ``Expr``, accepting and rejecting what
/// Prometheus 2.42 does, with the same error messages.
public enum PromQLParser {
    /// Parses and type-checks `query`.
    ///
    /// Throws the first problem found, as Prometheus reports it: syntax
    /// errors while parsing, then type errors (`expected type range vector in
    /// call to function "rate", got instant vector`) once the whole query parsed.
    public static func parse(_ query: String) throws(ParseError) -> Expr {
        var parser = Parser(query)
        let expr = try parser.parseQuery()
        let checker = TypeChecker(query: query)
        return try checker.check(expr)
    }

    /// Parses a series selector as the API's `match[]` takes it (`up`,
    /// `up{job="a"}`, `{__name__=~"x.*"}`), as Prometheus' `ParseMetricSelector`
    /// does: one vector selector and nothing else. Every word its grammar
    /// takes as a metric name (`sum`, `by`, `offset`, `and`) names a metric
    /// here. Whether the selector selects anything is the caller's to check.
    public static func parseMetricSelector(_ text: String) throws(ParseError) -> [LabelMatcher] {
        var parser = Parser(text)
        return try parser.parseMetricSelector()
    }
}

/// A recursive-descent parser with precedence climbing for binary operators.
///
/// Prometheus uses a yacc grammar; where its error recovery decides the
/// wording of a message (`… in aggregation`, `… in grouping opts, expected
/// label`), the methods below raise the same message at the same token. The
/// first error ends parsing: Prometheus reports only the first one anyway.
struct Parser {
    let query: String
    private var lexer: Lexer
    private var lookahead: Token?
    /// End of the last `)`, `]`, `}`, number or duration consumed: where
    /// aggregations, calls and modifiers end, as in Prometheus.
    var lastClosing = 0
    /// How many aggregations are being parsed; a syntax error inside one says
    /// `in aggregation`, as yacc's error rule for aggregations makes it.
    var aggregationDepth = 0
    /// An upper bound on the depth of the tree built so far; see ``descend(at:)``.
    var nesting = 0

    /// The deepest tree accepted. Parsing, checking, printing and evaluating
    /// all recurse over the tree, so a pathological query (thousands of
    /// nested parentheses or chained operators) would overflow a thread's
    /// stack and take the process down. Prometheus has no such limit (Go
    /// stacks grow); real queries stay far below it.
    static let maxNesting = 500

    init(_ query: String) {
        self.query = query
        lexer = Lexer(query)
    }

    /// The whole query: one expression and the end of input.
    mutating func parseQuery() throws(ParseError) -> Expr {
        if try peek().kind == .eof {
            throw parseError(PositionRange(start: 0, end: 0), "no expression found in input")
        }
        let expr = try parseExpr()
        let next = try peek()
        guard next.kind == .eof else { throw unexpected(next) }
        return expr
    }

    /// A vector selector alone; see ``PromQLParser/parseMetricSelector(_:)``.
    mutating func parseMetricSelector() throws(ParseError) -> [LabelMatcher] {
        let first = try peek()
        var name: Token?
        if Self.canBeMetricName(first.kind) {
            name = try advance()
        } else if first.kind != .leftBrace {
            throw unexpected(first)
        }
        let selector = try parseVectorSelector(name: name)
        let next = try peek()
        guard next.kind == .eof else { throw unexpected(next) }
        return selector.matchers
    }

    /// The tokens Prometheus' grammar accepts as a metric name in a selector.
    private static func canBeMetricName(_ kind: TokenKind) -> Bool {
        switch kind {
        case .identifier, .metricIdentifier, .aggregator, .preprocessor: return true
        case .keyword(let word): return word == .by || word == .without || word == .offset
        case .op(let op): return op == .and || op == .or || op == .unless
        default: return false
        }
    }

    // MARK: - Nesting

    /// Accounts for one more level of tree below the current one; throws
    /// once the tree would exceed ``maxNesting``.
    mutating func descend(at token: Token) throws(ParseError) {
        nesting += 1
        if nesting > Parser.maxNesting {
            throw parseError(token.range, "query is nested too deeply (more than \(Parser.maxNesting) levels)")
        }
    }

    // MARK: - Tokens

    /// The next token, not consumed. A lexing error is thrown here, when the
    /// parser first looks at it, which is when Prometheus records it too.
    mutating func peek() throws(ParseError) -> Token {
        if let lookahead { return lookahead }
        let token = lexer.nextToken()
        if token.kind == .error {
            throw ParseError(
                position: PositionRange(start: token.start, end: lexer.input.count), message: token.text, query: query)
        }
        lookahead = token
        return token
    }

    /// Consumes and returns the next token.
    @discardableResult
    mutating func advance() throws(ParseError) -> Token {
        let token = try peek()
        lookahead = nil
        switch token.kind {
        case .rightParen, .rightBrace, .rightBracket, .number, .duration: lastClosing = token.end
        default: break
        }
        return token
    }

    /// Consumes the next token when it is of `kind`.
    mutating func consume(_ kind: TokenKind) throws(ParseError) -> Token? {
        try peek().kind == kind ? try advance() : nil
    }

    // MARK: - Errors

    func parseError(_ position: PositionRange, _ message: String) -> ParseError {
        ParseError(position: position, message: message, query: query)
    }

    /// `unexpected <token> [in <context>][, expected <expected>]`. Without an
    /// explicit context, the innermost aggregation being parsed is the context.
    func unexpected(_ token: Token, in context: String? = nil, expected: String? = nil) -> ParseError {
        var message = "unexpected " + token.errorDescription
        if let context = context ?? (aggregationDepth > 0 ? "aggregation" : nil) {
            message += " in " + context
        }
        if let expected { message += ", expected " + expected }
        return parseError(token.range, message)
    }

    /// A number token's value, or Prometheus' `error parsing number` at the token.
    func number(_ token: Token) throws(ParseError) -> Double {
        switch Literals.number(token.text) {
        case .success(let value): return value
        case .failure(let failure): throw parseError(token.range, "error parsing number: " + failure.message)
        }
    }

    /// A string token's value.
    func string(_ token: Token) throws(ParseError) -> String {
        guard let value = Literals.unquote(token.text) else {
            throw parseError(token.range, "error unquoting string \(goQuote(token.text)): invalid syntax")
        }
        return value
    }

    /// A duration token's value in ms; zero is rejected, as ranges, steps and
    /// offsets must be positive.
    func duration(_ token: Token) throws(ParseError) -> Int64 {
        switch DurationSyntax.parse(token.text) {
        case .success(let ms) where ms == 0:
            throw parseError(token.range, "duration must be greater than 0")
        case .success(let ms):
            return ms
        case .failure(let failure):
            throw parseError(token.range, failure.message)
        }
    }
}
