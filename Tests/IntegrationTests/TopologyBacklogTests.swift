import Foundation
import MeridianModel
import RemoteWrite
import Synchronization
import TestSupport
import Testing

/// Real processes on loopback, the cases where a center's data meets a store
/// that is not in step with it: a backlog hours old arriving at a global layer
/// whose head and blocks other centers have already moved far ahead; a center
/// forwarding to a real VictoriaMetrics; a real Prometheus remote-writing into
/// a center that forwards to a global layer.
@Suite(.serialized) struct TopologyBacklogTests: TopologySuite {
    // MARK: - A 6 h backlog behind centers already in blocks

    /// The issue's case that breaks Thanos and Mimir: centers a and b have
    /// written 6 h and those hours are in blocks; then center c's 6 h backlog
    /// (a partition healing) arrives in time order, as c's forwarder replays
    /// it, while a and b go on writing live samples. Every sample must be
    /// accepted, served, and after compaction and a restart sit in blocks
    /// that do not overlap, each holding exactly the samples of its range.
    @Test(.timeLimit(.minutes(5))) func aSixHourBacklogIsAcceptedBehindCentersAlreadyInBlocks() async throws {
        let dir = try TemporaryDirectory("topo-backlog")
        defer { dir.remove() }
        var global = try Self.startGlobal(dir)
        defer { global.terminate() }
        try await global.waitUntilReady()
        let dataDir = dir.appending("global")

        // History: the 6 h ending at `end`, 720 scrapes, 18 requests a center;
        // live samples: one scrape of a and b per backlog request after that, up to now.
        let step: Int64 = 30_000
        let liveScrapes = 18
        let end = Int64(Date().timeIntervalSince1970 * 1000) / step * step - Int64(liveScrapes) * step
        let history = CenterHistory.times(last: 6 * 3_600_000, step: step, endingAt: end)
        let live = CenterHistory.times(
            last: Int64(liveScrapes) * step, step: step, endingAt: end + Int64(liveScrapes) * step)
        let (a, b, c) = (
            CenterHistory(center: "a", series: 100, times: history),
            CenterHistory(center: "b", series: 100, times: history),
            CenterHistory(center: "c", series: 100, times: history)
        )
        let (liveA, liveB) = (
            CenterHistory(center: "a", series: 100, times: live), CenterHistory(center: "b", series: 100, times: live)
        )

        // Centers a and b: their requests interleave, then everything goes into blocks.
        for request in 0..<a.requestCount {
            try await Self.write(a.request(request), to: global, "center a, request \(request)")
            try await Self.write(b.request(request), to: global, "center b, request \(request)")
        }
        // The global layer's own cuts wrote the older hours already; the flush writes the rest.
        let flushed = try await Self.blocks(from: TestHTTP.send("POST", global.baseURL + "/api/v1/admin/flush"))
        let written = try Self.blocksOnDisk(dataDir)
        #expect(!flushed.isEmpty && Set(flushed.map(\.id)).isSubset(of: written.map(\.id)), "\(flushed)")
        #expect(written.reduce(0) { $0 + $1.samples } == a.sampleCount + b.sampleCount, "\(written)")
        #expect(Set(written.map(\.minTime)).count >= 3, "6 h make a block per 2 h range: \(written)")

        // Center c's backlog over the same 6 h, oldest first, a forwarder's
        // requests back to back, while a and b write live samples ahead of
        // it and the global layer's own cuts run.
        #expect(c.requestCount == liveScrapes)
        for request in 0..<c.requestCount {
            try await Self.write(c.request(request), to: global, "center c's backlog, request \(request)")
            try await Self.write(liveA.scrape(request), to: global, "center a, live scrape \(request)")
            try await Self.write(liveB.scrape(request), to: global, "center b, live scrape \(request)")
            try await Task.sleep(for: .milliseconds(100))
        }
        var expected: [Labels: [Sample]] = c.expected
        for history in [a, liveA, b, liveB] {
            expected.merge(history.expected) { $0 + $1 }
        }
        Self.expectSame(try await Self.export(global, #"{job="backlog"}"#), expected, "after the backlog")

        _ = try await TestHTTP.send("POST", global.baseURL + "/api/v1/admin/flush")
        let compacted = try await TestHTTP.send("POST", global.baseURL + "/api/v1/admin/compact")
        #expect(compacted.status == 200, "\(compacted.text)")
        #expect(global.terminate() == 0)
        global = try Self.startGlobal(dir, port: global.port)
        try await global.waitUntilReady()
        Self.expectSame(try await Self.export(global, #"{job="backlog"}"#), expected, "after compaction and a restart")

        let blocks = try Self.blocksOnDisk(dataDir)
        for (earlier, later) in zip(blocks, blocks.dropFirst()) {
            #expect(earlier.maxTime <= later.minTime, "blocks overlap after compaction: \(earlier) and \(later)")
        }
        // Each block holds exactly the samples of its range: nothing left
        // out, nothing twice, nothing in a block of another range.
        for block in blocks {
            let inRange = expected.values.reduce(0) { sum, samples in
                sum + samples.count { $0.t >= block.minTime && $0.t < block.maxTime }
            }
            #expect(block.samples == inRange, "block \(block)")
        }
        #expect(blocks.reduce(0) { $0 + $1.samples } == expected.values.reduce(0) { $0 + $1.count })
        #expect(blocks.contains { $0.level > 1 }, "compaction merged blocks: \(blocks)")

        // PromQL sees every sample of c's backlog.
        let counts = try await Self.instantQuery(global, #"count_over_time({center="c",job="backlog"}[6h])"#, at: end)
        #expect(counts.count == c.expected.count)
        for (labels, samples) in c.expected {
            let key = Labels(labels.filter { $0.name != "__name__" })
            #expect(counts[key] == Double(samples.count), "count_over_time of \(labels)")
        }
        #expect(!global.log().contains("error"), "the global layer logged no error: \(global.log())")
    }

    // MARK: - A center forwarding to VictoriaMetrics

    /// An upstream is any remote-write receiver: a center forwards to a real
    /// VictoriaMetrics, which must end up with every acknowledged sample,
    /// with the center's label, exactly. (VictoriaMetrics stores values as
    /// decimals and rounds long ones — 1.79 gives back 0.7853981633974483 as
    /// 0.785398163 — so exact equality relies on the load's values, multiples
    /// of 1/64 under 15,625, which have at most 11 significant digits.)
    @Test(.timeLimit(.minutes(2))) func aCenterForwardsEverySampleToVictoriaMetrics() async throws {
        let dir = try TemporaryDirectory("topo-vm")
        defer { dir.remove() }
        let vmDir = dir.appending("victoria-metrics")
        try FileManager.default.createDirectory(atPath: vmDir, withIntermediateDirectories: true)
        let vm = try VictoriaMetricsBinary.start(directory: vmDir)
        let center = try Self.startCenter(dir, name: "vmc", upstreamURL: vm.baseURL + "/api/v1/write")
        defer {
            center.terminate()
            vm.terminate()
        }
        try await vm.waitUntilReady(path: "/health")
        try await center.waitUntilReady()

        let load = RemoteWriteLoad(name: "vm_forward_test", series: 50)
        let start = (Int64(Date().timeIntervalSince1970) - 3600) * 1000
        let rounds = await load.run(to: { center.baseURL }, rounds: 0..<100, start: start, pause: .milliseconds(10)) {
            false
        }
        #expect(rounds == 100 && load.failures.load(ordering: .relaxed) == 0, "the center acknowledged every round")
        let status = try await Self.waitUntilForwarded(center)
        #expect(status["givenUpSamples"] as? Int == 0 && status["droppedSamples"] as? Int == 0, "\(status)")
        // The writer's 5,000 samples, plus the center's heartbeats (a few every 5 s).
        let sent = status["sentSamples"] as? Int ?? 0
        #expect(sent >= 5_000 && sent <= 5_000 + 30, "\(status)")

        // VictoriaMetrics buffers new samples for a second or so before search sees them.
        let expected = load.expected(adding: ["center": "vmc"])
        var stored: [Labels: [Sample]] = [:]
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            _ = try await TestHTTP.get(vm.baseURL + "/internal/force_flush")
            let export = try await TestHTTP.get(
                vm.baseURL + "/api/v1/export", [("match[]", #"{__name__="vm_forward_test"}"#)])
            guard export.status == 200 else {
                throw TestFailure("VictoriaMetrics export: \(export.status) \(export.text)")
            }
            stored = try ExportLines.parse(export.body).mapValues { $0.sorted { $0.t < $1.t } }
            if stored == expected { break }
            try await Task.sleep(for: .milliseconds(500))
        } while ContinuousClock.now < deadline
        Self.expectSame(stored, expected, "VictoriaMetrics")
    }

    // MARK: - A real Prometheus writing into a center

    /// A real Prometheus 2.42 scrapes itself and the center every second and
    /// remote-writes to a center, which forwards to a global layer. Once
    /// Prometheus has stopped and the center's backlog has drained, the
    /// global layer holds every series the center holds, sample for sample.
    @Test(.timeLimit(.minutes(2))) func prometheusIntoACenterReachesTheGlobalLayerExactly() async throws {
        let dir = try TemporaryDirectory("topo-prom")
        defer { dir.remove() }
        let global = try Self.startGlobal(dir)
        let center = try Self.startCenter(dir, name: "prom", upstream: global)
        defer {
            center.terminate()
            global.terminate()
        }
        try await global.waitUntilReady()
        try await center.waitUntilReady()

        let promDir = dir.appending("prometheus")
        try FileManager.default.createDirectory(atPath: promDir, withIntermediateDirectories: true)
        let promPort = try ServerProcess.freePort()
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ['127.0.0.1:\(promPort)']
              - job_name: meridian-center
                static_configs:
                  - targets: ['127.0.0.1:\(center.port)']
            remote_write:
              - url: \(center.baseURL)/api/v1/write
                queue_config:
                  batch_send_deadline: 1s
            """
        let prometheus = try PrometheusBinary.start(config: config, directory: promDir, port: promPort)
        defer { prometheus.terminate() }
        try await prometheus.waitUntilReady()
        try await Task.sleep(for: .seconds(15))
        // SIGTERM: Prometheus sends what its queue holds, then exits.
        #expect(prometheus.terminate() == 0, "Prometheus stopped cleanly: \(prometheus.log())")
        let status = try await Self.waitUntilForwarded(center)
        #expect(status["givenUpSamples"] as? Int == 0 && status["droppedSamples"] as? Int == 0, "\(status)")

        let atCenter = try await Self.export(center, #"{center="prom"}"#)
        #expect(atCenter.count > 100, "Prometheus wrote many series: \(atCenter.count)")
        let jobs = Set(atCenter.keys.compactMap { $0["job"] })
        #expect(jobs == ["prometheus", "meridian-center"], "both scrape jobs reached the center: \(jobs)")
        let scrapes = atCenter.first { $0.key["__name__"] == "up" }?.value.count ?? 0
        #expect(scrapes >= 10, "about 15 scrapes of each target: \(scrapes)")
        Self.expectSame(try await Self.export(global, #"{center="prom"}"#), atCenter, "global layer")
        #expect(!center.log().contains("error"), "the center logged no error: \(center.log())")
    }

    /// Posts one remote-write body; anything but 204 fails with the reason.
    static func write(_ body: [UInt8], to server: ServerProcess, _ what: String) async throws {
        let result = try await TestHTTP.send(
            "POST", server.baseURL + "/api/v1/write",
            headers: ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"], body: Data(body))
        guard result.status == 204 else { throw TestFailure("\(what): \(result.status) \(result.text)") }
    }

    /// A block as `meta.json` and the admin endpoints describe it.
    struct BlockSummary: CustomStringConvertible {
        var id: String
        var minTime: Int64
        var maxTime: Int64
        var samples: Int
        var level: Int
        var description: String { "\(id) [\(minTime), \(maxTime)) \(samples) samples, level \(level)" }
    }

    /// The `blocks` of a flush response (a flush writes level-1 blocks only).
    static func blocks(from result: HTTPResult) throws -> [BlockSummary] {
        guard result.status == 200, let json = try result.json() as? [String: Any],
            let data = json["data"] as? [String: Any], let blocks = data["blocks"] as? [[String: Any]]
        else { throw TestFailure("bad block list \(result.status): \(result.text)") }
        return try blocks.map { b in
            guard let id = b["id"] as? String, let minTime = b["minTime"] as? Int, let maxTime = b["maxTime"] as? Int,
                let samples = b["samples"] as? Int
            else { throw TestFailure("bad block \(b)") }
            return BlockSummary(id: id, minTime: Int64(minTime), maxTime: Int64(maxTime), samples: samples, level: 1)
        }
    }

    /// Every block of `dataDir/blocks` as its `meta.json` says, by min time.
    static func blocksOnDisk(_ dataDir: String) throws -> [BlockSummary] {
        let parent = (dataDir as NSString).appendingPathComponent("blocks")
        return try FileManager.default.contentsOfDirectory(atPath: parent).filter { !$0.hasSuffix(".tmp") }.map {
            name in
            let path = (parent as NSString).appendingPathComponent("\(name)/meta.json")
            guard
                let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
                    as? [String: Any],
                let minTime = meta["minTime"] as? Int, let maxTime = meta["maxTime"] as? Int,
                let stats = meta["stats"] as? [String: Any], let samples = stats["samples"] as? Int,
                let compaction = meta["compaction"] as? [String: Any], let level = compaction["level"] as? Int
            else { throw TestFailure("unreadable \(path)") }
            return BlockSummary(
                id: name, minTime: Int64(minTime), maxTime: Int64(maxTime), samples: samples, level: level)
        }.sorted { ($0.minTime, $0.id) < ($1.minTime, $1.id) }
    }

    /// An instant vector query at `time` (ms): each result's labels and value.
    static func instantQuery(_ server: ServerProcess, _ query: String, at time: Int64) async throws -> [Labels: Double]
    {
        let result = try await TestHTTP.get(
            server.baseURL + "/api/v1/query", [("query", query), ("time", String(Double(time) / 1000))])
        guard result.status == 200, let json = try result.json() as? [String: Any],
            let data = json["data"] as? [String: Any],
            let series = data["result"] as? [[String: Any]]
        else { throw TestFailure("query \(query): \(result.status) \(result.text)") }
        var out: [Labels: Double] = [:]
        for s in series {
            guard let metric = s["metric"] as? [String: String], let value = s["value"] as? [Any], value.count == 2,
                let text = value[1] as? String, let v = Double(text)
            else { throw TestFailure("query \(query): bad result \(s)") }
            out[Labels(metric)] = v
        }
        return out
    }
}

/// One center's samples as its forwarder would replay them: `series`
/// series (half counters, half gauges with full-precision values) scraped at
/// `times`; a request carries the scrapes of several consecutive instants,
/// each encoded on its own and concatenated, as a center's sender packs
/// forward-log records into one request.
struct CenterHistory {
    let center: String
    let labels: [Labels]
    let times: [Timestamp]
    /// Scrapes per request: 40 of 100 series, 4,000 samples (a sender's limit is 5,000).
    static let scrapesPerRequest = 40

    init(center: String, series: Int, times: [Timestamp]) {
        self.center = center
        labels = (0..<series).map { i in
            Labels([
                "__name__": i % 2 == 0 ? "backlog_requests_total" : "backlog_latency_seconds", "center": center,
                "job": "backlog", "instance": "host-\(i)",
            ])
        }
        self.times = times
    }

    /// One time every `step` over the `span` ending at `end` (`end` included, `end - span` not).
    static func times(last span: Int64, step: Int64, endingAt end: Timestamp) -> [Timestamp] {
        (1...span / step).map { end - span + $0 * step }
    }

    var sampleCount: Int { labels.count * times.count }
    var requestCount: Int { (times.count + Self.scrapesPerRequest - 1) / Self.scrapesPerRequest }

    /// The value of series `i` at `t`: a counter rising with time, or a gauge
    /// whose every mantissa bit is used.
    func value(series i: Int, at t: Timestamp) -> Double {
        if i % 2 == 0 { return Double(t / 1000) * Double(i + 1) }
        var rng = SplitMix64(seed: UInt64(t) &* 31 ^ UInt64(i) << 48 ^ UInt64(center.utf8.first ?? 0) << 56)
        return Double(rng.next() >> 11) / Double(UInt64(1) << 53) * 2.5
    }

    /// The snappy body of request `n`: scrapes `n * scrapesPerRequest` on.
    func request(_ n: Int) -> [UInt8] {
        body(scrapes: n * Self.scrapesPerRequest..<min((n + 1) * Self.scrapesPerRequest, times.count))
    }

    /// The snappy body of scrape `j` alone, as a live sender sends it.
    func scrape(_ j: Int) -> [UInt8] { body(scrapes: j..<j + 1) }

    private func body(scrapes: Range<Int>) -> [UInt8] {
        var body: [UInt8] = []
        for t in times[scrapes] {
            body += RemoteWriteEncoder.encode(
                labels.indices.map { i in (labels[i], [Sample(t: t, v: value(series: i, at: t))]) })
        }
        return Snappy.compress(body)
    }

    /// Every sample, by series.
    var expected: [Labels: [Sample]] {
        Dictionary(
            uniqueKeysWithValues: labels.indices.map { i in
                (labels[i], times.map { Sample(t: $0, v: value(series: i, at: $0)) })
            })
    }
}
