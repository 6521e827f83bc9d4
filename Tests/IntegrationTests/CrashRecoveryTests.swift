import Foundation
import MeridianModel
import RemoteWrite
import Synchronization
import Testing
import TestSupport

/// kill -9 in the middle of a stream of writes, restart, and check that every
/// sample that got a 2xx is served by /api/v1/export, bit for bit.
@Suite(.serialized) struct CrashRecoveryTests {
    /// What the writer has had acknowledged.
    final class Acknowledged: Sendable {
        let samples = Mutex<[Labels: [Sample]]>([:])
        let requests = Atomic(0)
        func add(_ input: [(labels: Labels, samples: [Sample])]) {
            samples.withLock { all in for (l, s) in input { all[l, default: []].append(contentsOf: s) } }
            requests.add(1, ordering: .relaxed)
        }
    }

    private static func request(round: Int, _ rng: inout SplitMix64) -> [(labels: Labels, samples: [Sample])] {
        (0..<40).map { i in
            let v: Double
            switch rng.next() % 20 {
            case 0: v = StaleMarker.value
            case 1: v = .nan
            case 2: v = .infinity
            default: v = Double(Int64(bitPattern: rng.next()) % 1_000_000) / 64
            }
            let labels = Labels(["__name__": "crash_test_metric", "series": "\(i)", "job": "crash"])
            return (labels, [Sample(t: 1_700_000_000_000 + Int64(round) * 1000 + Int64(i), v: v)])
        }
    }

    /// Sends requests until one fails (the server was killed) or `limit` is reached.
    private static func writeUntilFailure(
        url: String, from round: Int, limit: Int, seed: UInt64, acked: Acknowledged
    ) async -> Int {
        var rng = SplitMix64(seed: seed)
        var next = round
        while next < round + limit {
            let input = request(round: next, &rng)
            guard
                let result = try? await TestHTTP.send(
                    "POST", url + "/api/v1/write",
                    headers: ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"],
                    body: Data(RemoteWriteEncoder.snappyBody(input)), timeout: 10)
            else { break }
            if result.status == 204 { acked.add(input) }
            next += 1
        }
        return next
    }

    @Test(.timeLimit(.minutes(5))) func killNineLosesNoAcknowledgedSample() async throws {
        let dir = try TemporaryDirectory("crash")
        defer { dir.remove() }
        let data = dir.appending("data")
        let acked = Acknowledged()
        var round = 0
        for attempt in 0..<4 {
            let server = try MeridianBinary.start(dataDir: data)
            try await server.waitUntilReady()
            let url = server.baseURL
            let start = round
            let writer = Task { await Self.writeUntilFailure(url: url, from: start, limit: 100_000, seed: UInt64(attempt), acked: acked) }
            // Let some requests through (however loaded the machine is), then
            // crash it mid-stream after a further moment that varies by attempt.
            let before = acked.requests.load(ordering: .relaxed)
            let deadline = ContinuousClock.now + .seconds(60)
            while acked.requests.load(ordering: .relaxed) < before + 20 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await Task.sleep(for: .milliseconds(100 + attempt * 200))
            server.kill9()
            round = await writer.value
            #expect(round > start, "attempt \(attempt): some writes went through before the kill")
        }
        let server = try MeridianBinary.start(dataDir: data)
        defer { server.terminate() }
        try await server.waitUntilReady()
        let export = try await TestHTTP.get(server.baseURL + "/api/v1/export", [("match[]", "crash_test_metric")])
        #expect(export.status == 200)
        let stored = try ExportLines.parse(export.body)
        let expected = acked.samples.withLock { $0 }
        #expect(!expected.isEmpty)
        for (labels, samples) in expected {
            let have = Dictionary(stored[labels, default: []].map { ($0.t, $0.v.bitPattern) }, uniquingKeysWith: { a, _ in a })
            let missing = samples.filter { have[$0.t] != $0.v.bitPattern }
            #expect(missing.count == 0, "\(labels): \(missing.count) acknowledged samples lost, first \(missing.first.map { "\($0)" } ?? "")")
        }
    }

    @Test(.timeLimit(.minutes(2))) func gracefulRestartKeepsEverything() async throws {
        let dir = try TemporaryDirectory("restart")
        defer { dir.remove() }
        let data = dir.appending("data")
        let acked = Acknowledged()
        var server = try MeridianBinary.start(dataDir: data)
        try await server.waitUntilReady()
        _ = await Self.writeUntilFailure(url: server.baseURL, from: 0, limit: 50, seed: 99, acked: acked)
        #expect(server.terminate() == 0, "SIGTERM shuts down cleanly")
        #expect(server.log().contains("WAL closed"))
        server = try MeridianBinary.start(dataDir: data)
        defer { server.terminate() }
        try await server.waitUntilReady()
        let export = try await TestHTTP.get(server.baseURL + "/api/v1/export", [("match[]", "crash_test_metric")])
        let stored = try ExportLines.parse(export.body)
        let expected = acked.samples.withLock { $0 }
        #expect(stored.count == 40)
        for (labels, samples) in expected {
            #expect(stored[labels]?.map(\.t) == samples.map(\.t))
            #expect(stored[labels]?.map(\.v.bitPattern) == samples.map(\.v.bitPattern))
        }
    }
}
