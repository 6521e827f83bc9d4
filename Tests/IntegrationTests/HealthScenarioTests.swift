import Foundation
import MeridianModel
import TestSupport
import Testing

/// The health feed end to end: a real Meridian (role all) scoring three
/// centers with two services each from metrics written through remote-write
/// at the wall clock, with 1 s rounds, fall 3 and rise 5. Every step is
/// checked in rounds (the document's `round`), and the JSON, the probes, the
/// agent check and the event stream must agree.
@Suite(.serialized) struct HealthScenarioTests {
    @Test(.timeLimit(.minutes(5))) func centersDegradeFailRecoverDrainAndFailOpen() async throws {
        let dir = try TemporaryDirectory()
        let agentPort = try ServerProcess.freePort()
        let feed = try await HealthFeedRun.start(dir, HealthFeedClient.yaml(agentPort: agentPort))
        defer { feed.stop() }
        let (server, writer) = (feed.server, feed.writer)
        let stream = try SSEReader(port: server.port, path: "/api/v1/health/stream")
        defer { stream.stop() }

        // 1. Everyone healthy: up, a third of the traffic each, the region's first choice answers.
        var document = try await HealthFeedClient.settle(server) { d in
            ["bj", "sh", "gz"].allSatisfy { HealthFeedClient.state(d, $0) == "up" }
        }
        #expect(["bj", "sh", "gz"].map { HealthFeedClient.weight(document, $0) }.reduce(0, +) == 100)
        #expect(Self.region(document, "north")?["answer"] as? String == "bj")
        #expect(Self.region(document, "north")?["answers"] as? [String] == ["192.0.2.1"])
        #expect(Self.region(document, "south")?["answer"] as? String == "gz")
        try await Self.expectAgreement(server, agentPort: agentPort, stream: stream)

        // 2. bj's error ratio between good and bad: degraded after exactly `fall` rounds.
        writer.set("bj", errorRatio: 0.03)
        var rounds = try await HealthFeedClient.watch(server, timeout: .seconds(20)) {
            HealthFeedClient.state($0, "bj") == "degraded"
        }
        try Self.expectMoved(rounds, "bj", to: "degraded", raw: "degraded", after: 3, from: "up")
        try await Self.expectAgreement(server, agentPort: agentPort, stream: stream)

        // 3. Past the veto: down after exactly `fall` rounds; its weight goes to the others.
        writer.set("bj", errorRatio: 0.31)
        rounds = try await HealthFeedClient.watch(server, timeout: .seconds(20)) {
            HealthFeedClient.state($0, "bj") == "down"
        }
        try Self.expectMoved(rounds, "bj", to: "down", raw: "down", after: 3, from: "degraded")
        document = try await HealthFeedClient.settle(server) { HealthFeedClient.state($0, "bj") == "down" }
        #expect(HealthFeedClient.weight(document, "bj") == 0)
        #expect(HealthFeedClient.weight(document, "sh") + HealthFeedClient.weight(document, "gz") == 100)
        #expect(Self.region(document, "north")?["answer"] as? String == "sh")
        let reasons = HealthFeedClient.center(document, "bj")?["reasons"] as? [String] ?? []
        #expect(reasons.contains { $0.contains("error_ratio 0.31 > 0.2") }, "reasons: \(reasons)")
        let probe = try await TestHTTP.get(server.baseURL + "/probe/bj")
        #expect(probe.status == 503 && probe.text.hasPrefix("DOWN"))
        let agent = try LineSocket.exchange(port: agentPort, send: "bj\n")
        #expect(agent.hasPrefix("down ready #"), "agent: \(agent)")
        try await Self.expectAgreement(server, agentPort: agentPort, stream: stream)

        // 4. Recovery needs exactly `rise` good rounds, straight from down to up.
        writer.set("bj", errorRatio: 0.001)
        rounds = try await HealthFeedClient.watch(server, timeout: .seconds(20)) {
            HealthFeedClient.state($0, "bj") == "up"
        }
        try Self.expectMoved(rounds, "bj", to: "up", raw: "up", after: 5, from: "down")

        // 5. A flapping signal (bad in every other round) never moves the state.
        let flapped = try await Self.flap(server, writer, "sh", rounds: 10)
        let raws = Set(flapped.values.map { Self.hysteresis($0, "sh")["raw_state"] as? String ?? "" })
        #expect(raws == ["up", "down"], "the flap reached the signals: \(raws)")
        // On a loaded machine the poller can miss rounds and the flap can land
        // `fall` bad rounds in a row; then the state may move, but only so.
        try Self.expectEveryMoveEarned(flapped, "sh", fall: 3, rise: 5)

        // 6. gz stops reporting: unknown at once, down once the 4 s grace has passed.
        writer.silence("gz")
        rounds = try await HealthFeedClient.watch(server, timeout: .seconds(30)) {
            HealthFeedClient.state($0, "gz") == "down"
        }
        let gzStates = rounds.keys.sorted().map { HealthFeedClient.state(rounds[$0]!, "gz") }
        #expect(Self.runs(gzStates) == ["up", "unknown", "down"], "gz: \(gzStates)")
        let unknownRounds = gzStates.filter { $0 == "unknown" }.count
        #expect((3...6).contains(unknownRounds), "gz was unknown for \(unknownRounds) rounds of 1 s with a 4 s grace")
        let gzReasons = HealthFeedClient.center(rounds[rounds.keys.max()!]!, "gz")?["reasons"] as? [String] ?? []
        #expect(gzReasons.first?.contains("past the 4s grace") == true, "gz: \(gzReasons)")
        try await Self.expectAgreement(server, agentPort: agentPort, stream: stream)

        // 7. Every center bad: fail-open routes to all and says so.
        writer.set("bj", errorRatio: 0.5)
        writer.set("sh", errorRatio: 0.5)
        document = try await HealthFeedClient.settle(server, timeout: .seconds(20)) { $0["fail_open"] as? Bool == true }
        #expect(["bj", "sh", "gz"].allSatisfy { HealthFeedClient.state(document, $0) == "down" })
        #expect(["bj", "sh", "gz"].allSatisfy { HealthFeedClient.center(document, $0)?["routable"] as? Bool == true })
        #expect((document["fail_open_reason"] as? String)?.contains("fail-open") == true)
        let failOpenProbe = try await TestHTTP.get(server.baseURL + "/probe/sh")
        #expect(failOpenProbe.status == 200 && failOpenProbe.text.contains("fail-open"), "\(failOpenProbe.text)")
        try await Self.expectAgreement(server, agentPort: agentPort, stream: stream)

        // 8. Everyone recovers; then an override drains bj for 3 s and expires on time.
        writer.set("bj", errorRatio: 0.001)
        writer.set("sh", errorRatio: 0.001)
        writer.silence("gz", false)
        _ = try await HealthFeedClient.settle(server, timeout: .seconds(30)) { d in
            ["bj", "sh", "gz"].allSatisfy { HealthFeedClient.state(d, $0) == "up" }
        }
        let unauthorized = try await TestHTTP.send(
            "POST", server.baseURL + "/api/v1/overrides?target=bj&action=drain&ttl=3s&reason=x&by=test")
        #expect(unauthorized.status == 401)
        let set = try await TestHTTP.send(
            "POST", server.baseURL + "/api/v1/overrides",
            headers: ["Authorization": "Bearer secret-token", "Content-Type": "application/json"],
            body: Data(#"{"target":"bj","action":"drain","ttl":"3s","reason":"maintenance window","by":"alice"}"#.utf8))
        #expect(set.status == 200, "\(set.text)")
        let setAt = Date()
        document = try await HealthFeedClient.settle(server, timeout: .seconds(3)) {
            HealthFeedClient.state($0, "bj") == "drain"
        }
        #expect(Date().timeIntervalSince(setAt) < 1.5, "an override applies at once, not at the next tick")
        #expect(HealthFeedClient.weight(document, "bj") == 0)
        let bjCheckout = (HealthFeedClient.center(document, "bj")?["services"] as? [[String: Any]])?
            .first { $0["name"] as? String == "checkout" }
        #expect(bjCheckout?["state"] as? String == "drain", "a center's override covers its services")
        let drainProbe = try await TestHTTP.get(server.baseURL + "/probe/bj/checkout")
        #expect(drainProbe.status == 200 && drainProbe.text.hasPrefix("DRAIN"))
        #expect(try LineSocket.exchange(port: agentPort, send: "bj\n") == "drain\n")
        try await Self.expectAgreement(server, agentPort: agentPort, stream: stream)
        document = try await HealthFeedClient.settle(server, timeout: .seconds(8)) {
            HealthFeedClient.state($0, "bj") == "up"
        }
        let expiredAfter = Date().timeIntervalSince(setAt)
        #expect(expiredAfter >= 3 && expiredAfter < 5.5, "the 3 s override ended after \(expiredAfter) s")

        // 9. The audit log has it all, newest first.
        let events = try await TestHTTP.get(server.baseURL + "/api/v1/health/events?limit=500")
        let list =
            ((try events.json() as? [String: Any])?["data"] as? [String: Any])?["events"] as? [[String: Any]] ?? []
        let kinds = list.map {
            "\($0["kind"] as? String ?? "") \($0["target"] as? String ?? "") \($0["to"] as? String ?? "")"
        }
        for expected in [
            "state bj degraded", "state bj down", "state bj up", "state gz unknown", "state gz down",
            "override_set bj drain", "override_expired bj ", "state bj drain",
        ] {
            #expect(kinds.contains(expected), "no \"\(expected)\" in the audit log: \(kinds.prefix(40))")
        }
        let ids = list.compactMap { $0["id"] as? Int }
        #expect(ids == ids.sorted(by: >), "events are newest first")

        // 10. The scores are series in the store.
        let query = try await TestHTTP.get(
            server.baseURL + "/api/v1/query", [("query", #"meridian_health_state{center="bj",state="up"}"#)])
        #expect(query.text.contains(#""value":["#) && query.text.contains(#","1"]"#), "\(query.text.prefix(400))")
        let weights = try await TestHTTP.get(
            server.baseURL + "/api/v1/query", [("query", "sum(meridian_traffic_weight{service=\"\"})")])
        #expect(weights.text.contains(#","100"]"#), "center weights sum to 100: \(weights.text.prefix(300))")
    }

    // MARK: - Helpers

    static func region(_ document: [String: Any], _ name: String) -> [String: Any]? {
        (document["regions"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    /// `values` with repeats collapsed: [a, a, b, a] → [a, b, a].
    static func runs(_ values: [String]) -> [String] {
        values.reduce(into: []) { out, v in if out.last != v { out.append(v) } }
    }

    /// Checks that `center` moved from `from` to `to` in the round where
    /// `after` consecutive rounds had said `raw`, not one earlier.
    static func expectMoved(
        _ rounds: [Int: [String: Any]], _ center: String, to: String, raw: String, after: Int, from: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let ordered = rounds.keys.sorted()
        guard let moved = ordered.first(where: { HealthFeedClient.state(rounds[$0]!, center) == to }) else {
            throw TestFailure("\(center) never became \(to)")
        }
        let hysteresis = { (round: Int) in Self.hysteresis(rounds[round]!, center) }
        // The `after - 1` rounds before the move, as far as we saw them (a loaded
        // machine makes the poller miss some): each still `from`, its signals saying `raw`.
        let window = (moved - after + 1)..<moved
        let seen = window.filter { rounds[$0] != nil }
        let agreeing = seen.filter {
            HealthFeedClient.state(rounds[$0]!, center) == from && hysteresis($0)["raw_state"] as? String == raw
        }
        #expect(
            agreeing.count == seen.count && !seen.isEmpty,
            "\(center): of rounds \(window) before the move, \(seen.count) seen, \(agreeing.count) \(from) saying \(raw)",
            sourceLocation: sourceLocation)
        // The engine's own count in the round before the move: `after - 1` rounds so far.
        if rounds[moved - 1] != nil {
            let h = hysteresis(moved - 1)
            let streak = max(h["bad_streak"] as? Int ?? 0, h["good_streak"] as? Int ?? 0)
            #expect(streak == after - 1, "\(center): streak \(streak) in the round before the move", sourceLocation: sourceLocation)
        }
        if let before = rounds[moved - 1] {
            #expect(HealthFeedClient.state(before, center) == from, sourceLocation: sourceLocation)
        }
    }

    /// Makes `center`'s error ratio bad in every other round for `rounds`
    /// rounds; returns the documents of the rounds it saw.
    static func flap(
        _ server: ServerProcess, _ writer: HealthMetricsWriter, _ center: String, rounds count: Int
    ) async throws -> [Int: [String: Any]] {
        var seen: [Int: [String: Any]] = [:]
        var bad = false
        let deadline = ContinuousClock.now + .seconds(Double(count) * 3 + 10)
        while seen.count < count && ContinuousClock.now < deadline {
            let document = try await HealthFeedClient.document(server)
            let round = document["round"] as? Int ?? -1
            if seen[round] == nil {
                seen[round] = document
                bad.toggle()
                writer.set(center, errorRatio: bad ? 0.5 : 0.001)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        writer.set(center, errorRatio: 0.001)
        return seen
    }

    static func hysteresis(_ document: [String: Any], _ center: String) -> [String: Any] {
        HealthFeedClient.center(document, center)?["hysteresis"] as? [String: Any] ?? [:]
    }

    /// Checks every state change of `center` between consecutive rounds seen:
    /// the rounds before it that were seen said worse than the old state
    /// (`fall` of them) or better (`rise`), and the engine had counted
    /// `fall - 1` or `rise - 1` of them in the round before.
    static func expectEveryMoveEarned(
        _ rounds: [Int: [String: Any]], _ center: String, fall: Int, rise: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let rank = ["up": 0, "degraded": 1, "down": 2]
        for round in rounds.keys.sorted() {
            guard let previous = rounds[round - 1] else { continue }
            let from = HealthFeedClient.state(previous, center)
            let to = HealthFeedClient.state(rounds[round]!, center)
            guard from != to, let old = rank[from], let new = rank[to] else { continue }
            let needed = new > old ? fall : rise
            let window = (round - needed + 1)...round
            let contrary = window.filter { r in
                guard let document = rounds[r] else { return false }
                let raw = rank[hysteresis(document, center)["raw_state"] as? String ?? ""] ?? old
                return new > old ? raw <= old : raw >= old
            }
            #expect(
                contrary.isEmpty, "\(center) moved \(from) → \(to) in round \(round) though rounds \(contrary) disagreed",
                sourceLocation: sourceLocation)
            let streaks = hysteresis(previous, center)
            let streak = (new > old ? streaks["bad_streak"] : streaks["good_streak"]) as? Int ?? 0
            #expect(
                streak == needed - 1, "\(center): streak \(streak) in the round before its move to \(to)",
                sourceLocation: sourceLocation)
        }
    }

    /// The JSON document, the probes, the agent check and the newest SSE
    /// event give the same verdict for every center and service.
    static func expectAgreement(
        _ server: ServerProcess, agentPort: Int, stream: SSEReader, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        // Read at one version: retry if a round changed it in between.
        for _ in 0..<5 {
            let before = try await HealthFeedClient.document(server)
            var entities: [(name: String, entity: [String: Any])] = []
            for center in before["centers"] as? [[String: Any]] ?? [] {
                let name = center["name"] as! String
                entities.append((name, center))
                for service in center["services"] as? [[String: Any]] ?? [] {
                    entities.append(("\(name)/\(service["name"] as! String)", service))
                }
            }
            var probes: [String: (Int, String)] = [:]
            var agents: [String: String] = [:]
            for (name, _) in entities {
                let probe = try await TestHTTP.get(server.baseURL + "/probe/" + name)
                probes[name] = (probe.status, String(probe.text.prefix { $0 != " " && $0 != "\n" }))
                agents[name] = try LineSocket.exchange(port: agentPort, send: name + "\n")
            }
            let after = try await HealthFeedClient.document(server)
            guard before["version"] as? Int == after["version"] as? Int else { continue }
            // The stream delivers each version; wait for this one.
            let version = before["version"] as! Int
            var streamed: [String: Any]?
            for _ in 0..<50 {
                if let event = stream.events.withLock({ $0.last }), event.id == String(version),
                    let data = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
                {
                    streamed = data
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(
                streamed != nil, "the event stream did not deliver version \(version)", sourceLocation: sourceLocation)
            #expect(entities.count == 9, "3 centers and 2 services each", sourceLocation: sourceLocation)
            for (name, entity) in entities {
                let state = entity["state"] as! String
                let routable = entity["routable"] as! Bool
                let weight = entity["weight"] as! Int
                let expectedProbe: (Int, String) =
                    switch state {
                    case "up": (200, "UP")
                    case "drain": (200, "DRAIN")
                    case "degraded": (429, "DEGRADED")
                    default: routable ? (200, "UP") : (503, "DOWN")
                    }
                #expect(
                    probes[name]! == expectedProbe, "\(name) \(state): probe \(probes[name]!)",
                    sourceLocation: sourceLocation)
                let expectedAgent =
                    state == "drain" ? "drain\n" : routable ? "up ready \(weight)%\n" : nil
                if let expectedAgent {
                    #expect(
                        agents[name] == expectedAgent, "\(name) \(state): agent \(agents[name]!)",
                        sourceLocation: sourceLocation)
                } else {
                    #expect(
                        agents[name]!.hasPrefix("down ready #"), "\(name) \(state): agent \(agents[name]!)",
                        sourceLocation: sourceLocation)
                }
                if let streamed {
                    let names = name.split(separator: "/").map(String.init)
                    var match = HealthFeedClient.center(streamed, names[0])
                    if names.count == 2 {
                        match = (match?["services"] as? [[String: Any]])?.first { $0["name"] as? String == names[1] }
                    }
                    #expect(
                        match?["state"] as? String == state, "\(name): stream says \(match?["state"] ?? "nothing")",
                        sourceLocation: sourceLocation)
                    #expect(match?["weight"] as? Int == weight, sourceLocation: sourceLocation)
                }
            }
            return
        }
        throw TestFailure("the feed changed during every one of 5 attempts to compare its outputs")
    }
}
