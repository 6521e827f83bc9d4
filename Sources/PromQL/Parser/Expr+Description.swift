import MeridianModel

/// Prometheus' canonical text for an expression (`String()` in its
/// printer.go): what its `format_query` endpoint returns for short queries,
/// and text that parses back to the same tree.
extension Expr: CustomStringConvertible {
    public var description: String {
        switch self {
        case .number(let value, _):
            return GoFloatFormat.shortest(value)
        case .string(let value, _):
            return goQuote(value)
        case .vectorSelector(let selector):
            return selector.description
        case .matrixSelector(let matrix):
            var selector = matrix.selector
            selector.offset = 0
            selector.at = nil
            return "\(selector)[\(DurationSyntax.format(matrix.range))]"
                + Expr.modifiers(at: matrix.selector.at, offset: matrix.selector.offset)
        case .subquery(let subquery):
            let step = subquery.step == 0 ? "" : DurationSyntax.format(subquery.step)
            return "\(subquery.expr)[\(DurationSyntax.format(subquery.range)):\(step)]"
                + Expr.modifiers(at: subquery.at, offset: subquery.offset)
        case .paren(let inner, _):
            return "(\(inner))"
        case .unary(let op, let inner, _):
            return op.rawValue + inner.description
        case .binary(let binary):
            return binary.description
        case .aggregate(let aggregate):
            return aggregate.description
        case .call(let call):
            return call.function.name + "(" + call.args.map(\.description).joined(separator: ", ") + ")"
        }
    }

    /// ` @ <seconds> offset <duration>`, each part only when set.
    static func modifiers(at: AtModifier?, offset: Int64) -> String {
        var out = ""
        switch at {
        case .timestamp(let ms)?: out += " @ " + GoFloatFormat.fixed(Double(ms) / 1000, decimals: 3)
        case .start?: out += " @ start()"
        case .end?: out += " @ end()"
        case nil: break
        }
        if offset > 0 {
            out += " offset " + DurationSyntax.format(offset)
        } else if offset < 0 {
            out += " offset -" + DurationSyntax.format(-offset)
        }
        return out
    }
}

extension VectorSelector: CustomStringConvertible {
    /// `name{matchers} @ … offset …`, matchers sorted as text and the name's
    /// own matcher left out.
    public var description: String {
        let labels = matchers.filter { !($0.name == metricNameLabel && $0.type == .equal && $0.value == (name ?? "")) }
            .map { $0.name + $0.type.rawValue + goQuote($0.value) }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let body = labels.isEmpty ? "" : "{" + labels.joined(separator: ",") + "}"
        return (name ?? "") + body + Expr.modifiers(at: at, offset: offset)
    }
}

extension BinaryExpr: CustomStringConvertible {
    /// `lhs op [bool] [on|ignoring (…) [group_x (…)]] rhs`. Matching is shown
    /// only when it says something: `on`, or `ignoring` with labels.
    public var description: String {
        var out = "\(lhs) \(op.rawValue)"
        if returnBool { out += " bool" }
        if let matching, matching.on || !matching.matchingLabels.isEmpty {
            out += (matching.on ? " on (" : " ignoring (") + matching.matchingLabels.joined(separator: ", ") + ")"
            switch matching.cardinality {
            case .manyToOne: out += " group_left (" + matching.include.joined(separator: ", ") + ")"
            case .oneToMany: out += " group_right (" + matching.include.joined(separator: ", ") + ")"
            default: break
            }
        }
        return out + " \(rhs)"
    }
}

extension AggregateExpr: CustomStringConvertible {
    /// `op [by|without (…)] ([param, ]expr)`; an empty `by` is left out.
    public var description: String {
        var out = op.rawValue
        if without {
            out += " without (" + grouping.joined(separator: ", ") + ") "
        } else if !grouping.isEmpty {
            out += " by (" + grouping.joined(separator: ", ") + ") "
        }
        out += "("
        if let param { out += "\(param), " }
        return out + "\(expr))"
    }
}
