import Foundation
import TestSupport
import Testing

/// The same scoring rules over a real Prometheus 2.42 (`scoring.query_url`)
/// and over Meridian's own store give the same verdicts: the same metrics
/// go to both, one Meridian scores its store, another scores Prometheus.
@Suite(.serialized) struct HealthQueryURLTests {
    @Test(.timeLimit(.minutes(4))) func prometheusAsQueryURLGivesTheSameStatesAsTheLocalStore() async throws {
        let dir = try TemporaryDirectory()
        let prometheus = try PrometheusBinary.start(
            config: "global:\n  scrape_interval: 1h\n", directory: dir.appending(""),
            extraArguments: ["--web.enable-remote-write-receiver"])
        defer { _ = prometheus.terminate() }
        try await prometheus.waitUntilReady()

        let local = try await HealthFeedClient.start(dir, HealthFeedClient.yaml(), name: "local")
        defer { _ = local.terminate() }
        let remote = try await HealthFeedClient.start(
            dir, HealthFeedClient.yaml(queryURL: prometheus.baseURL), name: "remote")
        defer { _ = remote.terminate() }

        let writer = HealthMetricsWriter(centers: ["bj", "sh", "gz"], services: ["checkout", "search"])
        let writing = Task { await writer.run(to: [local.baseURL, prometheus.baseURL]) }
        defer {
            writer.stop()
            writing.cancel()
        }

        let steps: [(String, () -> Void, [String: String])] = [
            ("all healthy", {}, ["bj": "up", "sh": "up", "gz": "up"]),
            ("bj degraded", { writer.set("bj", errorRatio: 0.03) }, ["bj": "degraded", "sh": "up", "gz": "up"]),
            (
                "bj down, sh slow",
                {
                    writer.set("bj", errorRatio: 0.31); writer.set("sh", latency: 1.8)
                },
                ["bj": "down", "sh": "degraded", "gz": "up"]
            ),
            ("gz silent", { writer.silence("gz") }, ["bj": "down", "sh": "degraded", "gz": "down"]),
        ]
        var compared = 0
        for (name, act, expected) in steps {
            act()
            let reached = { (d: [String: Any]) in expected.allSatisfy { HealthFeedClient.state(d, $0.key) == $0.value }
            }
            // Both settle, then stay put for two more rounds, so that both judge the same data.
            _ = try await HealthFeedClient.settle(local, timeout: .seconds(30), reached)
            _ = try await HealthFeedClient.settle(remote, timeout: .seconds(30), reached)
            try await Task.sleep(for: .seconds(2))
            let a = HealthQueryURLTests.verdicts(try await HealthFeedClient.document(local))
            let b = HealthQueryURLTests.verdicts(try await HealthFeedClient.document(remote))
            #expect(a.count == 9, "\(name): 3 centers and 6 services in the local feed: \(a.keys.sorted())")
            #expect(
                a == b, "\(name): local \(a.sorted { $0.key < $1.key }) vs Prometheus \(b.sorted { $0.key < $1.key })")
            compared += a.count
        }
        #expect(compared == 36)
    }

    /// Each entity's state, weight and health score (to 1e-9), by name.
    static func verdicts(_ document: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        func add(_ name: String, _ e: [String: Any]) {
            let health = (e["health_score"] as? Double).map { String(format: "%.9f", $0) } ?? "none"
            out[name] = "\(e["state"] as? String ?? "?") weight \(e["weight"] as? Int ?? -1) health \(health)"
        }
        for center in document["centers"] as? [[String: Any]] ?? [] {
            let name = center["name"] as? String ?? "?"
            add(name, center)
            for service in center["services"] as? [[String: Any]] ?? [] {
                add("\(name)/\(service["name"] as? String ?? "?")", service)
            }
        }
        return out
    }
}
