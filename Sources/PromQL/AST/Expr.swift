import MeridianModel

/// A parsed PromQL expression, as Prometheus 2.42's parser builds it.
///
/// Durations and times are milliseconds. Every node keeps the position of the
/// text it came from (``PositionRange``), so errors found after parsing
/// (types, evaluation) can point into the query as Prometheus' do.
public indirect enum Expr: Sendable {
    /// `1`, `-2.5e3`, `0x1f`, `Inf`, `NaN`.
    case number(Double, PositionRange)
    /// `"text"`, `'text'` or `` `text` ``, unescaped.
    case string(String, PositionRange)
    /// `metric{label="value"} offset 5m @ 1600000000`.
    case vectorSelector(VectorSelector)
    /// `metric{…}[5m]`: the selector, and the range in ms.
    case matrixSelector(MatrixSelector)
    /// `expr[1h:1m]`.
    case subquery(SubqueryExpr)
    /// `(expr)`; kept so the printer and positions match Prometheus'.
    case paren(Expr, PositionRange)
    /// `-expr` or `+expr`.
    case unary(UnaryOp, Expr, PositionRange)
    /// `lhs op rhs` with its modifiers.
    case binary(BinaryExpr)
    /// `sum by (job) (expr)` and the other aggregations.
    case aggregate(AggregateExpr)
    /// `rate(expr)` and the other functions.
    case call(Call)

    /// The type the expression evaluates to.
    public var type: ValueType {
        switch self {
        case .number: return .scalar
        case .string: return .string
        case .vectorSelector: return .vector
        case .matrixSelector, .subquery: return .matrix
        case .paren(let inner, _): return inner.type
        case .unary(_, let inner, _): return inner.type
        case .binary(let b): return b.lhs.type == .scalar && b.rhs.type == .scalar ? .scalar : .vector
        case .aggregate: return .vector
        case .call(let c): return c.function.returnType
        }
    }

    /// Where in the query text the expression is.
    public var position: PositionRange {
        switch self {
        case .number(_, let p), .string(_, let p), .paren(_, let p), .unary(_, _, let p): return p
        case .vectorSelector(let s): return s.position
        case .matrixSelector(let m): return m.position
        case .subquery(let s): return s.position
        case .binary(let b): return b.position
        case .aggregate(let a): return a.position
        case .call(let c): return c.position
        }
    }
}

extension Expr {
    /// The number of nodes of an expression that reads no stored data and
    /// has no subquery (`vector(1)`, `1 + 1`, `time()`), counting no further
    /// than `limit + 1`; nil for any other. Its cost is then about nodes ×
    /// steps, known before it runs.
    public func dataFreeNodeCount(upTo limit: Int) -> Int? {
        var count = 0
        func visit(_ e: Expr) -> Bool {
            count += 1
            guard count <= limit else { return true }
            switch e {
            case .number, .string: return true
            case .vectorSelector, .matrixSelector, .subquery: return false
            case .paren(let inner, _), .unary(_, let inner, _): return visit(inner)
            case .binary(let b): return visit(b.lhs) && visit(b.rhs)
            case .aggregate(let a): return visit(a.expr) && (a.param.map(visit) ?? true)
            case .call(let c): return c.args.allSatisfy(visit)
            }
        }
        return visit(self) ? count : nil
    }
}

/// The four PromQL value types.
public enum ValueType: String, Sendable {
    case scalar
    case vector = "instant vector"
    case matrix = "range vector"
    case string

    /// As Prometheus names it in results (`"resultType"`): `scalar`,
    /// `vector`, `matrix`, `string`.
    public var resultType: String {
        switch self {
        case .scalar: return "scalar"
        case .vector: return "vector"
        case .matrix: return "matrix"
        case .string: return "string"
        }
    }
}

/// Byte offsets `[start, end)` into the query text.
public struct PositionRange: Sendable, Equatable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// `@ <time>`, `@ start()` or `@ end()`.
public enum AtModifier: Sendable, Equatable {
    /// A fixed time in ms.
    case timestamp(Int64)
    case start
    case end
}

/// An instant-vector selector.
public struct VectorSelector: Sendable {
    /// The metric name when written before the braces (also present as a
    /// `__name__` matcher in ``matchers``).
    public var name: String?
    /// Every matcher, the name's included.
    public var matchers: [LabelMatcher]
    /// `offset`, ms (negative offsets are allowed).
    public var offset: Int64
    public var at: AtModifier?
    public var position: PositionRange

    public init(name: String?, matchers: [LabelMatcher], offset: Int64 = 0, at: AtModifier? = nil, position: PositionRange) {
        self.name = name
        self.matchers = matchers
        self.offset = offset
        self.at = at
        self.position = position
    }
}

/// `selector[range]`.
public struct MatrixSelector: Sendable {
    public var selector: VectorSelector
    /// The range, ms.
    public var range: Int64
    public var position: PositionRange

