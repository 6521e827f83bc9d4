/// Function calls and aggregations, which share the `(arg, …)` body.
extension Parser {
    /// `name(args)`; the name is consumed, the next token is `(`. Argument
    /// types and counts are checked with the types, after parsing.
    mutating func parseCall(name: Token) throws(ParseError) -> Expr {
        let args = try parseArguments()
        guard let function = PromQLFunction.named(name.text) else {
            throw parseError(name.range, "unknown function with name \(goQuote(name.text))")
        }
        return .call(Call(function: function, args: args, position: PositionRange(start: name.start, end: lastClosing)))
    }

    /// `op [by|without (labels)] ([param,] expr) [by|without (labels)]`,
    /// the grouping given once, before or after the arguments.
    mutating func parseAggregation(_ op: AggregateOp, opToken: Token) throws(ParseError) -> Expr {
        aggregationDepth += 1
        var grouping = try parseAggregationModifier()
        let open = try peek()
        guard open.kind == .leftParen else { throw unexpected(open) }
        let args = try parseArguments()
        if grouping == nil { grouping = try parseAggregationModifier() }
        aggregationDepth -= 1

        let position = PositionRange(start: opToken.start, end: lastClosing)
        if args.isEmpty { throw parseError(position, "no arguments for aggregate expression provided") }
        let expected = op.takesParameter ? 2 : 1
        guard args.count == expected else {
            throw parseError(
                position,
                "wrong number of arguments for aggregate expression provided, expected \(expected), got \(args.count)")
        }
        return .aggregate(
            AggregateExpr(
                op: op, expr: args[expected - 1], param: op.takesParameter ? args[0] : nil,
                grouping: grouping?.labels ?? [], without: grouping?.without ?? false, position: position))
    }

    /// `by (labels)` or `without (labels)` when next, else nil.
    private mutating func parseAggregationModifier() throws(ParseError) -> (labels: [String], without: Bool)? {
        let kind = try peek().kind
        guard kind == .keyword(.by) || kind == .keyword(.without) else { return nil }
        try advance()
        return (try parseGroupingLabels(), kind == .keyword(.without))
    }

    /// `(expr, …)` or `()`; the next token is `(`. A trailing comma is an
    /// error here, unlike in label lists.
    private mutating func parseArguments() throws(ParseError) -> [Expr] {
        try advance()
        var args: [Expr] = []
        if try consume(.rightParen) != nil { return args }
        while true {
            args.append(try parseExpr())
            let separator = try peek()
            if separator.kind == .rightParen { break }
            guard separator.kind == .comma else { throw unexpected(separator) }
            try advance()
            // Whatever cannot start another argument makes the comma a trailing one.
            if !Parser.canStartExpression(try peek().kind) {
                throw parseError(separator.range, "trailing commas not allowed in function call args")
            }
        }
        try advance()
        return args
    }
}
