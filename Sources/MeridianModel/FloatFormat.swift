/// Floats as Prometheus (Go) writes them: the shortest digits that read
/// back as the same `Double`, laid out the way each Go formatter does, with
/// `NaN`, `+Inf` and `-Inf` spelled out. One place for the digits, because
/// the HTTP API, `count_values` labels and the PromQL printer must agree
/// byte for byte with Prometheus.
///
/// The `append…` forms write straight into a byte buffer: a range query's
/// response holds hundreds of thousands of values, and building a `String`
/// for each one cost more than the query itself.
public enum FloatFormat {
    /// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: positional, never an
    /// exponent (`1e21` → `1000000000000000000000`); `-0` keeps its sign.
    /// Used for `count_values` labels and the export format.
    public static func prometheus(_ v: Double) -> String {
        text { appendPrometheus(v, to: &$0) }
    }

    /// Go's `strconv.FormatFloat(v, 'e', -1, 64)`: `5.551115123125783e-17`,
    /// `1e+21` (the exponent has a sign and at least two digits).
    public static func exponent(_ v: Double) -> String {
        text { appendExponent(v, to: &$0) }
    }

    /// A sample value as Prometheus' query API writes it: positional, except
    /// exponent form for magnitudes below 1e-6 or from 1e21 (as Go's JSON
    /// encoders decide).
    public static func apiValue(_ v: Double) -> String {
        text { appendAPIValue(v, to: &$0) }
    }

    /// `apiValue`, appended to `out`.
    public static func appendAPIValue(_ v: Double, to out: inout [UInt8]) {
        let magnitude = v.magnitude
        if magnitude != 0 && magnitude.isFinite && (magnitude < 1e-6 || magnitude >= 1e21) {
            appendExponent(v, to: &out)
        } else {
            appendPrometheus(v, to: &out)
        }
    }

    /// `prometheus`, appended to `out`.
    public static func appendPrometheus(_ v: Double, to out: inout [UInt8]) {
        if appendSpecial(v, to: &out) { return }
        let magnitude = v.magnitude
        if magnitude < 1e15 && magnitude == magnitude.rounded(.towardZero) {
            // An integer below 1e15 is exact, and its own digits are the
            // shortest that read back as it.
            appendInteger(UInt64(magnitude), to: &out)
            return
        }
        withShortestDigits(magnitude) { digits, point in
            if point <= 0 {
                out.append(contentsOf: "0.".utf8)
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -point))
                out.append(contentsOf: digits)
            } else if point >= digits.count {
                out.append(contentsOf: digits)
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: point - digits.count))
            } else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[..<point]))
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[point...]))
            }
        }
    }

    /// `exponent`, appended to `out`.
    public static func appendExponent(_ v: Double, to out: inout [UInt8]) {
        if appendSpecial(v, to: &out) { return }
        withShortestDigits(v.magnitude) { digits, point in
            out.append(digits[0])
            if digits.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[1...]))
            }
            let e = digits[0] == UInt8(ascii: "0") ? 0 : point - 1
            out.append(contentsOf: e < 0 ? "e-".utf8 : "e+".utf8)
            if e.magnitude < 10 { out.append(UInt8(ascii: "0")) }
            appendInteger(UInt64(e.magnitude), to: &out)
        }
    }

    /// A millisecond timestamp as the float seconds Prometheus writes
    /// (`prometheus(Double(ms) / 1000)`), without the float: the seconds,
    /// then up to three decimals with trailing zeros dropped. That is the
    /// shortest text of the nearest double as long as doubles are spaced
    /// less than a millisecond apart, which holds below 2^43 seconds.
    public static func appendSeconds(milliseconds ms: Int64, to out: inout [UInt8]) {
        guard ms.magnitude < 1 << 52 else {
            appendPrometheus(Double(ms) / 1000, to: &out)
            return
        }
        if ms < 0 { out.append(UInt8(ascii: "-")) }
        let (seconds, millis) = ms.magnitude.quotientAndRemainder(dividingBy: 1000)
        appendInteger(seconds, to: &out)
        guard millis != 0 else { return }
        out.append(UInt8(ascii: "."))
        var rest = millis
        var divisor: UInt64 = 100
        while rest != 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// The shortest round-trip decimal digits of `|v|` (no leading or
    /// trailing zeros) and where the decimal point goes:
    /// `|v| = 0.digits × 10^point`. Zero is `("0", 1)`. `v` must be finite.
    public static func shortestDigits(_ v: Double) -> (digits: String, point: Int) {
        withShortestDigits(v.magnitude) { (String(decoding: $0, as: UTF8.self), $1) }
    }

    /// Calls `body` with the digits and point position of `shortestDigits`
    /// for a finite, non-negative `magnitude`, in a buffer that lives only
    /// for the call.
    private static func withShortestDigits<R>(
        _ magnitude: Double, _ body: (UnsafeBufferPointer<UInt8>, Int) -> R
    ) -> R {
        // Swift's description holds the shortest round-trip digits (as Go's
        // Ryū does), possibly in exponent form ("1e-07", "1.5e+20").
        var text = magnitude.description
        return text.withUTF8 { utf8 in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: utf8.count + 1) { digits in
                var count = 0
                var point = 0
                var seenPoint = false
                var exponent = 0
                var i = 0
                scan: while i < utf8.count {
                    let c = utf8[i]
                    switch c {
                    case UInt8(ascii: "."):
                        seenPoint = true
                    case UInt8(ascii: "e"), UInt8(ascii: "E"):
                        var negative = false
                        i += 1
                        if i < utf8.count && (utf8[i] == UInt8(ascii: "+") || utf8[i] == UInt8(ascii: "-")) {
                            negative = utf8[i] == UInt8(ascii: "-")
                            i += 1
                        }
                        while i < utf8.count {
                            exponent = exponent * 10 + Int(utf8[i] - UInt8(ascii: "0"))
                            i += 1
                        }
                        if negative { exponent = -exponent }
                        break scan
                    case UInt8(ascii: "0") where count == 0:
                        // A leading zero: after the point it moves the point left.
                        if seenPoint { point -= 1 }
                    default:
                        digits[count] = c
                        count += 1
                        if !seenPoint { point += 1 }
                    }
                    i += 1
                }
                while count > 1 && digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
                if count == 0 {
                    digits[0] = UInt8(ascii: "0")
                    return body(UnsafeBufferPointer(rebasing: digits[..<1]), 1)
                }
                return body(UnsafeBufferPointer(rebasing: digits[..<count]), point + exponent)
            }
        }
    }

    /// `NaN`, `+Inf`, `-Inf`, or the sign of a finite value; true when the
    /// value is fully written.
    private static func appendSpecial(_ v: Double, to out: inout [UInt8]) -> Bool {
        if v.isNaN {
            out.append(contentsOf: "NaN".utf8)
            return true
        }
        if v.isInfinite {
            out.append(contentsOf: v < 0 ? "-Inf".utf8 : "+Inf".utf8)
            return true
        }
        if v.sign == .minus { out.append(UInt8(ascii: "-")) }
        return false
    }

    /// The decimal digits of `n`, written from the last one into a buffer
    /// on the stack, then appended at once.
    private static func appendInteger(_ n: UInt64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var i = buffer.count
            var value = n
            repeat {
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value != 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[i...]))
        }
    }

    private static func text(_ write: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        write(&out)
        return String(decoding: out, as: UTF8.self)
    }
}
