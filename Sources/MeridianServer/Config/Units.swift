/// Sizes as operators write them: `64MiB`, `512KiB`, `1GiB`, `10MB`, or plain bytes.
public enum ByteSize {
    private static let units: [(String, Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1),
    ]

    /// The number of bytes `text` names, or nil.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: " ")
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let n = Int(trimmed.dropLast(suffix.count).trimmingCharacters(in: " ")), n >= 0 else { return nil }
            return n.multipliedReportingOverflow(by: factor).overflow ? nil : n * factor
        }
        return Int(trimmed).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// `bytes` in the largest binary unit that divides it.
    public static func format(_ bytes: Int) -> String {
        for (suffix, factor) in units.prefix(4).reversed() where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return "\(bytes)B"
    }
}

/// Durations in Prometheus' notation: `1h30m`, `5m`, `15s`, `500ms`, `2d`, `1w`, `1y`.
public enum DurationText {
    private static let units: [String: Double] = [
        "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800, "y": 31_536_000,
    ]

    /// Seconds, or nil when `text` is not a duration. Units must go from largest to smallest.
    public static func parseSeconds(_ text: String) -> Double? {
        var total = 0.0
        var digits = ""
        var unit = ""
        var lastFactor = Double.infinity
        func flush() -> Bool {
            guard !digits.isEmpty, let n = Double(digits), let factor = units[unit], factor < lastFactor else {
                return false
            }
            total += n * factor
            lastFactor = factor
            digits = ""
            unit = ""
            return true
        }
        for ch in text {
            if ch.isASCII && ch.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                digits.append(ch)
            } else if ch.isASCII && ch.isLetter {
                guard !digits.isEmpty else { return nil }
                unit.append(ch)
            } else {
                return nil
            }
        }
        guard flush() else { return nil }
        return total
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
