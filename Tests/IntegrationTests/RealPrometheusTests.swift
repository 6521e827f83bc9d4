import Foundation
import MeridianModel
import Testing
import TestSupport

/// A real Prometheus 2.42 scrapes itself every second for 30 s and remote-writes
/// to Meridian; afterwards Meridian must hold exactly the `up` samples Prometheus
/// holds, and serve the same metric metadata Prometheus serves.
@Suite struct RealPrometheusTests {
    @Test(.timeLimit(.minutes(3))) func remoteWriteFromPrometheusKeepsEveryUpSample() async throws {
        let dir = try TemporaryDirectory("prom-rw")
        defer { dir.remove() }
        let meridian = try MeridianBinary.start(dataDir: dir.appending("meridian"))
        defer { meridian.terminate() }
        try await meridian.waitUntilReady()

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
            remote_write:
              - url: \(meridian.baseURL)/api/v1/write
                queue_config:
                  batch_send_deadline: 1s
                metadata_config:
                  send: true
                  send_interval: 2s
            """
        let prometheus = try PrometheusBinary.start(config: config, directory: promDir, port: promPort)
        defer { prometheus.terminate() }
        let promURL = prometheus.baseURL
        try await waitReady(promURL)

        try await Task.sleep(for: .seconds(30))
        let end = Int64(Date().timeIntervalSince1970 * 1000)
        let expected = try await prometheusUpSamples(promURL, at: end)
        #expect(expected.values.reduce(0) { $0 + $1.count } >= 25, "Prometheus scraped about 30 times")

        // Remote-write lags by up to the batch deadline plus a send: poll until Meridian has caught up.
        var stored: [Labels: [Sample]] = [:]
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            let export = try await TestHTTP.get(
                meridian.baseURL + "/api/v1/export", [("match[]", "up"), ("end", String(Double(end) / 1000))])
            stored = try ExportLines.parse(export.body)
            if stored == expected { break }
            try await Task.sleep(for: .seconds(1))
        } while ContinuousClock.now < deadline
        #expect(stored == expected)
        try await expectSameMetadata(meridian.baseURL, promURL)
        let metrics = try await TestHTTP.get(meridian.baseURL + "/metrics").text
        #expect(metrics.contains("meridian_samples_appended_total"))
        #expect(!meridian.log().contains("error"), "Meridian logged no error: \(meridian.log())")
    }

    /// Meridian's `/api/v1/metadata` holds what Prometheus' own holds (it is
    /// what Prometheus sends); polled, as metadata goes out every `send_interval`.
    private func expectSameMetadata(_ meridian: String, _ prometheus: String) async throws {
        func metadata(_ url: String) async throws -> [String: Set<[String: String]>] {
            let result = try await TestHTTP.get(url + "/api/v1/metadata")
            guard let object = try result.json() as? [String: Any],
                let data = object["data"] as? [String: [[String: String]]]
            else { throw TestFailure("unexpected metadata response: \(result.text)") }
            return data.mapValues { Set($0) }
        }
        let expected = try await metadata(prometheus)
        #expect(expected.count > 50, "Prometheus describes its own metrics")
        var stored: [String: Set<[String: String]>] = [:]
        let deadline = ContinuousClock.now + .seconds(20)
        repeat {
            stored = try await metadata(meridian)
            if stored == expected { break }
            try await Task.sleep(for: .seconds(1))
        } while ContinuousClock.now < deadline
        #expect(stored == expected)
    }

    private func waitReady(_ url: String) async throws {
        for _ in 0..<300 {
            if let r = try? await TestHTTP.get(url + "/-/ready"), r.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("Prometheus at \(url) not ready")
    }

    /// Every raw `up` sample Prometheus holds up to `end` (ms), via `up[1h]`.
    private func prometheusUpSamples(_ url: String, at end: Int64) async throws -> [Labels: [Sample]] {
        let result = try await TestHTTP.get(url + "/api/v1/query", [("query", "up[1h]"), ("time", String(Double(end) / 1000))])
        guard let object = try result.json() as? [String: Any], let data = object["data"] as? [String: Any],
            let series = data["result"] as? [[String: Any]]
        else { throw TestFailure("unexpected Prometheus response: \(result.text)") }
        var out: [Labels: [Sample]] = [:]
        for s in series {
            let metric = s["metric"] as! [String: String]
            let values = s["values"] as! [[Any]]
            out[Labels(metric)] = values.map { pair in
                let seconds = pair[0] as! Double
                return Sample(t: Int64((seconds * 1000).rounded()), v: Double(pair[1] as! String)!)
            }
        }
        return out
    }
}
