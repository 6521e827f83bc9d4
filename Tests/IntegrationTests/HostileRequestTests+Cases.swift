import Foundation
import MeridianModel
import RemoteWrite
import TestSupport

/// The requests ``HostileRequestTests`` sends, and what each must get back.
extension HostileRequestTests {
    /// One request and what it must get back.
    struct HostileCase: CustomStringConvertible {
        let name: String
        let path: String
        var parameters: [(String, String)] = []
        /// A body for POST (remote-write or a form), GET without.
        var body: (contentType: String, data: Data)? = nil
        let status: Int
        /// Text the answer must contain (the error, or a result's shape).
        var contains: String? = nil
        /// Whether an error must have Prometheus' JSON shape: not for a
        /// request the HTTP parser refuses before any route sees it.
        var jsonError = true

        var description: String { name }
    }

    /// A query that runs for a long time (over a billion points summed, in
    /// 14,400 windows of 86,400) in little memory (two grids of 950,400 steps).
    static let slowQuery = "sum_over_time(sum_over_time(vector(1)[1d:1s])[10d:1m])"

    /// 30 optional groups then 30 `a`: exponential for a backtracking
    /// engine on `regex_target`'s value of 30 `a`, linear for RE2.
    static let backtrackingRegex = String(repeating: "(a?)", count: 30) + String(repeating: "a", count: 30)

