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
        var sentAgain: [String] = []
        for c in cases {
            let started = clock.now
            var result = try await Self.send(c, to: server)
            var elapsed = clock.now - started
            if elapsed >= Self.answerBound {
                // The one relaxation: a case over the bound is sent once more and
                // the faster answer counts. A request the server cannot answer in
                // time takes as long again; a stall of the machine, loaded by the
                // suites running beside this one, does not.
                sentAgain.append("\(c.name) (\(elapsed))")
                let again = clock.now
                result = try await Self.send(c, to: server)
                elapsed = min(elapsed, clock.now - again)
            }
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
                + "slowest \(slowest.name) in \(slowest.elapsed); peak RSS \(peak >> 20) MiB (bound \(Self.peakMemoryBound >> 20) MiB); "
                + "sent again after a first try over the bound: \(sentAgain)")
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
        try await Self.expectMemoryGivenBack(server)
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
        try await Self.expectMemoryGivenBack(server)
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics").text
        #expect(metrics.contains(#"meridian_queries_aborted_total{reason="memory_limit"} 1"#), "\(metrics)")
        try await Self.expectHealthy(server, after: "the refusal")
    }

    /// `meridian_query_memory_bytes` comes back to 0 within 10 s. Not "is 0
    /// now": the health scorer's own queries count in the same gauge while a
    /// round runs; memory a query kept would never come back.
    static func expectMemoryGivenBack(_ server: ServerProcess, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        let deadline = ContinuousClock.now + .seconds(10)
        var memory = try await gauge("meridian_query_memory_bytes", of: server)
        while memory != 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            memory = try await gauge("meridian_query_memory_bytes", of: server)
        }
        #expect(memory == 0, "the query's memory is given back: \(memory) bytes held", sourceLocation: sourceLocation)
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
