extension PromQLParser {
    /// Parses a Prometheus duration (`model.ParseDuration`): `1h30m`, `5m`,
    /// `1y`, `2w`, `1d`, `10s`, `100ms`, units in decreasing order, integers
    /// only, a year being 365 days. `"0"` is accepted without a unit.
    ///
    /// Shared with the HTTP API, whose `step` and `timeout` take the same
    /// syntax. Returns milliseconds, or nil when the text is not a duration
    /// or overflows Go's `time.Duration` (about 292 years).
    public static func parseDuration(_ text: String) -> Int64? {
        try? DurationSyntax.parse(text).get()
    }
}

/// Prometheus' duration syntax in both directions.
enum DurationSyntax {
    /// The units, largest first, with their length in milliseconds.
    private static let units: [(name: String, ms: Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000),
        ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Milliseconds, or the message `model.ParseDuration` returns.
    static func parse(_ text: String) -> Result<Int64, LiteralError> {
        if text == "0" { return .success(0) }
        if text.isEmpty { return .failure(LiteralError("empty duration string")) }
        let invalid = LiteralError("not a valid duration string: \(goQuote(text))")
        var rest = Substring(text)
        var nextUnit = 0
        var nanoseconds: Int64 = 0
        var overflow = false
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty else { return .failure(invalid) }
            rest = rest.dropFirst(digits.count)
            // `ms` before `m`, so `5ms` is not read as five minutes and an `s`.
            let candidates = units.indices.filter { $0 >= nextUnit && rest.hasPrefix(units[$0].name) }
            guard let unit = candidates.max(by: { units[$0].name.count < units[$1].name.count }) else {
                return .failure(invalid)
            }
            rest = rest.dropFirst(units[unit].name.count)
            nextUnit = unit + 1
            // Go clamps an over-long number to Int64.max, then reports the overflow.
            let count = Int64(digits) ?? .max
            let (perUnit, o1) = units[unit].ms.multipliedReportingOverflow(by: 1_000_000)
            let (amount, o2) = count.multipliedReportingOverflow(by: perUnit)
            let (sum, o3) = nanoseconds.addingReportingOverflow(amount)
            overflow = overflow || o1 || o2 || o3
            nanoseconds = sum
        }
        if overflow { return .failure(LiteralError("duration out of range")) }
        return .success(nanoseconds / 1_000_000)
    }

    /// `model.Duration.String()`: `1h30m`, `90d` (years and weeks only when
    /// exact), `0s` for zero.
    static func format(_ milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var remaining = milliseconds
        var out = ""
        for (name, length) in units {
            if (name == "y" || name == "w") && remaining % length != 0 { continue }
            let count = remaining / length
            if count > 0 {
                out += "\(count)\(name)"
                remaining -= count * length
            }
        }
        return out
    }
}