    static func cases(now: Int64) -> [HostileCase] {
        let tooMany = "query processing would load too many samples into memory in query execution"
        let query = "/api/v1/query"
        let range = "/api/v1/query_range"
        func instant(_ name: String, _ q: String, _ status: Int, _ contains: String? = nil) -> HostileCase {
            HostileCase(name: name, path: query, parameters: [("query", q)], status: status, contains: contains)
        }
        func ranged(_ name: String, _ q: String, start: String, end: String, step: String, _ status: Int, _ contains: String? = nil)
            -> HostileCase
        {
            HostileCase(
                name: name, path: range, parameters: [("query", q), ("start", start), ("end", end), ("step", step)],
                status: status, contains: contains)
        }
        let t = String(now)
        let hourAgo = String(now - 3600)
        return [
            // The four requests of issue 9.
            instant("subquery of 2.6e12 steps", "up[30d:1ms]", 422, tooMany),
            instant("max_over_time of it", "max_over_time(up[30d:1ms])", 422, tooMany),
            instant("sum_over_time over 10,000 days", "sum_over_time(vector(1)[10000d:1s])", 422, tooMany),
            instant("backtracking regex matcher", "count(regex_target{value=~\"\(backtrackingRegex)\"})", 200, #""1""#),
            // Steps and ranges.
            ranged("ten billion steps", "up", start: "0", end: "10000000000", step: "1", 400, "exceeded maximum resolution"),
            ranged("step of 1e-300 s", "up", start: "0", end: "100", step: "1e-300", 400, "zero or negative query resolution"),
            ranged("step of 1e300 s", "up", start: "0", end: "100", step: "1e300", 400, "invalid parameter \\\"step\\\""),
            ranged("negative step", "up", start: "0", end: "100", step: "-1", 400, "zero or negative query resolution"),
            ranged(
                "a subquery at every range step", "count_over_time(up[1h:1ms])", start: hourAgo, end: t, step: "60", 422,
                tooMany),
            instant("a subquery step of 0", "rate(up[5m:0s])", 400, "duration must be greater than 0"),
            // Times.
            HostileCase(name: "time NaN", path: query, parameters: [("query", "up"), ("time", "NaN")], status: 400),
            HostileCase(name: "time +Inf", path: query, parameters: [("query", "up"), ("time", "+Inf")], status: 400),
            HostileCase(name: "time 1e300", path: query, parameters: [("query", "up"), ("time", "1e300")], status: 400),
            ranged("start NaN", "up", start: "NaN", end: t, step: "15", 400),
            ranged("end -Inf", "up", start: "0", end: "-Inf", step: "15", 400),
            // Offsets, @ and durations at the edge of Int64.
            instant("offset of 10^13 years", "up offset 9999999999999y", 400, "duration out of range"),
            instant("negative offset of 10^13 years", "up offset -9999999999999y", 400, "duration out of range"),
            instant("offset of 200 years", "up offset 200y", 200, #""result":[]"#),
            instant("offset of -200 years", "up offset -200y", 200, #""result":[]"#),
            instant("@ 1e300", "up @ 1e300", 400, "timestamp out of bounds for @ modifier"),
            instant("@ NaN", "up @ NaN", 400, "timestamp out of bounds for @ modifier"),
            instant("@ the last second of Int64 ms", "max_over_time(up[1h:1m] @ 9223372036)", 200, #""result":[]"#),
            instant("range of 10^13 years", "up[9999999999999y]", 400, "duration out of range"),
            instant("subquery of 200 years at 1 m", "count_over_time(vector(1)[200y:1m])", 422, tooMany),
            instant("200 days at 1 s", "count_over_time(vector(1)[200d:1s])", 422, tooMany),
            // Parameters converted to integers.
            instant("topk(1e300)", "topk(1e300, up)", 422, "Scalar value 1e+300 overflows int64"),
            instant("topk(NaN)", "topk(NaN, up)", 422, "Scalar value NaN overflows int64"),
            instant("bottomk(-1e300)", "bottomk(-1e300, up)", 422, "overflows int64"),
            instant("topk(2^63 - 1)", "topk(9223372036854775807, up)", 422, "Scalar value 9.223372036854776e+18 overflows int64"),
            instant("quantile(1e300)", "quantile(1e300, up)", 200, "+Inf"),
            instant("quantile(NaN)", "quantile(NaN, up)", 200, "NaN"),
            instant("round to 1e-300", "count(round(up, 1e-300))", 200, #""3000""#),
            instant("holt_winters factor 1e300", "holt_winters(up[10m], 1e300, 0.5)", 422, "invalid smoothing factor"),
            instant("predict_linear 1e300 s ahead", "count(predict_linear(up[10m], 1e300))", 200, #""3000""#),
            // Regexes: linear time, Go's syntax and errors.
            instant(
                "backtracking regex in label_replace",
                "count(label_replace(regex_target, \"x\", \"$1\", \"value\", \"\(backtrackingRegex)\"))", 200, #""1""#),
            instant(
                "backtracking regex on instance values", "count(up{instance=~\"(i-1?)+(i-1?)+(i-1?)+(i-1?)+x\"})", 200,
                #""result":[]"#),
            instant(
                "nested quantifiers", "up{job=~\"((a*)*)*b\"}", 200, #""result":[]"#),
            instant("regex repeat past 1000", "up{job=~\"a{1001}\"}", 400, "invalid repeat count"),
            instant("invalid regex", "up{job=~\"(\"}", 400, "missing closing )"),
            // Nesting and size.
            instant("10,000 nested parentheses", String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000), 400, "nested too deeply"),
            HostileCase(
                name: "100,000 unary minuses in a form", path: query,
                body: ("application/x-www-form-urlencoded", Data(("query=" + String(repeating: "-", count: 100_000) + "1").utf8)),
                status: 400, contains: "nested too deeply"),
            // Relaxed: NIO's HTTP parser refuses a request head over 80 KiB
            // with a bare 400 before any route sees it (Go's, in Prometheus,
            // refuses one over 1 MiB with a plain-text 431).
            HostileCase(
                name: "a 100 KiB URL", path: query, parameters: [("query", String(repeating: "-", count: 100_000) + "1")],
                status: 400, jsonError: false),
            HostileCase(
                name: "a 4 MiB query in a form", path: query,
                body: ("application/x-www-form-urlencoded", Data(("query=" + String(repeating: "1%2B", count: 1 << 20) + "1").utf8)),
                status: 400, contains: "nested too deeply"),
            HostileCase(
                name: "a 12 MiB form", path: query,
                body: ("application/x-www-form-urlencoded", Data(("query=" + String(repeating: "1%2B", count: 3 << 20) + "1").utf8)),
                status: 413, contains: "form body larger than the 8 MiB"),
            instant("every series at once", "count({__name__=~\".+\"})", 200, #""3001""#),
            // Writes past the label limits.
            Self.write("1,000 labels on a series", labelCount: 1_000, valueLength: 1, 400, "max_labels_per_series"),
            Self.write("a 1 MiB label value", labelCount: 2, valueLength: 1 << 20, 400, "max_label_value_length"),
        ]
    }

    /// A remote-write request of one series with `labelCount` labels, one of
    /// them `valueLength` bytes long.
    static func write(_ name: String, labelCount: Int, valueLength: Int, _ status: Int, _ contains: String) -> HostileCase {
        var labels = ["__name__": "hostile_series", "long": String(repeating: "v", count: valueLength)]
        for i in 0..<(labelCount - 2) { labels["label_\(i)"] = "x" }
        let body = RemoteWriteEncoder.snappyBody([
            (labels: Labels(labels), samples: [Sample(t: Int64(Date().timeIntervalSince1970 * 1000), v: 1)])
        ])
        return HostileCase(
            name: name, path: "/api/v1/write", body: ("application/x-protobuf", Data(body)), status: status,
            contains: contains)
    }
}
