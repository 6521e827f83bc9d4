import Foundation
import MeridianModel
import RemoteWrite
import Testing
import TestSupport

/// Data that goes through flush into blocks, restarts and crashes mid-flush
/// comes back from /api/v1/export exactly as it went in.
@Suite(.serialized) struct BlockPersistenceTests {
    static let hour: Int64 = 3_600_000
    static let base: Int64 = 1_700_000_000_000 / hour * hour

    /// 60 series over 7 hours at 1-minute steps, in requests of 30 minutes.
    private func load(_ server: ServerProcess, seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let series = (0..<60).map { Labels(["__name__": "persist_metric", "i": "\($0)", "job": "j\($0 % 3)"]) }
        for start in stride(from: 0, to: 7 * 60, by: 30) {
            let input = series.map { labels -> (labels: Labels, samples: [Sample]) in
                let samples = (start..<start + 30).map { minute -> Sample in
                    let v = rng.next() % 97 == 0 ? StaleMarker.value : Double(rng.next() % 100_000) / 16
                    return Sample(t: Self.base + Int64(minute) * 60_000, v: v)
                }
                return (labels, samples)
            }
            let result = try await TestHTTP.send(
                "POST", server.baseURL + "/api/v1/write",
                headers: ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"],
                body: Data(RemoteWriteEncoder.snappyBody(input)))
            #expect(result.status == 204)
        }
    }

    private func export(_ server: ServerProcess) async throws -> [Labels: [Sample]] {
        let result = try await TestHTTP.get(server.baseURL + "/api/v1/export", [("match[]", "persist_metric")])
        #expect(result.status == 200)
        return try ExportLines.parse(result.body)
    }

    private func blockCount(_ data: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: data + "/blocks")) ?? []).filter { !$0.hasSuffix(".tmp") }.count
    }

    @Test(.timeLimit(.minutes(3))) func flushAndRestartKeepEverySample() async throws {
        let dir = try TemporaryDirectory("persist")
        defer { dir.remove() }
        let data = dir.appending("data")
        var server = try MeridianBinary.start(dataDir: data)
        try await server.waitUntilReady()
        try await load(server, seed: 5)
        let before = try await export(server)
        #expect(before.count == 60)
        #expect(before.values.allSatisfy { $0.count == 7 * 60 })

        let flush = try await TestHTTP.send("POST", server.baseURL + "/api/v1/admin/flush")
        #expect(flush.status == 200)
        #expect(flush.text.contains(#""blocks":[{"id":"#))
        #expect(blockCount(data) == 4)
        #expect(try await export(server) == before)

        #expect(server.terminate() == 0)
        server = try MeridianBinary.start(dataDir: data)
        defer { server.terminate() }
        try await server.waitUntilReady()
        #expect(try await export(server) == before)
        #expect(server.log().contains("opened blocks"))
    }

    @Test(.timeLimit(.minutes(5))) func killNineDuringFlushLosesNothing() async throws {
        let dir = try TemporaryDirectory("persist-crash")
        defer { dir.remove() }
        let data = dir.appending("data")
        var server = try MeridianBinary.start(dataDir: data)
        try await server.waitUntilReady()
        try await load(server, seed: 6)
        let before = try await export(server)
        var rng = SplitMix64(seed: 77)
        for attempt in 0..<4 {
            let url = server.baseURL
            let flush = Task { try? await TestHTTP.send("POST", url + "/api/v1/admin/flush") }
            try await Task.sleep(for: .milliseconds(Int(rng.next() % 40) * attempt))
            server.kill9()
            _ = await flush.value
            server = try MeridianBinary.start(dataDir: data)
            try await server.waitUntilReady()
            #expect(try await export(server) == before, "attempt \(attempt): export after a crash during flush")
        }
        server.terminate()
    }
}
