import Foundation
import MeridianModel
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RemoteWrite
import Testing
import TestSupport

/// Requests meant to take a server down — by memory, by time, by a
/// conversion that traps, by a regex that backtracks, by labels past every
/// sane size — sent to the real binary holding a small data set (3,000
/// series over an hour). Each must be answered within 5 s with the status
/// Prometheus would give (or a 4xx/503 in its error shape where Prometheus
/// itself falls over), after which the server still answers a normal query;
/// the whole run must stay under ``peakMemoryBound`` of resident memory.
@Suite(.serialized) struct HostileRequestTests {
    /// The peak resident memory the server may reach over the whole run.
    /// A query may hold 10 million samples (160 MiB) here and all queries
    /// 512 MiB (``config``); the store, the debug build and allocator slack
    /// account for the rest.
    static let peakMemoryBound = 1 << 30
    /// How long any one hostile request may take to be answered.
    static let answerBound: Duration = .seconds(5)
    /// The series loaded: `up` for 30 jobs × 100 instances.
    static let seriesCount = 3_000

    static let config = """
        query:
          max_samples: 10000000
          max_memory: 512MiB
        """

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

    @Test(.timeLimit(.minutes(10))) func noRequestTakesTheServerDown() async throws {
        let dir = try TemporaryDirectory("hostile")
        defer { dir.remove() }
        let server = try await Self.startLoaded(in: dir)
        defer { server.terminate() }
        let now = Int64(Date().timeIntervalSince1970)

        var slowest: (name: String, elapsed: Duration) = ("", .zero)
        var answeredAsExpected = 0
        let clock = ContinuousClock()
        let cases = Self.cases(now: now)
        for c in cases {
            let started = clock.now
            let result = try await Self.send(c, to: server)
            let elapsed = clock.now - started
            if elapsed > slowest.elapsed { slowest = (c.name, elapsed) }

            #expect(result.status == c.status, "\(c): \(result.status) \(result.text.prefix(300))")
            let textMatches = c.contains.map { result.text.contains($0) } ?? true
            if result.status == c.status && textMatches && elapsed < Self.answerBound { answeredAsExpected += 1 }
            if let text = c.contains {
                #expect(result.text.contains(text), "\(c): \(result.text.prefix(300))")
            }
            if c.jsonError && c.path.hasPrefix("/api/v1/") && c.path != "/api/v1/write" && result.status >= 400 {
                Self.expectPrometheusErrorShape(result, c)
            }
            #expect(elapsed < Self.answerBound, "\(c) took \(elapsed)")
            try #require(server.isRunning, "the server died on \(c); log:\n\(server.log().suffix(2000))")
            try await Self.expectHealthy(server, after: c.name)
        }

        let peak = try Self.peakResidentBytes(of: server.pid)
        #expect(peak < Self.peakMemoryBound, "peak RSS \(peak >> 20) MiB")
        #expect(answeredAsExpected == cases.count)
        print(
            "hostile requests: \(cases.count) sent, \(answeredAsExpected) answered as expected (status, text, within 5 s), "
                + "slowest \(slowest.name) in \(slowest.elapsed); peak RSS \(peak >> 20) MiB (bound \(Self.peakMemoryBound >> 20) MiB)")
    }

