import Foundation
import MeridianModel
import RemoteWrite
import Synchronization

/// A remote-write sender for tests that keeps what the receiver
/// acknowledged (2xx), to compare with what a store serves afterwards.
public final class RemoteWriteLoad: Sendable {
    public let acknowledged = Mutex<[Labels: [Sample]]>([:])
    public let requests = Atomic(0)
    public let failures = Atomic(0)
    /// The series of each request: `series` series of metric `name`, one sample each.
    let name: String
    let series: Int
    let job: String

    public init(name: String = "load_test_metric", series: Int = 40, job: String = "load") {
        self.name = name
        self.series = series
        self.job = job
    }

    /// The request of round `round`: one sample per series at `start + round` seconds.
    public func request(round: Int, start: Timestamp) -> [(labels: Labels, samples: [Sample])] {
        var rng = SplitMix64(seed: UInt64(round))
        return (0..<series).map { i in
            let labels = Labels(["__name__": name, "series": "\(i)", "job": job])
            let v = Double(Int64(bitPattern: rng.next()) % 1_000_000) / 64
            return (labels, [Sample(t: start + Int64(round) * 1000, v: v)])
        }
    }

    /// Sends one request; true when acknowledged.
    @discardableResult
    public func send(_ input: [(labels: Labels, samples: [Sample])], to baseURL: String) async -> Bool {
        guard
            let result = try? await TestHTTP.send(
                "POST", baseURL + "/api/v1/write",
                headers: ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"],
                body: Data(RemoteWriteEncoder.snappyBody(input)), timeout: 10),
            result.status == 204
        else {
            failures.add(1, ordering: .relaxed)
            return false
        }
        acknowledged.withLock { all in for (l, s) in input { all[l, default: []].append(contentsOf: s) } }
        requests.add(1, ordering: .relaxed)
        return true
    }

    /// Sends rounds `from..<to` in order, retrying a round whose request
    /// failed (as Prometheus does) until `stop()` says to stop.
    public func run(to baseURL: @Sendable () -> String, rounds: Range<Int>, start: Timestamp, pause: Duration, stop: @Sendable () -> Bool) async -> Int {
        var round = rounds.lowerBound
        while round < rounds.upperBound && !stop() {
            if await send(request(round: round, start: start), to: baseURL()) {
                round += 1
            }
            try? await Task.sleep(for: pause)
        }
        return round
    }

    /// The acknowledged samples with `extra` labels added to every series.
    public func expected(adding extra: [String: String] = [:]) -> [Labels: [Sample]] {
        acknowledged.withLock { all in
            Dictionary(uniqueKeysWithValues: all.map { labels, samples in
                var merged = Dictionary(uniqueKeysWithValues: labels.map { ($0.name, $0.value) })
                for (k, v) in extra where merged[k] == nil { merged[k] = v }
                return (Labels(merged), samples.sorted { $0.t < $1.t })
            })
        }
    }
}
