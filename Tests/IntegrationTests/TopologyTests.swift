import Foundation
import MeridianModel
import RemoteWrite
import Synchronization
import Testing
import TestSupport

/// Real `meridian` processes on loopback: a center forwarding to a global
/// layer through kill -9 of the center, and a center refusing another
/// center's series (the global layer's outage is in ThreeCentersEndToEndTests).
@Suite(.serialized) struct TopologyTests: TopologySuite {
    /// Samples times start one hour ago, one round a second.
    static let start: Timestamp = (Int64(Date().timeIntervalSince1970) - 3600) * 1000

    @Test(.timeLimit(.minutes(5))) func killNineOfACenterResumesWithoutLossOrDuplicates() async throws {
        let dir = try TemporaryDirectory("topo-kill")
        defer { dir.remove() }
        let global = try Self.startGlobal(dir)
        var center = try Self.startCenter(dir, name: "sh", upstream: global)
        let centerPort = center.port
        defer {
            center.terminate()
            global.terminate()
        }
        try await global.waitUntilReady()
        try await center.waitUntilReady()
        let load = RemoteWriteLoad(series: 100)
        let stop = Atomic(false)
        let url = Mutex(center.baseURL)
        let writer = Task {
            await load.run(
                to: { url.withLock { $0 } }, rounds: 0..<100_000, start: Self.start, pause: .milliseconds(5),
                stop: { stop.load(ordering: .relaxed) })
        }
        for kill in 0..<2 {
            let before = load.requests.load(ordering: .relaxed)
            while load.requests.load(ordering: .relaxed) < before + 100 { try await Task.sleep(for: .milliseconds(20)) }
            let forwarded = try await Self.forwardStatus(center)
            #expect((forwarded["sentSamples"] as? Int ?? 0) > 0, "kill \(kill): the center was forwarding when killed")
            center.kill9()
            center = try Self.startCenter(dir, name: "sh", upstream: global, port: centerPort)
            try await center.waitUntilReady()
        }
        try await Task.sleep(for: .seconds(1))
        stop.store(true, ordering: .relaxed)
        _ = await writer.value
        _ = try await Self.waitUntilForwarded(center)
        let expected = load.expected(adding: ["center": "sh"])
        let stored = try await Self.export(global, #"{__name__="load_test_metric"}"#)
        Self.expectSame(stored, expected, "global after two kill -9 of the center")
        // The export holds one sample per timestamp, so also check that the
        // global layer counted resent samples as duplicates, not as new ones.
        let strictlyIncreasing = stored.values.allSatisfy { samples in zip(samples, samples.dropFirst()).allSatisfy { $0.t < $1.t } }
        #expect(strictlyIncreasing)
        // Each restart resent what was in flight since the last saved cursor:
        // the kills landed mid-stream, and the global layer took the resent
        // samples as the exact duplicates they are.
        let metrics = try await TestHTTP.get(global.baseURL + "/metrics")
        let duplicates = metrics.text.split(separator: "\n").first { $0.hasPrefix("meridian_samples_duplicate_total ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        #expect(duplicates > 0, "resent samples reached the global layer")
    }

    @Test(.timeLimit(.minutes(2))) func aSeriesClaimingAnotherCenterIsRefusedWithItsReason() async throws {
        let dir = try TemporaryDirectory("topo-foreign")
        defer { dir.remove() }
        let global = try Self.startGlobal(dir)
        let center = try Self.startCenter(dir, name: "bj", upstream: global)
        defer {
            center.terminate()
            global.terminate()
        }
        try await center.waitUntilReady()
        let t = Self.start
        let input: [(labels: Labels, samples: [Sample])] = [
            (Labels(["__name__": "foreign_test", "center": "sh", "job": "x"]), [Sample(t: t, v: 1)]),
            (Labels(["__name__": "foreign_test", "center": "bj", "job": "x"]), [Sample(t: t, v: 2)]),
            (Labels(["__name__": "foreign_test", "job": "y"]), [Sample(t: t, v: 3)]),
        ]
        let result = try await TestHTTP.send(
            "POST", center.baseURL + "/api/v1/write",
            headers: ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"],
            body: Data(RemoteWriteEncoder.snappyBody(input)))
        #expect(result.status == 400)
        #expect(result.text.contains(#"carries center="sh""#) && result.text.contains(#"center "bj""#), "\(result.text)")
        let stored = try await Self.export(center, #"{__name__="foreign_test"}"#)
        #expect(stored.keys.sorted { $0.description < $1.description } == [
            Labels(["__name__": "foreign_test", "center": "bj", "job": "x"]),
            Labels(["__name__": "foreign_test", "center": "bj", "job": "y"]),
        ])
        let metrics = try await TestHTTP.get(center.baseURL + "/metrics")
        #expect(metrics.text.contains(#"meridian_samples_rejected_total{reason="foreign_center"} 1"#))
    }
}