    public init(selector: VectorSelector, range: Int64, position: PositionRange) {
        self.selector = selector
        self.range = range
        self.position = position
    }
}

/// `expr[range:step] offset … @ …`.
public struct SubqueryExpr: Sendable {
    public var expr: Expr
    /// ms.
    public var range: Int64
    /// ms; 0 when omitted (`[1h:]`: the engine uses the default evaluation interval).
    public var step: Int64
    public var offset: Int64
    public var at: AtModifier?
    public var position: PositionRange

    public init(expr: Expr, range: Int64, step: Int64, offset: Int64 = 0, at: AtModifier? = nil, position: PositionRange) {
        self.expr = expr
        self.range = range
        self.step = step
        self.offset = offset
        self.at = at
        self.position = position
    }
}

/// `-` and `+` in front of an expression.
public enum UnaryOp: String, Sendable {
    case minus = "-"
    case plus = "+"
}

/// Binary operators, by Prometheus' spelling.
public enum BinaryOp: String, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^"
    case eql = "==", neq = "!=", gtr = ">", lss = "<", gte = ">=", lte = "<="
    case and, or, unless
    /// `atan2`, a binary operator in PromQL.
    case atan2

    /// `== != > < >= <=`, which filter unless `bool` is given.
    public var isComparison: Bool {
        switch self {
        case .eql, .neq, .gtr, .lss, .gte, .lte: return true
        default: return false
        }
    }

    /// `and or unless`, which work on label sets, not values.
    public var isSetOperator: Bool { self == .and || self == .or || self == .unless }

    /// Binding strength, higher binds tighter (Prometheus: `or` < `and unless`
    /// < comparisons < `+ -` < `* / % atan2` < `^`).
    public var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: return 3
        case .add, .sub: return 4
        case .mul, .div, .mod, .atan2: return 5
        case .pow: return 6
        }
    }

    /// `^` is right-associative; all others associate to the left.
    public var isRightAssociative: Bool { self == .pow }
}

/// How two vectors are matched (`on`/`ignoring`, `group_left`/`group_right`).
public struct VectorMatching: Sendable, Equatable {
    public enum Cardinality: String, Sendable {
        case oneToOne = "one-to-one"
        case manyToOne = "many-to-one"
        case oneToMany = "one-to-many"
        case manyToMany = "many-to-many"
    }

    public var cardinality: Cardinality
    /// The labels of `on(…)` or `ignoring(…)`.
    public var matchingLabels: [String]
    /// `on` when true, `ignoring` when false.
    public var on: Bool
    /// The extra labels of `group_left(…)`/`group_right(…)`.
    public var include: [String]

    public init(cardinality: Cardinality, matchingLabels: [String] = [], on: Bool = false, include: [String] = []) {
        self.cardinality = cardinality
        self.matchingLabels = matchingLabels
        self.on = on
        self.include = include
    }
}

/// `lhs op [bool] [on/ignoring(…)] [group_left/right(…)] rhs`.
public struct BinaryExpr: Sendable {
    public var op: BinaryOp
    public var lhs: Expr
    public var rhs: Expr
    /// `bool` after a comparison.
    public var returnBool: Bool
    /// Set when both sides are vectors (Prometheus: one-to-one by default,
    /// many-to-many for set operators).
    public var matching: VectorMatching?
    public var position: PositionRange

    public init(op: BinaryOp, lhs: Expr, rhs: Expr, returnBool: Bool = false, matching: VectorMatching? = nil, position: PositionRange) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.matching = matching
        self.position = position
    }
}

/// The aggregation operators.
public enum AggregateOp: String, Sendable, CaseIterable {
    case sum, min, max, avg, group, stddev, stdvar, count
    case countValues = "count_values"
    case bottomk, topk, quantile

    /// `topk`, `bottomk`, `quantile` (a number) and `count_values` (a string)
    /// take a parameter before the expression.
    public var takesParameter: Bool {
        switch self {
        case .topk, .bottomk, .quantile, .countValues: return true
        default: return false
        }
    }
}

/// `op [by|without (labels)] ([param,] expr) [by|without (labels)]`.
public struct AggregateExpr: Sendable {
    public var op: AggregateOp
    public var expr: Expr
    public var param: Expr?
    /// The labels of `by(…)` or `without(…)`.
    public var grouping: [String]
    /// `without` when true, `by` when false.
    public var without: Bool
    public var position: PositionRange

    public init(op: AggregateOp, expr: Expr, param: Expr? = nil, grouping: [String] = [], without: Bool = false, position: PositionRange) {
        self.op = op
        self.expr = expr
        self.param = param
        self.grouping = grouping
        self.without = without
        self.position = position
    }
}

/// A function call.
public struct Call: Sendable {
    public var function: PromQLFunction
    public var args: [Expr]
    public var position: PositionRange

    public init(function: PromQLFunction, args: [Expr], position: PositionRange) {
        self.function = function
        self.args = args
        self.position = position
    }
}
