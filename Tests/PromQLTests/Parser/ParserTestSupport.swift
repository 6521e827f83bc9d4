@testable import PromQL

/// The full error text for a query expected not to parse; nil when it parses.
func parseFailure(_ query: String) -> String? {
    do {
        _ = try PromQLParser.parse(query)
        return nil
    } catch {
        return error.description
    }
}

/// The tree with every operator application in parentheses, so tests can
/// see how a query grouped: `1 + 2 * 3` is `(1 + (2 * 3))`, `-2^2` is
/// `-(2 ^ 2)`. Parentheses written in the query show as `paren(…)`.
func outline(_ expr: Expr) -> String {
    switch expr {
    case .binary(let b):
        return "(\(outline(b.lhs)) \(b.op.rawValue)\(b.returnBool ? " bool" : "") \(outline(b.rhs)))"
    case .unary(let op, let inner, _):
        return op.rawValue + outline(inner)
    case .paren(let inner, _):
        return "paren(\(outline(inner)))"
    case .call(let call):
        return call.function.name + "(" + call.args.map(outline).joined(separator: ", ") + ")"
    case .aggregate(let a):
        return a.op.rawValue + "(" + (a.param.map { outline($0) + ", " } ?? "") + outline(a.expr) + ")"
    case .subquery(let s):
        return "subquery(\(outline(s.expr)))"
    default:
        return expr.description
    }
}

/// Thrown by parser tests when a query parsed into the wrong kind of node.
struct ParserTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
