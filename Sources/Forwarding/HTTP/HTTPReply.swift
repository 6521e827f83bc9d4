#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The final reply to a post: what a sender's retry policy reads (status,
/// `Retry-After`) and what its log shows (the start of the body).
public struct HTTPReply: Sendable {
    /// The status code, 200...599 (interim 1xx replies are skipped).
    public let status: Int
    /// The header fields in the order received, names as the server spelled
    /// them; `header(_:)` looks them up case-insensitively.
    public let headers: [(name: String, value: String)]
    /// The first 4 KiB of the body as UTF-8, invalid bytes replaced; enough
    /// for an upstream's error message, never a whole hostile page.
    public let body: String
    /// How long the upstream asks us to wait, from `Retry-After` in seconds or
    /// as an HTTP date (a date in the past gives zero); nil when absent or
    /// unreadable.
    public let retryAfter: Duration?

    /// Creates a reply; a test double of a connection returns these.
    public init(status: Int, headers: [(name: String, value: String)], body: String, retryAfter: Duration? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.retryAfter = retryAfter
    }

    /// Whether the status is 2xx: the upstream took the body.
    public var isSuccess: Bool { (200...299).contains(status) }

    /// The value of the first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

extension HTTPReply {
    /// The wait a `Retry-After` value asks for: delta-seconds, or an
    /// IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`) taken relative to `now`
    /// (Unix seconds). The obsolete RFC 850 and asctime date forms, which no
    /// current server sends, give nil like any other unreadable value.
    static func retryAfter(parsing value: String, now: Int64 = Int64(time(nil))) -> Duration? {
        let text = value.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // RFC 9110 asks to read an overflowing delta as 2^31 seconds, far
            // beyond any backoff cap a sender applies afterwards.
            return .seconds(min(Int64(text) ?? Int64(Int32.max), Int64(Int32.max)))
        }
        guard let date = Self.imfFixdate(text) else { return nil }
        return .seconds(max(0, date - now))
    }

    /// Unix seconds of an IMF-fixdate, nil when `text` is not one.
    static func imfFixdate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        let days = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, days.contains(String(parts[0])), parts[5] == "GMT",
            let day = digits(parts[1], 2), let monthIndex = months.firstIndex(of: String(parts[2])),
            let year = digits(parts[3], 4)
        else { return nil }
        let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3,
            let hour = digits(clock[0], 2), let minute = digits(clock[1], 2), let second = digits(clock[2], 2),
            (1...31).contains(day), hour < 24, minute < 60, second < 61  // 60: a leap second
        else { return nil }
        let month = Int64(monthIndex) + 1
        return daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
    }

    /// The value of exactly `count` ASCII digits, nil for anything else.
    private static func digits(_ text: Substring, _ count: Int) -> Int64? {
        guard text.utf8.count == count, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
    /// `days_from_civil`), so that no calendar library is needed.
    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingWhitespace() -> String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
