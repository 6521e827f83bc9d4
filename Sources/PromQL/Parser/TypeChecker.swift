import MeridianModel

/// Prometheus' `checkAST`: the type rules the grammar cannot express, run
/// once the whole query has parsed, in the same order so the same error
/// comes first.
///
/// It also settles vector matching: dropped when a side is a scalar,
/// many-to-many for set operators.
struct TypeChecker {
    let query: String

    /// `expr` with its vector matching settled, or the first type error.
    func check(_ expr: Expr) throws(ParseError) -> Expr {
        var expr = expr
        _ = try check(&expr)
        return expr
    }

    /// Checks `expr` and its children; returns its type.
    private func check(_ expr: inout Expr) throws(ParseError) -> ValueType {
        switch expr {
        case .number, .string:
            break
        case .vectorSelector(let selector):
            try checkSelector(selector)
        case .matrixSelector(let matrix):
            try checkSelector(matrix.selector)
        case .paren(var inner, let position):
            _ = try check(&inner)
            expr = .paren(inner, position)
        case .unary(let op, var inner, let position):
            let type = try check(&inner)
            if type != .scalar && type != .vector {
                throw error(
                    position,
                    "unary expression only allowed on expressions of type scalar or instant vector, got \(goQuote(type.rawValue))"
                )
            }
            expr = .unary(op, inner, position)
        case .subquery(var subquery):
            let type = try check(&subquery.expr)
            if type != .vector {
                throw error(
                    subquery.position, "subquery is only allowed on instant vector, got \(type.resultType) instead")
            }
            expr = .subquery(subquery)
        case .aggregate(var aggregate):
            try expect(&aggregate.expr, .vector, in: "aggregation expression")
            if var param = aggregate.param {
                try expect(&param, aggregate.op == .countValues ? .string : .scalar, in: "aggregation parameter")
                aggregate.param = param
            }
            expr = .aggregate(aggregate)
        case .call(var call):
            try checkCall(&call)
            expr = .call(call)
        case .binary(var binary):
            try checkBinary(&binary)
            expr = .binary(binary)
        }
        return expr.type
    }

    private func expect(_ expr: inout Expr, _ wanted: ValueType, in context: String) throws(ParseError) {
        let type = try check(&expr)
        if type != wanted {
            throw error(expr.position, "expected type \(wanted.rawValue) in \(context), got \(type.rawValue)")
        }
    }

    /// A selector must name a metric once, or have a matcher that rejects
    /// the empty value, so a typo cannot select every series.
    private func checkSelector(_ selector: VectorSelector) throws(ParseError) {
        if let name = selector.name {
            // The name's own matcher is the last one.
            for matcher in selector.matchers.dropLast() where matcher.name == metricNameLabel {
                throw error(
                    selector.position,
                    "metric name must not be set twice: \(goQuote(name)) or \(goQuote(matcher.value))")
            }
            return
        }
        if !selector.matchers.contains(where: { !$0.matchesEmpty }) {
            throw error(selector.position, "vector selector must contain at least one non-empty matcher")
        }
    }

    private func checkCall(_ call: inout Call) throws(ParseError) {
        let function = call.function
        let declared = function.argTypes.count
        let given = call.args.count
        let name = goQuote(function.name)
        if function.variadic == 0 {
            if declared != given {
                throw error(call.position, "expected \(declared) argument(s) in call to \(name), got \(given)")
            }
        } else {
            let required = declared - 1
            if required > given {
                throw error(call.position, "expected at least \(required) argument(s) in call to \(name), got \(given)")
            }
            if function.variadic > 0 && required + function.variadic < given {
                throw error(
                    call.position,
                    "expected at most \(required + function.variadic) argument(s) in call to \(name), got \(given)")
            }
        }
        for index in call.args.indices {
            // Extra arguments repeat the last declared type.
            let typeIndex = min(index, declared - 1)
            try expect(&call.args[index], function.argTypes[typeIndex], in: "call to function \(name)")
        }
    }

    private func checkBinary(_ binary: inout BinaryExpr) throws(ParseError) {
        let lhsType = try check(&binary.lhs)
        let rhsType = try check(&binary.rhs)
        let op = binary.op
        if binary.returnBool && !op.isComparison {
            throw error(operatorRange(binary), "bool modifier can only be used on comparison operators")
        }
        if op.isComparison && !binary.returnBool && lhsType == .scalar && rhsType == .scalar {
            throw error(operatorRange(binary), "comparisons between scalars must use BOOL modifier")
        }
        if op.isSetOperator && binary.matching?.cardinality == .oneToOne {
            binary.matching?.cardinality = .manyToMany
        }
        if let matching = binary.matching, matching.on {
            for label in matching.matchingLabels where matching.include.contains(label) {
                throw error(
                    operatorRange(binary), "label \(goQuote(label)) must not occur in ON and GROUP clause at once")
            }
        }
        for (side, type) in [(binary.lhs, lhsType), (binary.rhs, rhsType)] where type != .scalar && type != .vector {
            throw error(side.position, "binary expression must contain only scalar and instant vector types")
        }
        if lhsType != .vector || rhsType != .vector {
            if binary.matching?.matchingLabels.isEmpty == false {
                throw error(binary.position, "vector matching only allowed between instant vectors")
            }
            binary.matching = nil
        } else if op.isSetOperator, let matching = binary.matching {
            if matching.cardinality == .oneToMany || matching.cardinality == .manyToOne {
                throw error(binary.position, "no grouping allowed for \(goQuote(op.rawValue)) operation")
            }
            if matching.cardinality != .manyToMany {
                throw error(binary.position, "set operations must always be many-to-many")
            }
        }
        if (lhsType == .scalar || rhsType == .scalar) && op.isSetOperator {
            throw error(binary.position, "set operator \(goQuote(op.rawValue)) not allowed in binary scalar expression")
        }
    }

    /// The operator and its modifiers, without the space around them.
    private func operatorRange(_ binary: BinaryExpr) -> PositionRange {
        let bytes = Array(query.utf8)
        var start = binary.lhs.position.end
        while start < bytes.count, isSpace(Unicode.Scalar(bytes[start])) { start += 1 }
        var end = binary.rhs.position.start - 1
        while end > start, isSpace(Unicode.Scalar(bytes[end])) { end -= 1 }
        return PositionRange(start: start, end: end + 1)
    }

    private func error(_ position: PositionRange, _ message: String) -> ParseError {
        ParseError(position: position, message: message, query: query)
    }
}
