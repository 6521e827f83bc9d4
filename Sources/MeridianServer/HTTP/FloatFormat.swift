/// Formats floats exactly as Prometheus' HTTP API does (Go's
/// `strconv.FormatFloat(v, 'f', -1, 64)`): the shortest digits that round-trip,
/// in plain positional notation, and `NaN`, `+Inf`, `-Inf`.
public enum FloatFormat {
    /// The Prometheus text of `v`.
    public static func prometheus(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        // Swift's description is the shortest round-tripping text, possibly in
        // exponent form ("1e-07", "1.5e+20"); re-lay its digits out positionally.
        let text = v.description
        var negative = false
        var mantissa = Substring(text)
        if mantissa.first == "-" {
            negative = true
            mantissa = mantissa.dropFirst()
        }
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(mantissa[mantissa.index(after: e)...].replacingPlus()) ?? 0
            mantissa = mantissa[..<e]
        }
        var intPart = mantissa
        var fracPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(intPart) + String(fracPart)
        var pointPosition = intPart.count + exponent
        // Strip leading zeros (keeping the point position right) and trailing zeros.
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        var out = negative ? "-" : ""
        if pointPosition <= 0 {
            out += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            out += digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            out += digits[..<split] + "." + digits[split...]
        }
        return out
    }
}

extension Substring {
    fileprivate func replacingPlus() -> Substring { first == "+" ? dropFirst() : self }
}
