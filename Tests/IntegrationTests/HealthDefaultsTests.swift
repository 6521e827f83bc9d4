import Foundation
import MeridianModel
import Synchronization
import TestSupport
import Testing

/// The embedded default config scores conventional metrics with no
/// configuration: `http_requests_total` by `code`, the
/// `http_request_duration_seconds` histogram and `up`, by `center` and `service`.
@Suite(.serialized) struct HealthDefaultsTests {
    @Test(.timeLimit(.minutes(4))) func theDefaultRulesScoreConventionalMetrics() async throws {
        let dir = try TemporaryDirectory()
        let server = try MeridianBinary.start(dataDir: dir.appending("data"))
        defer { _ = server.terminate() }
        try await server.waitUntilReady()

        let errorShare = Mutex(["bj": 0.001, "sh": 0.001])
        let stop = WriterSwitch()
        let writing = Task {
            let load = RemoteWriteLoad()
            var requests = ["bj": 0.0, "sh": 0.0]
            var errors = ["bj": 0.0, "sh": 0.0]
            var fast = 0.0
            // 1,000 requests a second per center and service: 99% under 0.1 s, the rest under 0.5 s.
            while stop.isOn {
                let t = Int64(Date().timeIntervalSince1970 * 1000)
                let shares = errorShare.withLock { $0 }
                var series: [(labels: Labels, samples: [Sample])] = []
                fast += 990
                for center in ["bj", "sh"] {
                    requests[center]! += 1000
                    errors[center]! += 1000 * shares[center]!
                    for service in ["checkout", "search"] {
                        let base = ["center": center, "service": service, "job": "app"]
                        func add(_ extra: [String: String], _ v: Double) {
                            series.append((Labels(base.merging(extra) { a, _ in a }), [Sample(t: t, v: v)]))
                        }
                        add(["__name__": "http_requests_total", "code": "200"], requests[center]! - errors[center]!)
                        add(["__name__": "http_requests_total", "code": "503"], errors[center]!)
                        add(["__name__": "http_request_duration_seconds_bucket", "le": "0.1"], fast)
                        add(["__name__": "http_request_duration_seconds_bucket", "le": "0.5"], requests[center]!)
                        add(["__name__": "http_request_duration_seconds_bucket", "le": "+Inf"], requests[center]!)
                        add(["__name__": "up", "instance": "\(center)-\(service)"], 1)
                    }
                }
                await load.send(series, to: server.baseURL)
                try? await Task.sleep(for: .seconds(1))
            }
        }
        defer {
            stop.turnOff()
            writing.cancel()
        }

        /// bj/checkout's signal values by name (NaN: no data yet).
        func signalValues(_ d: [String: Any]) -> [String: Double] {
            let checkout = (HealthFeedClient.center(d, "bj")?["services"] as? [[String: Any]])?
                .first { $0["name"] as? String == "checkout" }
            return Dictionary(
                uniqueKeysWithValues: (checkout?["signals"] as? [[String: Any]] ?? []).map {
                    ($0["name"] as? String ?? "", $0["value"] as? Double ?? .nan)
                })
        }
        // The default interval is 5 s, and a rate over 1 m needs two writes in
        // it: availability alone may say up before the rates have values.
        var document = try await HealthFeedClient.settle(server, timeout: .seconds(90)) { d in
            ["bj", "sh"].allSatisfy { HealthFeedClient.state(d, $0) == "up" }
                && (HealthFeedClient.center(d, "bj")?["services"] as? [[String: Any]])?.count == 2
                && signalValues(d).values.allSatisfy { !$0.isNaN } && signalValues(d).count == 3
        }
        let signals = signalValues(document)
        #expect(Set(signals.keys) == ["error_ratio", "latency_p99", "availability"], "signals: \(signals)")
        #expect(abs(signals["error_ratio"]! - 0.001) < 0.0002, "error ratio \(signals["error_ratio"]!)")
        // The 99th percentile falls at the 0.1 s bucket's upper bound.
        #expect(abs(signals["latency_p99"]! - 0.1) < 0.01, "p99 \(signals["latency_p99"]!)")
        #expect(signals["availability"] == 1)
        #expect(HealthFeedClient.weight(document, "bj") == 50 && HealthFeedClient.weight(document, "sh") == 50)

        // Every request of bj failing: the ratio over 1 m passes the 0.2 veto, and bj goes down.
        errorShare.withLock { $0["bj"] = 1 }
        document = try await HealthFeedClient.settle(server, timeout: .seconds(90)) {
            HealthFeedClient.state($0, "bj") == "down"
        }
        let reasons = HealthFeedClient.center(document, "bj")?["reasons"] as? [String] ?? []
        #expect(reasons.contains { $0.contains("veto") && $0.contains("error_ratio") }, "reasons: \(reasons)")
        #expect(HealthFeedClient.weight(document, "sh") == 100)
        #expect(HealthFeedClient.state(document, "sh") == "up")
    }
}
