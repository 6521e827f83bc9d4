import Foundation
import MeridianModel
import Synchronization
import Testing
import TestSupport

/// The topology end to end, with real processes on loopback: three center
/// receivers and one global layer; a real Prometheus 2.42 remote-writes into
/// center a, the test's own writers feed b and c. Through a 60 s outage of
/// the global layer, a kill -9 of center b, center c's senders stopping and
/// center a's link being cut, the global layer ends up holding exactly what
/// each center acknowledged.
@Suite(.serialized) struct ThreeCentersEndToEndTests: TopologySuite {
    static let interval: Duration = .seconds(1)

    static func startCenter(_ dir: TemporaryDirectory, _ name: String, upstreamPort: Int, port: Int? = nil) throws -> ServerProcess {
        let config = try writeConfig(
            dir, "center-\(name)",
            """
            server: {role: center}
            center: {name: \(name), heartbeat_interval: 500ms}
            forward: {upstreams: ["http://127.0.0.1:\(upstreamPort)/api/v1/write"], max_backoff: 1s}
            """)
        return try MeridianBinary.start(dataDir: dir.appending("center-\(name)"), port: port, extraArguments: ["--config", config])
    }

    /// Writes one request per interval to `center()`, stamped with the wall clock as a scrape is.
    static func writer(_ load: RemoteWriteLoad, to center: @escaping @Sendable () -> String, while on: WriterSwitch) -> Task<Void, Never> {
        Task {
            while on.isOn {
                let input = load.request(round: 0, start: Int64(Date().timeIntervalSince1970 * 1000))
                // A refused write (the center being restarted) is retried, as a sender does.
                while on.isOn, !(await load.send(input, to: center())) { try? await Task.sleep(for: .milliseconds(100)) }
                try? await Task.sleep(for: interval)
            }
        }
    }

