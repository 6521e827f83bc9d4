import MeridianModel

/// Builds series the way Prometheus' promql/testdata `load` blocks do, so
/// golden cases port line for line.
enum FunctionFixtures {
    static let second: Int64 = 1000
    static let minute: Int64 = 60_000

    /// Expands `load` notation: `"0+10x3"` → 0 10 20 30, `"8000-10x2"` → 8000
    /// 7990 7980, `"0x2"` → 0 0 0, literals `1`, `NaN`, `Inf`, `-Inf`. Sample
    /// i is at `i * interval` ms.
    static func series(_ notation: String, interval: Int64) -> [Sample] {
        var values: [Double] = []
        for token in notation.split(separator: " ") {
            if let x = token.lastIndex(of: "x"), let times = Int(token[token.index(after: x)...]) {
                let body = token[..<x]
                var start = body
                var step = 0.0
                if let sign = body.indices.dropFirst().last(where: {
                    (body[$0] == "+" || body[$0] == "-") && body[body.index(before: $0)] != "e"
                }) {
                    start = body[..<sign]
                    var stepText = String(body[sign...])
                    if stepText.hasPrefix("+") { stepText.removeFirst() }
                    step = Double(stepText)!
                }
                let first = value(start)
                for i in 0...times { values.append(first + Double(i) * step) }
            } else {
                values.append(value(token))
            }
        }
        return values.enumerated().map { Sample(t: Int64($0.offset) * interval, v: $0.element) }
    }

    private static func value(_ token: Substring) -> Double {
        switch token {
        case "NaN": return .nan
        case "Inf", "+Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(token)!
        }
    }

    /// The samples Prometheus 2.42 selects for `[range]` evaluated at `at`
    /// (with `offset`): the closed window `[at - offset - range, at - offset]`.
    static func window(_ samples: [Sample], at: Int64, range: Int64, offset: Int64 = 0) -> ArraySlice<Sample> {
        let end = at - offset
        let start = end - range
        let low = samples.firstIndex { $0.t >= start } ?? samples.endIndex
        let high = samples.firstIndex { $0.t > end } ?? samples.endIndex
        return samples[low..<Swift.max(low, high)]
    }

    /// Prometheus' test comparison (promql/test.go `almostEqual`): equal NaNs,
    /// equal infinities, otherwise a relative error below 1e-6.
    static func almostEqual(_ a: Double?, _ b: Double) -> Bool {
        guard let a else { return false }
        if a.isNaN && b.isNaN { return true }
        if a == b { return true }
        let diff = Swift.abs(a - b)
        if a == 0 || b == 0 || diff < Double.leastNormalMagnitude {
            return diff < 1e-6 * Double.leastNormalMagnitude
        }
        return diff / (Swift.abs(a) + Swift.abs(b)) < 1e-6
    }
}
