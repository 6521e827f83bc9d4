/// Floats as Prometheus (Go) writes them: the shortest digits that read
/// back as the same `Double`, laid out the way each Go formatter does, with
/// `NaN`, `+Inf` and `-Inf` spelled out. One place for the digits, because
/// the HTTP API, `count_values` labels and the PromQL printer must agree
/// byte for byte with Prometheus.
public enum FloatFormat {
    /// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: positional, never an
    /// exponent (`1e21` → `1000000000000000000000`); `-0` keeps its sign.
    /// Used for `count_values` labels and the export format.
    public static func prometheus(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        let sign = v.sign == .minus ? "-" : ""
        let (digits, point) = shortestDigits(v)
        if digits == "0" { return sign + "0" }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// Go's `strconv.FormatFloat(v, 'e', -1, 64)`: `5.551115123125783e-17`,
    /// `1e+21` (the exponent has a sign and at least two digits).
    public static func exponent(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        let sign = v.sign == .minus ? "-" : ""
        let (digits, point) = shortestDigits(v)
        let e = digits == "0" ? 0 : point - 1
        var mantissa = String(digits.first!)
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let exponentDigits = String(abs(e))
        return sign + mantissa + "e" + (e < 0 ? "-" : "+") + (exponentDigits.count < 2 ? "0" : "") + exponentDigits
    }

    /// A sample value as Prometheus' query API writes it: positional, except
    /// exponent form for magnitudes below 1e-6 or from 1e21 (as Go's JSON
    /// encoders decide).
    public static func apiValue(_ v: Double) -> String {
        let magnitude = v.magnitude
        if magnitude != 0 && magnitude.isFinite && (magnitude < 1e-6 || magnitude >= 1e21) { return exponent(v) }
        return prometheus(v)
    }

    /// The shortest round-trip decimal digits of `|v|` (no leading or
    /// trailing zeros) and where the decimal point goes:
    /// `|v| = 0.digits × 10^point`. Zero is `("0", 1)`. `v` must be finite.
    public static func shortestDigits(_ v: Double) -> (digits: String, point: Int) {
        // Swift's description holds the shortest round-trip digits (as Go's
        // Ryū does), possibly in exponent form ("1e-07", "1.5e+20").
        let text = v.magnitude.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let tail = mantissa[mantissa.index(after: e)...]
            exponent = Int(tail.first == "+" ? tail.dropFirst() : tail) ?? 0
            mantissa = mantissa[..<e]
        }
        var integerPart = mantissa
        var fraction: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fraction = mantissa[mantissa.index(after: dot)...]
        }
        var digits = Substring(integerPart + fraction)
        var point = integerPart.count + exponent
        while digits.count > 1 && digits.first == "0" {
            digits = digits.dropFirst()
            point -= 1
        }
        while digits.count > 1 && digits.last == "0" { digits = digits.dropLast() }
        if digits == "0" { return ("0", 1) }
        return (String(digits), point)
    }
}
