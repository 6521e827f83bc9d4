import Foundation
import Logging
import MeridianModel
import RemoteWrite
import Storage
import Testing
import TestSupport

/// Compaction in the real binary: a multi-block data set (with an overlapping
/// block) through flush, compaction and restart comes back exactly; and
/// kill -9 at random moments of a compaction never loses or duplicates a sample.
@Suite(.serialized) struct CompactionTests {
    static let hour: Int64 = 3_600_000
    /// Midnight UTC, so the data lines up with the 6 h and 24 h windows.
    static let base: Int64 = 1_700_000_000_000 / (24 * hour) * (24 * hour)

    private func write(_ server: ServerProcess, _ input: [(labels: Labels, samples: [Sample])]) async throws {
        let result = try await TestHTTP.send(
            "POST", server.baseURL + "/api/v1/write",
            headers: ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"],
            body: Data(RemoteWriteEncoder.snappyBody(input)))
        #expect(result.status == 204, "\(result.text)")
    }

    private func export(_ server: ServerProcess) async throws -> [Labels: [Sample]] {
        let result = try await TestHTTP.get(server.baseURL + "/api/v1/export", [("match[]", "compact_metric")])
        #expect(result.status == 200)
        return try ExportLines.parse(result.body)
    }

    private func post(_ server: ServerProcess, _ path: String) async throws -> String {
        let result = try await TestHTTP.send("POST", server.baseURL + path, timeout: 300)
        #expect(result.status == 200, "\(path): \(result.text)")
        return result.text
    }

    private func blockNames(_ data: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: data + "/blocks")) ?? []).filter { !$0.hasSuffix(".tmp") }
    }

    @Test(.timeLimit(.minutes(3))) func flushCompactAndRestartKeepEverySample() async throws {
        let dir = try TemporaryDirectory("compact-roundtrip")
        defer { dir.remove() }
        let data = dir.appending("data")
        var server = try MeridianBinary.start(dataDir: data)
        try await server.waitUntilReady()
        var rng = SplitMix64(seed: 9)
        let series = (0..<40).map { Labels(["__name__": "compact_metric", "i": "\($0)"]) }
        for start in stride(from: 0, to: 7 * 60, by: 60) {
            try await write(
                server,
                series.map { labels in
                    (labels, (start..<start + 60).map { Sample(t: Self.base + Int64($0) * 60_000, v: Double(rng.next() % 5000)) })
                })
        }
        _ = try await post(server, "/api/v1/admin/flush")
        #expect(blockNames(data).count == 4)
        // A late backlog for hours 2–4: a second block over a range that has one.
        try await write(
            server,
            series.prefix(10).map { labels in
                (labels, (120..<240).map { Sample(t: Self.base + Int64($0) * 60_000 + 7, v: -Double($0)) })
            })
        _ = try await post(server, "/api/v1/admin/flush")
        #expect(blockNames(data).count == 5)
        let before = try await export(server)
        let sampleCount = before.values.reduce(0) { $0 + $1.count }
        #expect(sampleCount == 40 * 7 * 60 + 10 * 120)

        let made = try await post(server, "/api/v1/admin/compact")
        #expect(made.components(separatedBy: #""id":"#).count - 1 == 2, "a vertical merge, then 6 h: \(made)")
        #expect(blockNames(data).count == 2)
        #expect(try await export(server) == before)
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics").text
        #expect(metrics.contains("meridian_compactions_total 2"), "\(metrics)")
        #expect(metrics.contains("meridian_blocks 2"))
        #expect(server.log().contains("compaction done"))

        #expect(server.terminate() == 0)
        server = try MeridianBinary.start(dataDir: data)
        defer { server.terminate() }
        try await server.waitUntilReady()
        #expect(try await export(server) == before)
    }

    /// 100 series over 26 hours at 1-minute steps, flushed into 13 two-hour
    /// blocks, written in-process (quicker than remote-write in a debug build).
    private func makeDataSet(_ path: String) throws -> [Labels: [Sample]] {
        let logger = Logger(label: "test")
        let store = try Store(dataDirectory: path, wal: nil, logger: logger)
        var rng = SplitMix64(seed: 31)
        let series = (0..<100).map { Labels(["__name__": "compact_metric", "i": "\($0)", "job": "j\($0 % 7)"]) }
        for minute in 0..<Int64(26 * 60) {
            _ = try store.head.append(
                .make(series.map { ($0, [Sample(t: Self.base + minute * 60_000, v: Double(rng.next() % 100_000) / 4)]) }))
        }
        try store.flush()
        return try contents(of: store)
    }

    private func contents(of store: Store) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for s in try store.select([], mint: .min, maxt: .max) { out[s.labels] = s.samples() }
        return out
    }

    /// Whether the blocks on disk hold exactly `expected`: no overlap between
    /// blocks and no more samples than expected (so none twice), and the same
    /// samples read back.
    private func checkBlocks(_ path: String, hold expected: [Labels: [Sample]], _ note: String) throws {
        let store = try Store(dataDirectory: path, wal: nil, logger: Logger(label: "test"))
        let blocks = store.blocks
        for (a, b) in zip(blocks, blocks.dropFirst()) {
            #expect(a.maxTime <= b.minTime, "\(note): blocks \(a.id) and \(b.id) overlap")
        }
        let stored = blocks.reduce(0) { $0 + $1.stats.samples }
        #expect(stored == expected.values.reduce(0) { $0 + $1.count }, "\(note)")
        #expect(try contents(of: store) == expected, "\(note)")
    }

    @Test(.timeLimit(.minutes(6))) func killNineDuringCompactionLosesAndDuplicatesNothing() async throws {
        let dir = try TemporaryDirectory("compact-crash")
        defer { dir.remove() }
        let seed = dir.appending("seed")
        let expected = try makeDataSet(seed)

        // A full run on a copy, to learn how long compaction takes here.
        let calibration = dir.appending("calibration")
        try FileManager.default.copyItem(atPath: seed, toPath: calibration)
        let server = try MeridianBinary.start(dataDir: calibration)
        try await server.waitUntilReady()
        let started = ContinuousClock.now
        _ = try await post(server, "/api/v1/admin/compact")
        let duration = ContinuousClock.now - started
        #expect(server.terminate() == 0)
        #expect(blockNames(calibration).count == 2)
        try checkBlocks(calibration, hold: expected, "after a whole compaction")

        var rng = SplitMix64(seed: 41)
        for attempt in 0..<5 {
            let data = dir.appending("attempt-\(attempt)")
            try FileManager.default.copyItem(atPath: seed, toPath: data)
            var server = try MeridianBinary.start(dataDir: data)
            try await server.waitUntilReady()
            let url = server.baseURL
            let request = Task { try? await TestHTTP.send("POST", url + "/api/v1/admin/compact", timeout: 300) }
            // Spread over the run: attempt i dies somewhere in its fifth of it.
            let delay = duration * ((Double(attempt) + Double(rng.next() % 1000) / 1000) / 5)
            try await Task.sleep(for: delay)
            server.kill9()
            _ = await request.value
            let note = "attempt \(attempt), killed after \(delay) of \(duration)"

            server = try MeridianBinary.start(dataDir: data)
            try await server.waitUntilReady()
            #expect(server.terminate() == 0, "\(note)")
            try checkBlocks(data, hold: expected, note)
            try FileManager.default.removeItem(atPath: data)
        }
    }
}
