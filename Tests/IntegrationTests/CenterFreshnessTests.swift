import Foundation
import MeridianModel
import Synchronization
import Testing
import TestSupport

/// The global layer's `/api/v1/centers` against real processes: a center
/// whose senders stop is `silent` within two write intervals, while a center
/// cut off by a partition is reported as a link problem (`lagging`, link
/// down), never as silent, and comes back `live` with nothing lost.
@Suite(.serialized) struct CenterFreshnessTests: TopologySuite {
    /// The writer's pace: one request per center per interval, as a scrape would.
    static let interval: Duration = .seconds(1)

    @Test(.timeLimit(.minutes(3))) func stoppedSendersAreSilentAndAPartitionIsALinkProblem() async throws {
        let dir = try TemporaryDirectory("freshness")
        defer { dir.remove() }
        // Silent after 1.5 write intervals: the test asserts it is seen within two.
        let globalConfig = try Self.writeConfig(
            dir, "global", "server: {role: global}\ncenters: {silent_after: 1500ms, lagging_after: 1500ms, link_timeout: 3s}\n")
        let global = try MeridianBinary.start(dataDir: dir.appending("global"), extraArguments: ["--config", globalConfig])
        defer { global.terminate() }
        try await global.waitUntilReady()
        let proxy = try TCPProxy(to: global.port)
        defer { proxy.stop() }
        var centers: [String: ServerProcess] = [:]
        for name in ["a", "b"] {
            let config = try Self.writeConfig(
                dir, name,
                """
                server: {role: center}
                center: {name: \(name), heartbeat_interval: 500ms}
                forward: {upstreams: ["http://127.0.0.1:\(proxy.port)/api/v1/write"], max_backoff: 500ms}
                """)
            centers[name] = try MeridianBinary.start(dataDir: dir.appending(name), extraArguments: ["--config", config])
        }
        defer { for c in centers.values { c.terminate() } }
        for c in centers.values { try await c.waitUntilReady() }

        let loads = ["a": RemoteWriteLoad(job: "a"), "b": RemoteWriteLoad(job: "b")]
        let writing = ["a": WriterSwitch(), "b": WriterSwitch()]
        var writers: [Task<Int, Never>] = []
        for name in ["a", "b"] {
            let center = centers[name]!, load = loads[name]!, flag = writing[name]!
            writers.append(Task {
                var round = 0
                while flag.isOn {
                    // One round per interval, stamped with the wall clock, as a scrape is.
                    let now = Int64(Date().timeIntervalSince1970 * 1000)
                    if await load.send(load.request(round: 0, start: now), to: center.baseURL) { round += 1 }
                    try? await Task.sleep(for: Self.interval)
                }
                return round
            })
        }
        _ = try await Self.waitFor(global, center: "a", state: "live", within: .seconds(20))
        _ = try await Self.waitFor(global, center: "b", state: "live", within: .seconds(20))

        // Center a's senders stop: its receiver is still reachable.
        writing["a"]!.turnOff()
        let (took, silent) = try await Self.waitFor(global, center: "a", state: "silent", within: .seconds(10))
        #expect(took <= Self.interval * 2 + .milliseconds(500), "silent after \(took) (two intervals: \(Self.interval * 2))")
        #expect(silent["link"] as? String == "up", "\(silent)")
        #expect((silent["reason"] as? String ?? "").contains("senders stopped"), "\(silent)")
        print("center a reported silent \(took) after its senders stopped")

        // The link is cut: nothing from b (or a) reaches the global layer.
        proxy.block()
        let (_, cut) = try await Self.waitFor(global, center: "b", state: "lagging", within: .seconds(15))
        #expect(cut["link"] as? String == "down", "\(cut)")
        #expect((cut["reason"] as? String ?? "").contains("link"), "\(cut)")
        // Never silent while cut off, for a few more seconds.
        for _ in 0..<10 {
            let b = try await Self.centers(global)["b"] ?? [:]
            #expect(b["state"] as? String == "lagging" && b["link"] as? String == "down", "\(b)")
            try await Task.sleep(for: .milliseconds(300))
        }
        let queued = try await Self.forwardStatus(centers["b"]!)
        #expect((queued["pendingSamples"] as? Int ?? 0) > 0, "b queues its data while cut off: \(queued)")

        proxy.unblock()
        _ = try await Self.waitFor(global, center: "b", state: "live", within: .seconds(30))
        writing["b"]!.turnOff()
        for w in writers { _ = await w.value }
        _ = try await Self.waitUntilForwarded(centers["b"]!)
        let stored = try await Self.export(global, #"{__name__="load_test_metric",center="b"}"#)
        Self.expectSame(stored, loads["b"]!.expected(adding: ["center": "b"]), "center b after the partition")
    }
}
