import Foundation
import MeridianModel
import MeridianServer
import RemoteWrite
import Scoring
import TestSupport
import Testing

/// The health feed's HTTP contract, in process: ETag and long poll, the event
/// stream's resumption, the overrides API's refusals, the audit log's
/// paging, probes of unknown names, and the feed token.
@Suite(.serialized) struct HealthRoutesTests {
    /// A server scoring one gauge every 200 ms, with `bj` and `sh` written once, fresh.
    static func start(feedToken: String? = nil) async throws -> InProcessServer {
        let server = try await InProcessServer.start { config in
            config.scoring.rules.interval = 0.2
            config.scoring.rules.fall = 1
            config.scoring.rules.rise = 1
            config.scoring.rules.staleAfter = 600
            config.scoring.rules.signals = [
                SignalRule(
                    name: "error_ratio", expr: "max by (center) (test_error_ratio)", good: 0.01, bad: 0.05, weight: 1)
            ]
            config.scoring.overrideToken = "t0ken"
            config.scoring.feedToken = feedToken
        }
        try await write(server, ["bj": 0.001, "sh": 0.001])
        return server
    }

    /// Runs `body` against a fresh server (``start(feedToken:)``), stopping it however `body` ends.
    static func with(feedToken: String? = nil, _ body: (InProcessServer) async throws -> Void) async throws {
        let server = try await start(feedToken: feedToken)
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func write(_ server: InProcessServer, _ ratios: [String: Double]) async throws {
        let t = Int64(Date().timeIntervalSince1970 * 1000)
        let series = ratios.map { center, ratio in
            (labels: Labels(["__name__": "test_error_ratio", "center": center]), samples: [Sample(t: t, v: ratio)])
        }
        let result = try await server.write(RemoteWriteEncoder.snappyBody(series))
        #expect(result.status == 204)
    }

    static func document(_ server: InProcessServer, headers: [String: String] = [:]) async throws -> (
        HTTPResult, [String: Any]
    ) {
        let result = try await TestHTTP.send("GET", server.baseURL + "/api/v1/health", headers: headers)
        let data = ((try? result.json()) as? [String: Any])?["data"] as? [String: Any] ?? [:]
        return (result, data)
    }

    /// Waits until `bj` is in `state`.
    static func waitFor(_ server: InProcessServer, _ center: String, _ state: String) async throws -> [String: Any] {
        for _ in 0..<100 {
            let (_, data) = try await document(server)
            let centers = data["centers"] as? [[String: Any]] ?? []
            if centers.first(where: { $0["name"] as? String == center })?["state"] as? String == state { return data }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("\(center) never became \(state)")
    }

    @Test func etagAndLongPoll() async throws {
        try await Self.with { server in
            let data = try await Self.waitFor(server, "bj", "up")
            let version = data["version"] as! Int
            let (first, _) = try await Self.document(server)
            #expect(first.headers["etag"] == "W/\"\(version)\"")
            #expect(first.headers["cache-control"] == "no-cache")

            // The same version: 304 at once; with a wait and no change, 304 when the wait ends.
            let notModified = try await TestHTTP.send(
                "GET", server.baseURL + "/api/v1/health", headers: ["If-None-Match": "W/\"\(version)\""])
            #expect(notModified.status == 304)
            let started = Date()
            let waited = try await TestHTTP.send(
                "GET", server.baseURL + "/api/v1/health?wait=1s", headers: ["If-None-Match": "\"\(version)\""])
            #expect(waited.status == 304)
            #expect(Date().timeIntervalSince(started) >= 0.9, "a long poll without change waits out its wait")

            // A change answers the long poll at once with the new version.
            async let polled = TestHTTP.send(
                "GET", server.baseURL + "/api/v1/health?wait=20s", headers: ["If-None-Match": "W/\"\(version)\""])
            try await Task.sleep(for: .milliseconds(300))
            let changedAt = Date()
            try await Self.write(server, ["bj": 0.5, "sh": 0.001])
            let answer = try await polled
            #expect(answer.status == 200)
            #expect(Date().timeIntervalSince(changedAt) < 2, "answered within a round or two of the change")
            let newVersion =
                (((try answer.json()) as? [String: Any])?["data"] as? [String: Any])?["version"] as? Int ?? 0
            #expect(newVersion > version)
            #expect(answer.headers["etag"] == "W/\"\(newVersion)\"")

            let bad = try await TestHTTP.send("GET", server.baseURL + "/api/v1/health?wait=soon")
            #expect(bad.status == 400 && bad.text.contains("wait"))
        }
    }

    @Test func theEventStreamResumesFromLastEventID() async throws {
        try await Self.with { server in
            let data = try await Self.waitFor(server, "bj", "up")
            let version = data["version"] as! Int
            let port = Int(server.baseURL.split(separator: ":").last!)!

            // No id: the current document first.
            let fresh = try SSEReader(port: port, path: "/api/v1/health/stream")
            defer { fresh.stop() }
            // The current id: nothing until the next change, then that change.
            let resumed = try SSEReader(
                port: port, path: "/api/v1/health/stream", headers: ["Last-Event-ID": "\(version)"])
            defer { resumed.stop() }
            try await Task.sleep(for: .seconds(1))
            #expect(fresh.events.withLock { $0.map(\.id) } == ["\(version)"])
            #expect(fresh.events.withLock { $0.first?.event } == "health")
            #expect(resumed.events.withLock { $0.isEmpty })
            #expect(fresh.head.withLock { $0 }.lowercased().contains("content-type: text/event-stream"))

            try await Self.write(server, ["bj": 0.5, "sh": 0.001])
            _ = try await Self.waitFor(server, "bj", "down")
            try await Task.sleep(for: .milliseconds(500))
            let resumedIDs = resumed.events.withLock { $0.compactMap(\.id).compactMap(Int.init) }
            #expect(!resumedIDs.isEmpty && resumedIDs.allSatisfy { $0 > version }, "resumed: \(resumedIDs)")
            let payloads = resumed.events.withLock { events in events.map(\.data) }
            #expect(
                payloads.last?.contains(#""name":"bj","state":"down""#) == true, "\(payloads.map { $0.prefix(200) })")
        }
    }

    @Test func overridesNeedTheTokenAndSayWhatIsMissing() async throws {
        try await Self.with { server in
            _ = try await Self.waitFor(server, "bj", "up")
            let url = server.baseURL + "/api/v1/overrides"
            let auth = ["Authorization": "Bearer t0ken"]

            let none = try await TestHTTP.send("POST", url + "?target=bj&action=drain&ttl=1m&reason=r&by=me")
            #expect(none.status == 401 && none.headers["www-authenticate"] == "Bearer")
            let wrong = try await TestHTTP.send(
                "POST", url + "?target=bj&action=drain&ttl=1m&reason=r&by=me", headers: ["Authorization": "Bearer t0ke"]
            )
            #expect(wrong.status == 401)
            for (query, missing) in [
                ("action=drain&ttl=1m&reason=r&by=me", "target"), ("target=bj&ttl=1m&reason=r&by=me", "action"),
                ("target=bj&action=drain&ttl=1m&by=me", "reason"), ("target=bj&action=drain&ttl=1m&reason=r", "by"),
                ("target=bj&action=drain&reason=r&by=me", "ttl"),
                ("target=bj&action=pause&ttl=1m&reason=r&by=me", "action"),
                ("target=bj&action=drain&ttl=90d&reason=r&by=me", "30 days"),
                ("target=bj/&action=drain&ttl=1m&reason=r&by=me", "target"),
            ] {
                let result = try await TestHTTP.send("POST", url + "?" + query, headers: auth)
                #expect(
                    result.status == 400 && result.text.contains(missing), "\(query): \(result.status) \(result.text)")
            }

            let set = try await TestHTTP.send(
                "POST", url, headers: auth.merging(["Content-Type": "application/x-www-form-urlencoded"]) { a, _ in a },
                body: Data("target=sh%2Fcheckout&action=down&ttl=10m&reason=bad+deploy&by=bob".utf8))
            #expect(set.status == 200, "\(set.text)")
            let listed = try await TestHTTP.get(url)
            #expect(listed.text.contains(#""target":"sh/checkout","action":"down","reason":"bad deploy","by":"bob""#))
            let lift = try await TestHTTP.send("DELETE", url + "?target=sh/checkout&by=bob", headers: auth)
            #expect(lift.status == 200)
            let again = try await TestHTTP.send("DELETE", url + "?target=sh/checkout&by=bob", headers: auth)
            #expect(again.status == 404 && again.text.contains("no override"))

            let events = try await TestHTTP.get(server.baseURL + "/api/v1/health/events?limit=2")
            let list =
                (((try events.json()) as? [String: Any])?["data"] as? [String: Any])?["events"] as? [[String: Any]]
                ?? []
            #expect(list.map { $0["kind"] as? String ?? "" } == ["override_lifted", "override_set"])
            #expect(list.first?["by"] as? String == "bob")
            let future = try await TestHTTP.get(
                server.baseURL + "/api/v1/health/events?since=\(Date().timeIntervalSince1970 + 60)")
            #expect(future.text.contains(#""events":[]"#))
            let badLimit = try await TestHTTP.get(server.baseURL + "/api/v1/health/events?limit=0")
            #expect(badLimit.status == 400)
        }
    }

    @Test func overridesAreOffWithoutAToken() async throws {
        let server = try await InProcessServer.start { config in config.scoring.rules.interval = 0.2 }
        let result = try await TestHTTP.send(
            "POST", server.baseURL + "/api/v1/overrides?target=bj&action=drain&ttl=1m&reason=r&by=me",
            headers: ["Authorization": "Bearer anything"])
        await server.stop()
        #expect(result.status == 403 && result.text.contains("override_token"))
    }

    @Test func probesOfUnknownNamesAndHead() async throws {
        try await Self.with { server in
            _ = try await Self.waitFor(server, "bj", "up")
            let unknown = try await TestHTTP.get(server.baseURL + "/probe/nowhere")
            #expect(unknown.status == 404 && unknown.text.contains("nowhere"))
            let head = try await TestHTTP.send("HEAD", server.baseURL + "/probe/bj")
            #expect(head.status == 200 && head.body.isEmpty)
            let probe = try await TestHTTP.get(server.baseURL + "/probe/bj")
            #expect(probe.status == 200 && probe.text.hasPrefix("UP bj state=up weight=50"))
            // The headers the router would give (the probe is answered before it).
            #expect(probe.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(probe.headers["cache-control"] == "no-cache" && probe.headers["server"] == "Meridian")
            let date = probe.headers["date"] ?? ""
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let sent = formatter.date(from: date)
            #expect(sent.map { abs($0.timeIntervalSinceNow) < 5 } == true, "Date: \(date)")
        }
    }

    @Test func theFeedTokenGuardsTheDocumentButNotTheProbes() async throws {
        try await Self.with(feedToken: "reader") { server in
            let open = try await TestHTTP.get(server.baseURL + "/api/v1/health")
            #expect(open.status == 401)
            let (authorized, _) = try await Self.document(server, headers: ["Authorization": "Bearer reader"])
            #expect(authorized.status == 200 || authorized.status == 503)
            let events = try await TestHTTP.get(server.baseURL + "/api/v1/health/events")
            #expect(events.status == 401)
            for _ in 0..<50 {
                if try await TestHTTP.get(server.baseURL + "/probe/bj").status == 200 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("the probe stayed closed under a feed token")
        }
    }

    /// Probes are answered before the router, but a probe pipelined behind a
    /// request the router is still answering (a long poll) waits its turn:
    /// responses leave in request order, and a HEAD probe has no body.
    @Test func pipelinedProbesKeepTheirPlace() async throws {
        try await Self.with { server in
            let version = try await Self.waitFor(server, "bj", "up")["version"] as! Int
            let port = Int(server.baseURL.split(separator: ":").last!)!
            let requests = [
                "GET /api/v1/health?wait=1s HTTP/1.1\r\nHost: x\r\nIf-None-Match: W/\"\(version)\"\r\n\r\n",
                "GET /probe/bj HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /-/ready HTTP/1.1\r\nHost: x\r\n\r\n",
                "HEAD /probe/sh HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /probe/sh?cache=1 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /probe/bj HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            ]
            let started = Date()
            let text = try LineSocket.exchange(port: port, send: requests.joined(), timeout: 10)
            // Bodies need not end in a line break: status lines are found anywhere.
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map {
                "HTTP/1.1 " + ($0.components(separatedBy: "\r\n").first ?? "")
            }
            #expect(statuses.count == 6, "\(statuses)")
            // The long poll waited out its second; nothing behind it answered first.
            #expect(Date().timeIntervalSince(started) >= 0.9)
            #expect(statuses.first == "HTTP/1.1 304 Not Modified", "\(statuses)")
            let order = ["UP bj", "Meridian is Ready.", "UP sh", "UP bj"]
            var cursor = text.startIndex
            for marker in order {
                guard let found = text.range(of: marker, range: cursor..<text.endIndex) else {
                    Issue.record("\(marker) missing or out of order in:\n\(text)")
                    break
                }
                cursor = found.upperBound
            }
            // The HEAD answer: a length but no body (the GET after it has the only "UP sh").
            #expect(text.components(separatedBy: "UP sh").count == 2)
        }
    }

    /// Round after round the same series are written back (their layout is
    /// reused); each round's values must be that round's, in their series.
    @Test func everyRoundWritesItsOwnValuesBack() async throws {
        try await Self.with { server in
            _ = try await Self.waitFor(server, "bj", "up")
            var states = try await Self.stateSeries(server, "bj", once: "up")
            #expect(states == ["up": 1, "degraded": 0, "drain": 0, "down": 0, "unknown": 0])
            try await Self.write(server, ["bj": 0.5, "sh": 0.001])
            _ = try await Self.waitFor(server, "bj", "down")
            states = try await Self.stateSeries(server, "bj", once: "down")
            #expect(states == ["up": 0, "degraded": 0, "drain": 0, "down": 1, "unknown": 0])
            #expect(try await Self.stateSeries(server, "sh", once: "up")["up"] == 1)
            let weights = try await Self.instant(server, "meridian_traffic_weight{service=\"\"}")
            #expect(weights["bj"] == 0 && weights["sh"] == 100, "weights: \(weights)")
        }
    }

    /// `meridian_health_state` of `center` (its own series, not its
    /// services'), by state, once `state`'s is 1 (the write-back follows the
    /// document within a round).
    static func stateSeries(_ server: InProcessServer, _ center: String, once state: String) async throws
        -> [String: Double]
    {
        let query = "meridian_health_state{center=\"\(center)\", service=\"\"}"
        var states: [String: Double] = [:]
        for _ in 0..<30 {
            states = try await instant(server, query, by: "state")
            if states[state] == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return states
    }

    /// An instant query's values by one label's value (`center` unless told).
    static func instant(_ server: InProcessServer, _ query: String, by label: String = "center") async throws
        -> [String: Double]
    {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let result = try await TestHTTP.get(server.baseURL + "/api/v1/query?query=" + encoded)
        let data = (try result.json() as? [String: Any])?["data"] as? [String: Any]
        var out: [String: Double] = [:]
        for item in data?["result"] as? [[String: Any]] ?? [] {
            let metric = item["metric"] as? [String: String] ?? [:]
            let value = (item["value"] as? [Any])?.last as? String
            if let key = metric[label], let value, let number = Double(value) { out[key] = number }
        }
        return out
    }
}
