import MeridianModel

/// Time parameters as Prometheus' API takes them: Unix seconds with an optional
/// fraction (`1700000000.5`) or RFC 3339 (`2023-11-14T22:13:20.5Z`, with offset).
public enum TimeParameter {
    /// The earliest and latest times Prometheus accepts as "unbounded".
    public static let minTime: Timestamp = -9_223_309_901_257_974
    public static let maxTime: Timestamp = 9_223_309_901_257_974

    /// Parses `text` to milliseconds, or throws a `bad_data` error naming
    /// `parameter` (`wrapped`: with the extra "Invalid time value for …"
    /// Prometheus adds where it parses a parameter with a default).
    public static func parse(_ text: String, parameter: String, wrapped: Bool = false) throws -> Timestamp {
        let context = wrapped ? "Invalid time value for '\(parameter)': " : ""
        if let seconds = Double(text), seconds.isFinite {
            // Prometheus rounds to milliseconds.
            let ms = (seconds * 1000).rounded()
            guard ms >= Double(minTime) && ms <= Double(maxTime) else {
                throw APIError(
                    .badData, "invalid parameter \"\(parameter)\": \(context)cannot parse \"\(text)\" to a valid timestamp")
            }
            return Timestamp(ms)
        }
        if let ms = parseRFC3339(text) { return ms }
        throw APIError(
            .badData, "invalid parameter \"\(parameter)\": \(context)cannot parse \"\(text)\" to a valid timestamp")
    }

    /// `start`/`end` of a request, with Prometheus' unbounded defaults.
    public static func range(_ params: RequestParameters) throws -> (Timestamp, Timestamp) {
        let start = try params["start"].map { try parse($0, parameter: "start", wrapped: true) } ?? minTime
        let end = try params["end"].map { try parse($0, parameter: "end", wrapped: true) } ?? maxTime
        guard start <= end else {
            throw APIError(.badData, "invalid parameter \"end\": end timestamp must not be before start time")
        }
        return (start, end)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` to milliseconds.
    static func parseRFC3339(_ text: String) -> Timestamp? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var n = 0
            for i in from..<from + count {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                n = n * 10 + Int(b[i] - 0x30)
            }
            return n
        }
        guard b.count >= 20, let year = num(0, 4), b[4] == 0x2d, let month = num(5, 2), b[7] == 0x2d,
            let day = num(8, 2), b[10] == 0x54 || b[10] == 0x74, let hour = num(11, 2), b[13] == 0x3a,
            let minute = num(14, 2), b[16] == 0x3a, let second = num(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var millis = 0
        if i < b.count && b[i] == 0x2e {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                if digits < 3 { millis = millis * 10 + Int(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<3 where digits < 3 { millis *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        if b[i] == 0x5a || b[i] == 0x7a {
            i += 1
        } else if b[i] == 0x2b || b[i] == 0x2d, let oh = num(i + 1, 2), b.count > i + 3, b[i + 3] == 0x3a,
            let om = num(i + 4, 2)
        {
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == 0x2d ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year, month, day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return seconds * 1000 + Int64(millis)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
