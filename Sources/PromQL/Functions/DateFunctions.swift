/// The calendar functions (`hour`, `day_of_week`, `days_in_month`, …) of a
/// Unix time in seconds, in UTC, as Prometheus 2.42 computes them through
/// Go's `time.Unix(int64(v), 0).UTC()`.
///
/// The value is truncated toward zero to whole seconds first (`-0.5` is
/// 1970-01-01 00:00:00, `-1.5` is 1969-12-31 23:59:59). Without an argument
/// the engine passes the evaluation time in seconds (`hour()` means
/// `hour(vector(time()))`).
public enum DateFunction: String, CaseIterable, Sendable {
    /// 1…31.
    case dayOfMonth = "day_of_month"
    /// 0 (Sunday) … 6 (Saturday).
    case dayOfWeek = "day_of_week"
    /// 1…365 (366 in leap years).
    case dayOfYear = "day_of_year"
    /// 28…31, the length of the month the time falls in.
    case daysInMonth = "days_in_month"
    /// 0…23.
    case hour
    /// 0…59.
    case minute
    /// 1…12.
    case month
    /// The proleptic Gregorian year.
    case year

    /// The function called `name` in PromQL, nil for anything else.
    public init?(name: String) { self.init(rawValue: name) }

    /// The calendar field of the Unix time `seconds`.
    ///
    /// NaN, ±Inf and values beyond ±2⁶³ seconds give what Prometheus gives
    /// on amd64: Go converts them to Int64.min and its calendar arithmetic
    /// wraps around 2⁶⁴ seconds, landing on 292277026596-12-04 15:30:08 UTC,
    /// a Sunday. Nonsense, but the same nonsense.
    /// - Complexity: O(1).
    public func callAsFunction(_ seconds: Double) -> Double {
        let date = CivilTime(unixSeconds: seconds)
        switch self {
        case .dayOfMonth: return Double(date.day)
        case .dayOfWeek: return Double(date.weekday)
        case .dayOfYear: return Double(date.dayOfYear)
        case .daysInMonth: return Double(CivilTime.daysInMonth(year: date.year, month: date.month))
        case .hour: return Double(date.hour)
        case .minute: return Double(date.minute)
        case .month: return Double(date.month)
        case .year: return Double(date.year)
        }
    }
}

/// A UTC calendar date and time of day, from Unix seconds, by Howard
/// Hinnant's `civil_from_days` (exact for the whole Int64 range of days).
struct CivilTime: Equatable {
    var year: Int64
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    /// 0 = Sunday.
    var weekday: Int
    /// 1-based.
    var dayOfYear: Int

    /// Go's `time.Unix(int64(value), 0).UTC()` on amd64.
    init(unixSeconds value: Double) {
        // Go's float→int64 conversion truncates toward zero and turns NaN and
        // anything out of range into Int64.min (the x86 "integer indefinite").
        let seconds: Int64
        if value.isFinite && value >= -9.223372036854775808e18 && value < 9.223372036854775808e18 {
            seconds = Int64(value)
        } else {
            seconds = .min
        }
        // Go counts from an "absolute" epoch 2⁶³-ish seconds before 1970 in
        // wrapping 64-bit arithmetic; reproduce the wrap, then do the calendar exactly.
        let absolute = UInt64(bitPattern: seconds &+ Self.unixToAbsolute)
        self.init(unixSeconds: Int128(absolute) - Int128(Self.unixToAbsolute))
    }

    /// Seconds from Go's absolute zero (January 1 of year -292277022399) to the Unix epoch.
    static let unixToAbsolute: Int64 = 9_223_372_028_715_321_600

    init(unixSeconds seconds: Int128) {
        var dayCount = seconds / 86_400
        if seconds % 86_400 < 0 { dayCount -= 1 }
        let secondOfDay = Int(seconds - dayCount * 86_400)
        let days = Int64(dayCount)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        // 1970-01-01 was a Thursday.
        weekday = Int(((days % 7) + 11) % 7)

        let z = days + 719_468
        let era = Self.floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfMarchYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfMarchYear + 2) / 153
        day = Int(dayOfMarchYear - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        let before = Self.daysBeforeMonth[month - 1]
        dayOfYear = before + day + (month > 2 && Self.isLeap(year) ? 1 : 0)
    }

    /// Days in a common year before each month starts.
    static let daysBeforeMonth = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]

    static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
