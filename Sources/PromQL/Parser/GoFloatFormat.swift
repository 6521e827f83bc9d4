import Foundation
import MeridianModel

/// Float formatting as Go's `fmt` does it, for the printer and for messages
/// that embed numbers.
enum GoFloatFormat {
    /// Go's `%v` (shortest `%g`): `1`, `0.5`, `100000`, `1e+06`, `1.5e-05`,
    /// `+Inf`, `-Inf`, `NaN`. The exponent form is used when the decimal
    /// exponent is below -4 or at least 6, unlike JSON's cut-off of 21.
    static func shortest(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        let sign = value.sign == .minus ? "-" : ""
        let (digits, pointPosition) = FloatFormat.shortestDigits(value)
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let exponentDigits = String(abs(exponent))
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+")
                + (exponentDigits.count < 2 ? "0" : "") + exponentDigits
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
        }
        let split = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// Go's `%f` (six decimals; `+Inf`, `-Inf` and `NaN` spelled out).
    static func fixed(_ value: Double, decimals: Int = 6) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        return String(format: "%.\(decimals)f", value)
    }
}
