import Foundation
import TestSupport
import Testing

/// The health feed on a global layer fed by a center receiver: a cut link in
/// front of a healthy center is told apart from a center that stopped
/// sending, and the audit log and overrides outlive a restart.
@Suite(.serialized) struct HealthTopologyTests: TopologySuite {
    @Test(.timeLimit(.minutes(4))) func aCutLinkIsNotAFailingCenterAndOverridesSurviveARestart() async throws {
        let dir = try TemporaryDirectory()
        let globalPort = try ServerProcess.freePort()
        let globalConfig = try Self.writeConfig(
            dir, "global",
            "server: {role: global}\n"
                + HealthFeedClient.yaml(extra: "centers: {silent_after: 2s, lagging_after: 2s, link_timeout: 2s}"))
        var global = try MeridianBinary.start(
            dataDir: dir.appending("global"), port: globalPort, extraArguments: ["--config", globalConfig])
        defer { _ = global.terminate() }
        try await global.waitUntilReady()
        let proxy = try TCPProxy(to: globalPort)
        defer { proxy.stop() }
        let centerConfig = try Self.writeConfig(
            dir, "bj",
            """
            server: {role: center}
            center: {name: bj, heartbeat_interval: 500ms}
            forward: {upstreams: ["http://127.0.0.1:\(proxy.port)/api/v1/write"], max_backoff: 500ms}
            """)
        let bj = try MeridianBinary.start(dataDir: dir.appending("bj"), extraArguments: ["--config", centerConfig])
        defer { _ = bj.terminate() }
        try await bj.waitUntilReady()

        // bj through its receiver and the proxy; sh and gz straight to the global layer.
        let viaCenter = HealthMetricsWriter(centers: ["bj"], services: ["checkout", "search"])
        let direct = HealthMetricsWriter(centers: ["sh", "gz"], services: ["checkout", "search"])
        let (centerURL, globalURL) = (bj.baseURL, global.baseURL)
        let writers = [
            Task { await viaCenter.run(to: [centerURL]) }, Task { await direct.run(to: [globalURL]) },
        ]
        defer {
            viaCenter.stop()
            direct.stop()
            for w in writers { w.cancel() }
        }
        _ = try await HealthFeedClient.settle(global, timeout: .seconds(30)) { d in
            ["bj", "sh", "gz"].allSatisfy { HealthFeedClient.state(d, $0) == "up" }
        }

        // The link is cut: bj is unknown, the reason names the link and bj's healthy last state; then down.
        proxy.block()
        var document = try await HealthFeedClient.settle(global, timeout: .seconds(15)) {
            HealthFeedClient.state($0, "bj") == "unknown"
        }
        var reasons = HealthFeedClient.center(document, "bj")?["reasons"] as? [String] ?? []
        #expect(reasons.first?.contains("link to this layer is down") == true, "bj: \(reasons)")
        #expect(reasons.contains("last known state up before its data stopped"), "bj: \(reasons)")
        #expect(HealthFeedClient.center(document, "bj")?["routable"] as? Bool == true, "routed during the grace")
        document = try await HealthFeedClient.settle(global, timeout: .seconds(15)) {
            HealthFeedClient.state($0, "bj") == "down"
        }
        reasons = HealthFeedClient.center(document, "bj")?["reasons"] as? [String] ?? []
        #expect(reasons.first?.contains("link to this layer is down") == true, "bj: \(reasons)")
        #expect(HealthFeedClient.state(document, "sh") == "up" && HealthFeedClient.state(document, "gz") == "up")

        // The link heals: the backlog arrives, bj is fresh again and comes back after `rise` rounds.
        proxy.unblock()
        _ = try await HealthFeedClient.settle(global, timeout: .seconds(30)) {
            HealthFeedClient.state($0, "bj") == "up"
        }

        // bj's own senders stop while its receiver still beats: not the link this time.
        viaCenter.silence("bj")
        document = try await HealthFeedClient.settle(global, timeout: .seconds(15)) {
            HealthFeedClient.state($0, "bj") == "unknown"
        }
        reasons = HealthFeedClient.center(document, "bj")?["reasons"] as? [String] ?? []
        #expect(reasons.first?.hasPrefix("no new data from the center") == true, "bj: \(reasons)")
        viaCenter.silence("bj", false)
        _ = try await HealthFeedClient.settle(global, timeout: .seconds(30)) {
            HealthFeedClient.state($0, "bj") == "up"
        }

        // An override and the audit log outlive a restart of the global layer.
        let set = try await TestHTTP.send(
            "POST", global.baseURL + "/api/v1/overrides?target=gz&action=drain&ttl=10m&reason=migration&by=ops",
            headers: ["Authorization": "Bearer secret-token"])
        #expect(set.status == 200, "\(set.text)")
        _ = try await HealthFeedClient.settle(global, timeout: .seconds(5)) {
            HealthFeedClient.state($0, "gz") == "drain"
        }
        let eventsBefore = try await Self.events(global)
        #expect(global.terminate() == 0)
        global = try MeridianBinary.start(
            dataDir: dir.appending("global"), port: globalPort, extraArguments: ["--config", globalConfig])
        try await global.waitUntilReady()
        let overrides = try await TestHTTP.get(global.baseURL + "/api/v1/overrides")
        #expect(
            overrides.text.contains(#""target":"gz","action":"drain","reason":"migration","by":"ops""#),
            "\(overrides.text)")
        _ = try await HealthFeedClient.settle(global, timeout: .seconds(15)) {
            HealthFeedClient.state($0, "gz") == "drain"
        }
        let eventsAfter = try await Self.events(global)
        #expect(eventsBefore.count >= 8, "state changes and the override were logged: \(eventsBefore.count)")
        #expect(
            Array(eventsAfter.suffix(eventsBefore.count)) == eventsBefore, "the log before the restart is kept whole")
    }

    /// The audit log, newest first, as "id kind target to".
    static func events(_ server: ServerProcess) async throws -> [String] {
        let result = try await TestHTTP.get(server.baseURL + "/api/v1/health/events?limit=1000")
        let list =
            (((try result.json()) as? [String: Any])?["data"] as? [String: Any])?["events"] as? [[String: Any]] ?? []
        return list.map { "\($0["id"] ?? "") \($0["kind"] ?? "") \($0["target"] ?? "") \($0["to"] ?? "")" }
    }
}