    /// With 2 query threads and 2 places in the queue, 10 slow queries at
    /// once: the surplus is refused at once with 503, the rest stop at their
    /// timeout, and the server answers a normal query after.
    @Test(.timeLimit(.minutes(3))) func surplusQueriesAreRefusedAndSlowOnesStop() async throws {
        let dir = try TemporaryDirectory("hostile-overload")
        defer { dir.remove() }
        let server = try await Self.startLoaded(
            in: dir, config: Self.config + "\n  max_concurrency: 2\n  max_queued: 2\n")
        defer { server.terminate() }

        let clock = ContinuousClock()
        let started = clock.now
        // A session of its own: TestHTTP's opens at most 4 connections to a host.
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 16
        let session = URLSession(configuration: configuration)
        var components = URLComponents(string: server.baseURL + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: Self.slowQuery), URLQueryItem(name: "timeout", value: "2s")]
        let url = components.url!
        let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for _ in 0..<10 {
                group.addTask {
                    let (data, response) = try await session.data(from: url)
                    return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
                }
            }
            return try await group.reduce(into: [(Int, String)]()) { $0.append($1) }
        }
        let elapsed = clock.now - started
        let refused = statuses.filter { $0.1.contains("too many queries waiting to run") }
        let timedOut = statuses.filter { $0.1.contains(#""errorType":"timeout""#) }
        #expect(statuses.allSatisfy { $0.0 == 503 }, "\(statuses.map { $0.0 })")
        #expect(refused.count == 6, "10 queries for 2 threads and 2 queue places: \(statuses.map { $0.1 })")
        #expect(timedOut.count == 4, "\(statuses.map { $0.1 })")
        #expect(elapsed < Self.answerBound, "10 slow queries answered in \(elapsed)")
        try await Self.expectHealthy(server, after: "the overload")
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics").text
        #expect(metrics.contains("meridian_queries_refused_total 6"), "\(metrics)")
        print("overload: 10 slow queries on 2 threads + 2 queued: 6 refused, 4 timed out, all answered in \(elapsed)")
    }

    /// A client that hangs up stops its query: the query pool is idle again
    /// well before the query's own timeout (2 minutes).
    @Test(.timeLimit(.minutes(2))) func aClientThatLeavesCancelsItsQuery() async throws {
        let dir = try TemporaryDirectory("hostile-disconnect")
        defer { dir.remove() }
        let server = try await Self.startLoaded(in: dir)
        defer { server.terminate() }

        var components = URLComponents(string: server.baseURL + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: Self.slowQuery)]
        do {
            let answer = try await TestHTTP.send("GET", components.string!, timeout: 1)
            Issue.record("the slow query was answered within 1 s: \(answer.status) \(answer.text)")
        } catch {
            // The client gave up, as intended.
        }
        let clock = ContinuousClock()
        let hungUp = clock.now
        while try await Self.gauge("meridian_queries_running", of: server) > 0 {
            #expect(clock.now - hungUp < Self.answerBound, "the query still runs after its client left")
            if clock.now - hungUp >= Self.answerBound { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let stopped = clock.now - hungUp
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics").text
        #expect(metrics.contains(#"meridian_queries_aborted_total{reason="canceled"} 1"#), "\(metrics)")
        #expect(try await Self.gauge("meridian_query_memory_bytes", of: server) == 0, "the query's memory is given back")
        try await Self.expectHealthy(server, after: "the hang-up")
        print("client hang-up: query stopped \(stopped) after the client left")
    }

    /// SIGTERM while a query runs: the query is cancelled (499, as
    /// Prometheus answers a cancelled query) and the process exits in
    /// seconds, not after the query's 2-minute timeout.
    @Test(.timeLimit(.minutes(2))) func shutdownDoesNotWaitForARunningQuery() async throws {
        let dir = try TemporaryDirectory("hostile-shutdown")
        defer { dir.remove() }
        let server = try await Self.startLoaded(in: dir)
        defer { server.terminate() }

        let query = Task { try await TestHTTP.get(server.baseURL + "/api/v1/query", [("query", Self.slowQuery)]) }
        while try await Self.gauge("meridian_queries_running", of: server) < 1 {
            try await Task.sleep(for: .milliseconds(20))
        }
        let clock = ContinuousClock()
        let started = clock.now
        let status = server.terminate(timeout: .seconds(30))
        let elapsed = clock.now - started
        #expect(status == 0, "graceful exit")
        #expect(elapsed < Self.answerBound, "shutdown took \(elapsed)")
        let answer = try await query.value
        #expect(answer.status == 499, "\(answer.status) \(answer.text)")
        #expect(answer.text.contains(#""errorType":"canceled""#), "\(answer.text)")
        print("shutdown with a running query: exited in \(elapsed)")
    }

    /// A query within its own `max_samples` but past what all queries
    /// together may hold (32 MiB here) is refused with 503 and a
    /// `Retry-After`, and gives back what it had reserved.
    @Test(.timeLimit(.minutes(2))) func queriesPastTheMemoryCapAreRefused() async throws {
        let dir = try TemporaryDirectory("hostile-memory")
        defer { dir.remove() }
        let server = try await Self.startLoaded(in: dir, config: "query:\n  max_memory: 32MiB\n")
        defer { server.terminate() }

        // 2.6 million steps of 16 bytes: 41 MiB.
        let result = try await TestHTTP.get(
            server.baseURL + "/api/v1/query", [("query", "count_over_time(vector(1)[30d:1s])")])
        #expect(result.status == 503, "\(result.text)")
        #expect(result.text.contains("query memory limit reached; retry later"), "\(result.text)")
        #expect(result.headers["retry-after"] == "5")
        #expect(try await Self.gauge("meridian_query_memory_bytes", of: server) == 0, "the query's memory is given back")
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics").text
        #expect(metrics.contains(#"meridian_queries_aborted_total{reason="memory_limit"} 1"#), "\(metrics)")
        try await Self.expectHealthy(server, after: "the refusal")
    }

    // MARK: - The cases

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

    // MARK: - Scaffolding

    /// Starts the binary with ``config`` and loads ``seriesCount`` series of
    /// `up`, one sample every 15 s over the last hour, and one series of
    /// `regex_target` whose `value` is 30 `a`.
    static func startLoaded(in dir: TemporaryDirectory, config: String = Self.config) async throws -> ServerProcess {
        let configPath = dir.appending("meridian.yaml")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let server = try MeridianBinary.start(dataDir: dir.appending("data"), extraArguments: ["--config", configPath])
        try await server.waitUntilReady()
        let now = Int64(Date().timeIntervalSince1970) * 1000
        let samples = (0..<240).map { Sample(t: now - Int64(239 - $0) * 15_000, v: 1) }
        for batch in stride(from: 0, to: seriesCount, by: 100) {
            let series = (batch..<batch + 100).map { i in
                (labels: Labels(["__name__": "up", "job": "job-\(i / 100)", "instance": "i-\(i)"]), samples: samples)
            }
            let result = try await TestHTTP.send(
                "POST", server.baseURL + "/api/v1/write",
                headers: ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"],
                body: Data(RemoteWriteEncoder.snappyBody(series)))
            try #require(result.status == 204, "loading: \(result.status) \(result.text)")
        }
        let target = try await TestHTTP.send(
            "POST", server.baseURL + "/api/v1/write",
            headers: ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"],
            body: Data(
                RemoteWriteEncoder.snappyBody([
                    (labels: Labels(["__name__": "regex_target", "value": String(repeating: "a", count: 30)]), samples: samples)
                ])))
        try #require(target.status == 204, "loading: \(target.status) \(target.text)")
        try await expectHealthy(server, after: "loading")
        return server
    }

    static func send(_ c: HostileCase, to server: ServerProcess) async throws -> HTTPResult {
        guard let body = c.body else { return try await TestHTTP.get(server.baseURL + c.path, c.parameters) }
        var headers = ["Content-Type": body.contentType]
        if c.path == "/api/v1/write" { headers["Content-Encoding"] = "snappy" }
        return try await TestHTTP.send("POST", server.baseURL + c.path, headers: headers, body: body.data)
    }

    /// `{"status":"error","errorType":…,"error":…}`, as Prometheus' API answers errors.
    static func expectPrometheusErrorShape(_ result: HTTPResult, _ c: HostileCase) {
        guard let json = try? result.json() as? [String: Any] else {
            Issue.record("\(c): the error is not a JSON object: \(result.text.prefix(300))")
            return
        }
        #expect(json["status"] as? String == "error", "\(c)")
        #expect((json["errorType"] as? String)?.isEmpty == false, "\(c)")
        #expect((json["error"] as? String)?.isEmpty == false, "\(c)")
    }

    /// The server is ready and counts every series of `up`.
    static func expectHealthy(_ server: ServerProcess, after what: String) async throws {
        let ready = try await TestHTTP.get(server.baseURL + "/-/ready")
        #expect(ready.status == 200, "not ready after \(what)")
        let count = try await TestHTTP.get(server.baseURL + "/api/v1/query", [("query", "count(up)")])
        #expect(count.status == 200 && count.text.contains("\"\(seriesCount)\""), "after \(what): \(count.text)")
    }

    /// A gauge's value from `/metrics`.
    static func gauge(_ name: String, of server: ServerProcess) async throws -> Double {
        let text = try await TestHTTP.get(server.baseURL + "/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1)) ?? .nan
        }
        throw TestFailure("no \(name) in /metrics")
    }

    /// `VmHWM` of `/proc/<pid>/status`: the most resident memory the process has had.
    static func peakResidentBytes(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw TestFailure("no VmHWM in /proc/\(pid)/status") }
        return kib * 1024
    }
}