    @Test(.timeLimit(.minutes(6))) func threeCentersThroughOutageCrashSilenceAndPartition() async throws {
        let dir = try TemporaryDirectory("three-centers")
        defer { dir.remove() }
        let globalConfig = try Self.writeConfig(
            dir, "global",
            "server: {role: global}\ncenters: {silent_after: 1500ms, lagging_after: 1500ms, link_timeout: 3s}\n"
                + Self.storeOnly)
        func startGlobal(port: Int? = nil) throws -> ServerProcess {
            try MeridianBinary.start(dataDir: dir.appending("global"), port: port, extraArguments: ["--config", globalConfig])
        }
        var global = try startGlobal()
        let globalPort = global.port
        // Center a reaches the global layer through a proxy the test can cut.
        let proxy = try TCPProxy(to: globalPort)
        let a = try Self.startCenter(dir, "a", upstreamPort: proxy.port)
        let bPort = try ServerProcess.freePort()
        let b = Mutex(try Self.startCenter(dir, "b", upstreamPort: globalPort, port: bPort))
        let c = try Self.startCenter(dir, "c", upstreamPort: globalPort)
        defer {
            proxy.stop()
            a.terminate()
            b.withLock { _ = $0.terminate() }
            c.terminate()
            global.terminate()
        }
        for process in [global, a, b.withLock { $0 }, c] { try await process.waitUntilReady() }

        // A real Prometheus scrapes itself every second and writes into center a.
        let promDir = dir.appending("prometheus")
        try FileManager.default.createDirectory(atPath: promDir, withIntermediateDirectories: true)
        let promPort = try ServerProcess.freePort()
        let prometheus = try PrometheusBinary.start(
            config: """
                global: {scrape_interval: 1s}
                scrape_configs:
                  - job_name: prometheus
                    static_configs: [{targets: ['127.0.0.1:\(promPort)']}]
                remote_write:
                  - url: \(a.baseURL)/api/v1/write
                    queue_config: {batch_send_deadline: 1s}
                """, directory: promDir, port: promPort)
        defer { prometheus.terminate() }

        let loads = ["b": RemoteWriteLoad(job: "b"), "c": RemoteWriteLoad(job: "c")]
        let on = ["b": WriterSwitch(), "c": WriterSwitch()]
        let bURL: @Sendable () -> String = { "http://127.0.0.1:\(bPort)" }
        let writers = [
            Self.writer(loads["b"]!, to: bURL, while: on["b"]!),
            Self.writer(loads["c"]!, to: { c.baseURL }, while: on["c"]!),
        ]
        for name in ["a", "b", "c"] { _ = try await Self.waitFor(global, center: name, state: "live", within: .seconds(30)).0 }

        // 1. The global layer is down for 60 s; every center keeps taking writes.
        #expect(global.terminate() == 0)
        let acknowledged = loads["b"]!.requests.load(ordering: .relaxed)
        try await Task.sleep(for: .seconds(60))
        // A request a second plus its own time: at least 40 in 60 s, even on a
        // loaded machine, says b never stalled while its upstream was down.
        #expect(loads["b"]!.requests.load(ordering: .relaxed) >= acknowledged + 40, "b kept acknowledging")
        let backlog = try await Self.forwardStatus(c)
        #expect((backlog["lagSeconds"] as? Double ?? 0) >= 55, "c's lag during the outage: \(backlog)")
        global = try startGlobal(port: globalPort)
        try await global.waitUntilReady()
        let drainStarted = ContinuousClock.now
        for center in [a, b.withLock { $0 }, c] {
            let drained = try await Self.waitUntilForwarded(center)
            #expect(drained["lagSeconds"] as? Double == 0 && drained["givenUpSamples"] as? Int == 0, "\(drained)")
        }
        print("three centers: 60 s of backlog drained in \(ContinuousClock.now - drainStarted)")

        // 2. kill -9 of center b while its writer and its forwarder are busy.
        b.withLock { $0.kill9() }
        let restarted = try Self.startCenter(dir, "b", upstreamPort: globalPort, port: bPort)
        b.withLock { $0 = restarted }
        try await restarted.waitUntilReady()
        try await Task.sleep(for: .seconds(3))

        // 3. Center c's senders stop: silent within two write intervals.
        on["c"]!.turnOff()
        let silentAfter = try await Self.waitFor(global, center: "c", state: "silent", within: .seconds(10)).0
        #expect(silentAfter <= Self.interval * 2 + .milliseconds(500), "c silent after \(silentAfter)")
        print("three centers: c reported silent \(silentAfter) after its senders stopped")

        // 4. Center a's link is cut: a link problem, never silent.
        proxy.block()
        _ = try await Self.waitFor(global, center: "a", state: "lagging", within: .seconds(15)).0
        for _ in 0..<10 {
            let state = try await Self.centers(global)["a"] ?? [:]
            #expect(state["state"] as? String == "lagging" && state["link"] as? String == "down", "\(state)")
            try await Task.sleep(for: .milliseconds(300))
        }
        proxy.unblock()
        _ = try await Self.waitFor(global, center: "a", state: "live", within: .seconds(30)).0

        // Stop every sender, let the centers drain, and compare everything.
        on["b"]!.turnOff()
        prometheus.terminate()
        for w in writers { await w.value }
        let centers = ["a": a, "b": b.withLock { $0 }, "c": c]
        for (name, center) in centers.sorted(by: { $0.key < $1.key }) {
            _ = try await Self.waitUntilForwarded(center)
            let local = try await Self.export(center, #"{center="\#(name)",__name__!~"meridian_center_.*"}"#)
            let upstream = try await Self.export(global, #"{center="\#(name)",__name__!~"meridian_center_.*"}"#)
            Self.expectSame(upstream, local, "global layer vs center \(name)")
            if let load = loads[name] {
                Self.expectSame(local, load.expected(adding: ["center": name]), "center \(name) vs its writer")
            } else {
                #expect(local.count > 100, "center a holds every series Prometheus scraped: \(local.count)")
            }
        }
    }
}
