import Foundation

/// The element-wise functions of instant vectors (`abs`, `ln`, `round`,
/// `clamp`, …) as functions of one value. The engine applies them to each
/// element and drops the metric name, as Prometheus does.
///
/// They follow Go's `math` package on special values (NaN in, NaN out;
/// `ln(0) = -Inf`; `sqrt(-1) = NaN`), which the C library functions used
/// here share. Results can differ from Go's in the last bit for some
/// transcendental inputs, where glibc and Go's own implementations round
/// differently.
public enum MathFunctions {
    /// `sgn(v)`: -1, 0 or 1; NaN and ±0 come back unchanged, as in Prometheus.
    @inlinable
    public static func sgn(_ v: Double) -> Double {
        if v < 0 { return -1 }
        if v > 0 { return 1 }
        return v
    }

    /// `deg(v)`: radians to degrees, as `v * 180 / π` (that order, for identical rounding).
    @inlinable
    public static func deg(_ v: Double) -> Double { v * 180 / Double.pi }

    /// `rad(v)`: degrees to radians, as `v * π / 180`.
    @inlinable
    public static func rad(_ v: Double) -> Double { v * Double.pi / 180 }

    /// `round(v, toNearest)`: rounds to the nearest multiple of `toNearest`,
    /// ties upward (`round(-2.5) = -2`), as `floor(v·(1/n) + 0.5) / (1/n)`.
    /// Prometheus multiplies by the inverse because it rounds better for
    /// `toNearest` like 0.1; keep the formula to get the same digits.
    @inlinable
    public static func round(_ v: Double, toNearest: Double = 1) -> Double {
        let inverse = 1.0 / toNearest
        return (v * inverse + 0.5).rounded(.down) / inverse
    }

    /// `clamp(v, min, max)`: `max(min, min(max, v))` with Go's `math.Max`/`Min`.
    /// - Returns: nil when `max < min`: Prometheus then returns an empty
    ///   vector. A NaN bound is not `<`, so it passes and yields NaN.
    @inlinable
    public static func clamp(_ v: Double, min lower: Double, max upper: Double) -> Double? {
        if upper < lower { return nil }
        return goMax(lower, goMin(upper, v))
    }

    /// `clamp_min(v, min)`: Go's `math.Max(min, v)` (NaN wins, unlike Swift's `max`).
    @inlinable
    public static func clampMin(_ v: Double, min lower: Double) -> Double { goMax(lower, v) }

    /// `clamp_max(v, max)`: Go's `math.Min(max, v)` (NaN wins).
    @inlinable
    public static func clampMax(_ v: Double, max upper: Double) -> Double { goMin(upper, v) }

    /// Go's `math.Max`: +Inf beats NaN, NaN beats numbers, +0 beats -0.
    @inlinable
    public static func goMax(_ x: Double, _ y: Double) -> Double {
        if x == .infinity || y == .infinity { return .infinity }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 && x == y { return x.sign == .minus ? y : x }
        return x > y ? x : y
    }

    /// Go's `math.Min`: -Inf beats NaN, NaN beats numbers, -0 beats +0.
    @inlinable
    public static func goMin(_ x: Double, _ y: Double) -> Double {
        if x == -.infinity || y == -.infinity { return -.infinity }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 && x == y { return x.sign == .minus ? x : y }
        return x < y ? x : y
    }
}

/// The one-argument element-wise functions by PromQL name, so the engine
/// can dispatch on ``PromQLFunction/name`` without a switch of its own.
public enum MathFunction: String, CaseIterable, Sendable {
    /// Arithmetic, rounding, exponentials and logarithms; `ln` is the natural logarithm.
    case abs, ceil, floor, exp, sqrt, ln, log2, log10, sgn, deg, rad
    /// Trigonometric and hyperbolic functions, in radians.
    case sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh

    /// The function called `name` in PromQL, nil for anything else.
    public init?(name: String) { self.init(rawValue: name) }

    /// Applies the function to one value.
    public func callAsFunction(_ v: Double) -> Double {
        switch self {
        case .abs: return Swift.abs(v)
        case .ceil: return v.rounded(.up)
        case .floor: return v.rounded(.down)
        case .exp: return LibM.exp(v)
        case .sqrt: return v.squareRoot()
        case .ln: return LibM.log(v)
        case .log2: return LibM.log2(v)
        case .log10: return LibM.log10(v)
        case .sgn: return MathFunctions.sgn(v)
        case .deg: return MathFunctions.deg(v)
        case .rad: return MathFunctions.rad(v)
        case .sin: return LibM.sin(v)
        case .cos: return LibM.cos(v)
        case .tan: return LibM.tan(v)
        case .asin: return LibM.asin(v)
        case .acos: return LibM.acos(v)
        case .atan: return LibM.atan(v)
        case .sinh: return LibM.sinh(v)
        case .cosh: return LibM.cosh(v)
        case .tanh: return LibM.tanh(v)
        case .asinh: return LibM.asinh(v)
        case .acosh: return LibM.acosh(v)
        case .atanh: return LibM.atanh(v)
        }
    }
}

/// The C math library under names that do not collide with ``MathFunction``'s cases.
private enum LibM {
    static func exp(_ x: Double) -> Double { cExp(x) }
    static func log(_ x: Double) -> Double { cLog(x) }
    static func log2(_ x: Double) -> Double { cLog2(x) }
    static func log10(_ x: Double) -> Double { cLog10(x) }
    static func sin(_ x: Double) -> Double { cSin(x) }
    static func cos(_ x: Double) -> Double { cCos(x) }
    static func tan(_ x: Double) -> Double { cTan(x) }
    static func asin(_ x: Double) -> Double { cAsin(x) }
    static func acos(_ x: Double) -> Double { cAcos(x) }
    static func atan(_ x: Double) -> Double { cAtan(x) }
    static func sinh(_ x: Double) -> Double { cSinh(x) }
    static func cosh(_ x: Double) -> Double { cCosh(x) }
    static func tanh(_ x: Double) -> Double { cTanh(x) }
    static func asinh(_ x: Double) -> Double { cAsinh(x) }
    static func acosh(_ x: Double) -> Double { cAcosh(x) }
    static func atanh(_ x: Double) -> Double { cAtanh(x) }
}

private func cExp(_ x: Double) -> Double { exp(x) }
private func cLog(_ x: Double) -> Double { log(x) }
private func cLog2(_ x: Double) -> Double { log2(x) }
private func cLog10(_ x: Double) -> Double { log10(x) }
private func cSin(_ x: Double) -> Double { sin(x) }
private func cCos(_ x: Double) -> Double { cos(x) }
private func cTan(_ x: Double) -> Double { tan(x) }
private func cAsin(_ x: Double) -> Double { asin(x) }
private func cAcos(_ x: Double) -> Double { acos(x) }
private func cAtan(_ x: Double) -> Double { atan(x) }
private func cSinh(_ x: Double) -> Double { sinh(x) }
private func cCosh(_ x: Double) -> Double { cosh(x) }
private func cTanh(_ x: Double) -> Double { tanh(x) }
private func cAsinh(_ x: Double) -> Double { asinh(x) }
private func cAcosh(_ x: Double) -> Double { acosh(x) }
private func cAtanh(_ x: Double) -> Double { atanh(x) }
