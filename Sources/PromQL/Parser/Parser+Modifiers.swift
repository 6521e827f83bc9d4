/// What can follow an operand: `[range]`, `[range:step]`, `offset` and `@`,
/// in any number and order, each checked against what it follows.
extension Parser {
    mutating func parsePostfix(_ operand: Expr) throws(ParseError) -> Expr {
        var expr = operand
        while true {
            let next = try peek()
            // A subquery wraps what it follows; offsets and `@` do not deepen the tree.
            if next.kind == .leftBracket { try descend(at: next) }
            switch next.kind {
            case .leftBracket: expr = try parseRangeOrSubquery(of: expr)
            case .keyword(.offset): expr = try parseOffset(of: expr)
            case .at: expr = try parseAt(of: expr)
            default: return expr
            }
        }
    }

    /// `expr[5m]` (only on a plain vector selector) or `expr[1h:1m]` / `expr[1h:]`.
    private mutating func parseRangeOrSubquery(of expr: Expr) throws(ParseError) -> Expr {
        let open = try advance()
        let rangeToken = try peek()
        guard rangeToken.kind == .duration else {
            throw unexpected(rangeToken, in: "subquery selector", expected: "duration")
        }
        try advance()
        let range = try duration(rangeToken)
        let next = try peek()
        if next.kind == .rightBracket {
            try advance()
            return .matrixSelector(
                try matrixSelector(expr, range: range, brackets: PositionRange(start: open.start, end: next.end)))
        }
        guard next.kind == .colon else {
            throw unexpected(next, in: "subquery or range", expected: "\":\" or \"]\"")
        }
        try advance()
        var step: Int64 = 0
        let stepToken = try peek()
        if stepToken.kind == .duration {
            try advance()
            step = try duration(stepToken)
            let close = try peek()
            guard close.kind == .rightBracket else {
                throw unexpected(close, in: "subquery selector", expected: "\"]\"")
            }
        } else if stepToken.kind != .rightBracket {
            throw unexpected(stepToken, in: "subquery selector", expected: "duration or \"]\"")
        }
        let close = try advance()
        return .subquery(
            SubqueryExpr(
                expr: expr, range: range, step: step,
                position: PositionRange(start: expr.position.start, end: close.end)))
    }

    private func matrixSelector(_ expr: Expr, range: Int64, brackets: PositionRange) throws(ParseError)
        -> MatrixSelector
    {
        guard case .vectorSelector(let selector) = expr else {
            throw parseError(brackets, "ranges only allowed for vector selectors")
        }
        if selector.offset != 0 { throw parseError(brackets, "no offset modifiers allowed before range") }
        // Prometheus only looks at a numeric `@` here; `@ start()` and
        // `@ end()` pass and then print after the range.
        if case .timestamp? = selector.at { throw parseError(brackets, "no @ modifiers allowed before range") }
        return MatrixSelector(
            selector: selector, range: range, position: PositionRange(start: selector.position.start, end: brackets.end)
        )
    }

    /// `offset 5m` or `offset -5m`, once, on a selector or subquery.
    private mutating func parseOffset(of expr: Expr) throws(ParseError) -> Expr {
        try advance()
        let negative = try consume(.op(.sub)) != nil
        let token = try peek()
        guard token.kind == .duration else { throw unexpected(token, in: "offset", expected: "duration") }
        try advance()
        let magnitude = try duration(token)
        let offset = negative ? -magnitude : magnitude
        let end = lastClosing
        let alreadySet = parseError(expr.position, "offset may not be set multiple times")
        switch expr {
        case .vectorSelector(var selector):
            if selector.offset != 0 { throw alreadySet }
            selector.offset = offset
            selector.position.end = end
            return .vectorSelector(selector)
        case .matrixSelector(var matrix):
            if matrix.selector.offset != 0 { throw alreadySet }
            matrix.selector.offset = offset
            matrix.position.end = end
            return .matrixSelector(matrix)
        case .subquery(var subquery):
            if subquery.offset != 0 { throw alreadySet }
            subquery.offset = offset
            subquery.position.end = end
            return .subquery(subquery)
        default:
            throw parseError(
                expr.position,
                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery")
        }
    }

    /// `@ <unix seconds>`, `@ start()` or `@ end()`, once, on a selector or subquery.
    private mutating func parseAt(of expr: Expr) throws(ParseError) -> Expr {
        try advance()
        let at: AtModifier
        let token = try peek()
        switch token.kind {
        case .number, .op(.add), .op(.sub):
            try advance()
            var numberToken = token
            if token.kind != .number {
                numberToken = try peek()
                guard numberToken.kind == .number else {
                    throw unexpected(numberToken, in: "@", expected: "timestamp")
                }
                try advance()
            }
            let value = try number(numberToken)
            let seconds = token.kind == .op(.sub) ? -value : value
            // Int64 bounds as doubles: 2^63 and -2^63, both excluded.
            if !seconds.isFinite || seconds >= 9_223_372_036_854_775_808.0 || seconds <= -9_223_372_036_854_775_808.0 {
                throw parseError(
                    expr.position, "timestamp out of bounds for @ modifier: \(GoFloatFormat.fixed(seconds))")
            }
            at = .timestamp(Parser.milliseconds(fromSeconds: seconds))
        case .preprocessor(let preprocessor):
            try advance()
            for expected in [TokenKind.leftParen, .rightParen] {
                let next = try peek()
                guard next.kind == expected else { throw unexpected(next, in: "@", expected: "timestamp") }
                try advance()
            }
            at = preprocessor == .start ? .start : .end
        default:
            throw unexpected(token, in: "@", expected: "timestamp")
        }
        let end = lastClosing
        let alreadySet = parseError(expr.position, "@ <timestamp> may not be set multiple times")
        switch expr {
        case .vectorSelector(var selector):
            if selector.at != nil { throw alreadySet }
            selector.at = at
            selector.position.end = end
            return .vectorSelector(selector)
        case .matrixSelector(var matrix):
            if matrix.selector.at != nil { throw alreadySet }
            matrix.selector.at = at
            matrix.position.end = end
            return .matrixSelector(matrix)
        case .subquery(var subquery):
            if subquery.at != nil { throw alreadySet }
            subquery.at = at
            subquery.position.end = end
            return .subquery(subquery)
        default:
            throw parseError(
                expr.position,
                "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery")
        }
    }

    /// `timestamp.FromFloatSeconds`: rounded to the millisecond. Out of
    /// Int64's range after scaling, Go's conversion yields Int64.min on
    /// amd64; so does this, rather than trapping.
    static func milliseconds(fromSeconds seconds: Double) -> Int64 {
        Int64(exactly: (seconds * 1000).rounded(.toNearestOrAwayFromZero)) ?? .min
    }
}
