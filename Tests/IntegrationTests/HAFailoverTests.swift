import Foundation
import MeridianModel
import Testing
import TestSupport

/// Two real Prometheus 2.42 replicas (external label replica=r1 / r2) scrape
/// the same targets every second and remote-write through a center; the
/// elected one is killed with kill -9 mid-stream. The global layer must hold
/// one copy of every series, with no gap longer than two scrape intervals
/// and no counter going backwards across the failover.
@Suite(.serialized) struct HAFailoverTests {
    static func prometheusConfig(replica: String, port: Int, targets: [ServerProcess], center: ServerProcess) -> String {
        """
        global:
          scrape_interval: 1s
          external_labels: {replica: \(replica), cluster: c1}
        scrape_configs:
          - job_name: meridian
            static_configs:
              - targets: [\(targets.map { "'127.0.0.1:\($0.port)'" }.joined(separator: ", "))]
        remote_write:
          - url: \(center.baseURL)/api/v1/write
            queue_config:
              batch_send_deadline: 1s
        """
    }

    /// The replica whose samples are stored, from the center's metrics.
    static func elected(_ center: ServerProcess) async throws -> String? {
        let text = try await TestHTTP.get(center.baseURL + "/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix("meridian_ha_elected_replica{") {
            guard let value = line.split(separator: " ").last.flatMap({ Double($0) }), value == 1 else { continue }
            if let r = line.range(of: #"ha_replica=""#) {
                return String(line[r.upperBound...].prefix { $0 != "\"" })
            }
        }
        return nil
    }

    @Test(.timeLimit(.minutes(4))) func killingTheElectedReplicaLeavesNoGapAndNoFalseReset() async throws {
        let dir = try TemporaryDirectory("ha")
        defer { dir.remove() }
        let global = try MeridianBinary.start(dataDir: dir.appending("global"), extraArguments: ["--role", "global"])
        defer { global.terminate() }
        try await global.waitUntilReady()
        let centerConfig = dir.appending("center.yaml")
        try """
            server: {role: center}
            center: {name: ha}
            ha: {failover_timeout: 3s}
            forward: {upstreams: ["\(global.baseURL)/api/v1/write"]}
            """.write(toFile: centerConfig, atomically: true, encoding: .utf8)
        let center = try MeridianBinary.start(dataDir: dir.appending("center"), extraArguments: ["--config", centerConfig])
        defer { center.terminate() }
        try await center.waitUntilReady()

        var replicas: [String: ServerProcess] = [:]
        for name in ["r1", "r2"] {
            let promDir = dir.appending("prom-\(name)")
            try FileManager.default.createDirectory(atPath: promDir, withIntermediateDirectories: true)
            let port = try ServerProcess.freePort()
            replicas[name] = try PrometheusBinary.start(
                config: Self.prometheusConfig(replica: name, port: port, targets: [global, center], center: center),
                directory: promDir, port: port)
        }
        defer { for p in replicas.values { p.terminate() } }
        let started = Date()
        try await Task.sleep(for: .seconds(12))
        let first = try #require(try await Self.elected(center), "a replica is elected")
        let killedAt = Date()
        replicas[first]!.kill9()
        let other = first == "r1" ? "r2" : "r1"
        try await Task.sleep(for: .seconds(12))
        #expect(try await Self.elected(center) == other, "the other replica took over")
        let failovers = try await TestHTTP.get(center.baseURL + "/metrics").text
        #expect(failovers.contains(#"meridian_ha_failovers_total{center="ha",cluster="c1"} 1"#))
        replicas[other]!.terminate()
        let stoppedAt = Date()
        _ = try await TopologyTests.waitUntilForwarded(center)

        let stored = try await TopologyTests.export(global, #"{job="meridian"}"#)
        #expect(stored.count > 100, "every series Prometheus scraped from two Meridians: \(stored.count)")
        #expect(stored.keys.allSatisfy { $0["replica"] == nil && $0["center"] == "ha" && $0["cluster"] == "c1" })
        // The window around the failover, well inside both replicas' lives.
        let from = Int64((killedAt.timeIntervalSince1970 - 5) * 1000)
        let to = Int64((killedAt.timeIntervalSince1970 + 8) * 1000)
        var worstGap: Int64 = 0
        var resets = 0
        var worstSeries = ""
        for (labels, samples) in stored {
            let window = samples.filter { $0.t >= from && $0.t <= to }
            // A series that exists on both sides (a few appear only at times).
            guard window.count >= 8 else { continue }
            for (a, b) in zip(window, window.dropFirst()) {
                if b.t - a.t > worstGap {
                    worstGap = b.t - a.t
                    worstSeries = labels.description
                }
                if labels["__name__"]?.hasSuffix("_total") == true, b.v < a.v { resets += 1 }
            }
        }
        print("HA failover: longest gap across the failover \(worstGap) ms (\(worstSeries)); counter resets \(resets)")
        // Two scrape intervals, plus 100 ms for the jitter of scrape timestamps.
        #expect(worstGap <= 2_100, "longest gap \(worstGap) ms in \(worstSeries)")
        #expect(worstGap > 0)
        #expect(resets == 0)
        // One copy: `up` has one sample a second from its first to its last,
        // not two, and none missing (with 1 s of slack for scrape jitter; the
        // span, not the processes' lifetime, so a slow Prometheus start does
        // not count as a loss).
        let ups = stored.filter { $0.key["__name__"] == "up" }
        #expect(ups.count == 2)
        let lifetime = stoppedAt.timeIntervalSince(started)
        for (labels, samples) in ups {
            let span = Double((samples.last?.t ?? 0) - (samples.first?.t ?? 0)) / 1000
            #expect(span >= lifetime - 12, "\(labels): samples over \(span) s of a \(lifetime) s life")
            #expect(Double(samples.count) <= span + 2, "\(labels): \(samples.count) samples over \(span) s")
            #expect(Double(samples.count) >= span - 1, "\(labels): \(samples.count) samples over \(span) s")
        }
        // And PromQL agrees on two busy counters (one per target); an empty
        // result (no such series) fails the check.
        let at = String(killedAt.timeIntervalSince1970 + 8)
        let result = try await TestHTTP.get(
            global.baseURL + "/api/v1/query",
            [("query", #"sum(resets(meridian_remote_write_requests_total{job="meridian"}[13s]))"#), ("time", at)])
        #expect(result.text.contains(#""value":["#) && result.text.hasSuffix(#","0"]}]}}"#), "\(result.text)")
    }
}
