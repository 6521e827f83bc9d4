/// Operators and operands: precedence climbing over the binary operators,
/// unary signs, and the primary expressions with their postfix modifiers.
extension Parser {
    /// An expression whose binary operators all bind at least as tightly as
    /// `minPrecedence` (0: any).
    ///
    /// `^` is right-associative, all others left. A postfix modifier (`[5m]`,
    /// `offset`, `@`) belongs to the operand right before it, whatever the
    /// operators around.
    mutating func parseExpr(minPrecedence: Int = 0) throws(ParseError) -> Expr {
        let outerNesting = nesting
        defer { nesting = outerNesting }
        try descend(at: peek())
        var lhs = try parseUnary()
        while let op = try peek().binaryOperator, op.precedence >= minPrecedence {
            // Each operator puts the tree so far one level down.
            try descend(at: advance())
            let (returnBool, matching) = try parseBinaryModifiers()
            let rhs = try parseExpr(minPrecedence: op.isRightAssociative ? op.precedence : op.precedence + 1)
            lhs = .binary(
                BinaryExpr(
                    op: op, lhs: lhs, rhs: rhs, returnBool: returnBool, matching: matching,
                    position: PositionRange(start: lhs.position.start, end: rhs.position.end)))
        }
        return lhs
    }

    /// `-x` and `+x` bind like `*`: tighter than `+` and comparisons, looser
    /// than `^`, so `-2^2` is `-(2^2)`. A sign in front of a number literal
    /// folds into it (`-1` is the number -1), as in Prometheus.
    private mutating func parseUnary() throws(ParseError) -> Expr {
        let token = try peek()
        guard token.kind == .op(.add) || token.kind == .op(.sub) else {
            return try parsePostfix(parsePrimary())
        }
        try advance()
        let operand = try parseExpr(minPrecedence: BinaryOp.pow.precedence)
        let position = PositionRange(start: token.start, end: operand.position.end)
        if case .number(let value, _) = operand {
            return .number(token.kind == .op(.sub) ? -value : value, position)
        }
        return .unary(token.kind == .op(.sub) ? .minus : .plus, operand, position)
    }

    /// A literal, selector, call, aggregation or parenthesised expression.
    private mutating func parsePrimary() throws(ParseError) -> Expr {
        let token = try peek()
        switch token.kind {
        case .number:
            try advance()
            return .number(try number(token), token.range)
        case .string:
            try advance()
            return .string(try string(token), token.range)
        case .leftParen:
            try advance()
            let inner = try parseExpr()
            let close = try peek()
            guard close.kind == .rightParen else { throw unexpected(close) }
            try advance()
            return .paren(inner, PositionRange(start: token.start, end: close.end))
        case .leftBrace:
            return .vectorSelector(try parseVectorSelector(name: nil))
        case .identifier:
            try advance()
            if try peek().kind == .leftParen { return try parseCall(name: token) }
            return .vectorSelector(try parseVectorSelector(name: token))
        case .aggregator(let op):
            try advance()
            switch try peek().kind {
            case .leftParen, .keyword(.by), .keyword(.without):
                return try parseAggregation(op, opToken: token)
            default:
                // `sum` with no argument list is a metric called sum.
                return .vectorSelector(try parseVectorSelector(name: token))
            }
        case _ where Parser.canStartExpression(token.kind):
            // The remaining starters are words Prometheus also accepts as
            // metric names (`and`, `by`, `offset`, `start`, `foo:bar`, …).
            try advance()
            return .vectorSelector(try parseVectorSelector(name: token))
        default:
            throw unexpected(token)
        }
    }

    /// `[bool] [on|ignoring (labels) [group_left|group_right [(labels)]]]`
    /// after a binary operator. Matching is one-to-one unless grouped; the
    /// type checker drops it when a side is a scalar and makes it
    /// many-to-many for set operators.
    private mutating func parseBinaryModifiers() throws(ParseError) -> (Bool, VectorMatching) {
        let returnBool = try consume(.keyword(.bool)) != nil
        var matching = VectorMatching(cardinality: .oneToOne)
        let keyword = try peek().kind
        guard keyword == .keyword(.on) || keyword == .keyword(.ignoring) else { return (returnBool, matching) }
        try advance()
        matching.on = keyword == .keyword(.on)
        matching.matchingLabels = try parseGroupingLabels()
        switch try peek().kind {
        case .keyword(.groupLeft): matching.cardinality = .manyToOne
        case .keyword(.groupRight): matching.cardinality = .oneToMany
        default: return (returnBool, matching)
        }
        try advance()
        // The label list is optional, so only a token that cannot start the
        // right-hand side makes yacc report a missing list.
        let next = try peek()
        if next.kind == .leftParen || !Parser.canStartExpression(next.kind) {
            matching.include = try parseGroupingLabels()
        }
        return (returnBool, matching)
    }

    /// Whether an expression can begin with a token of this kind.
    static func canStartExpression(_ kind: TokenKind) -> Bool {
        switch kind {
        case .number, .string, .leftParen, .leftBrace, .identifier, .metricIdentifier, .aggregator,
            .op(.add), .op(.sub), .op(.and), .op(.or), .op(.unless),
            .keyword(.by), .keyword(.without), .keyword(.offset), .preprocessor:
            return true
        default:
            return false
        }
    }
}
