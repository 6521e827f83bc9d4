import Foundation

/// The arithmetic and comparison of two numbers, as Prometheus' `vectorElemBinop`.
enum BinaryArithmetic {
    /// The result, and whether a comparison holds (always true for arithmetic).
    @inline(__always)
    static func apply(_ op: BinaryOp, _ l: Double, _ r: Double) -> (value: Double, keep: Bool) {
        switch op {
        case .add: return (l + r, true)
        case .sub: return (l - r, true)
        case .mul: return (l * r, true)
        case .div: return (l / r, true)
        case .mod: return (fmod(l, r), true)
        case .pow: return (pow(l, r), true)
        case .atan2: return (atan2(l, r), true)
        case .eql: return (l, l == r)
        case .neq: return (l, l != r)
        case .gtr: return (l, l > r)
        case .lss: return (l, l < r)
        case .gte: return (l, l >= r)
        case .lte: return (l, l <= r)
        case .and, .or, .unless: return (l, true)
        }
    }

    /// Whether `op` on vectors drops `__name__`: `+ - * / % ^` and `bool`
    /// comparisons do; filtering comparisons, set operators and (in
    /// Prometheus 2.42) `atan2` keep it.
    static func dropsMetricName(_ op: BinaryOp, returnBool: Bool) -> Bool {
        if returnBool { return true }
        switch op {
        case .add, .sub, .mul, .div, .mod, .pow: return true
        default: return false
        }
    }
}
