import Foundation
import MeridianModel
import RemoteWrite
import Synchronization
import TestSupport
import Testing

/// Synthetic metrics for the health feed's tests: per center and service, a
/// gauge error ratio and p99 latency (so a value crosses a threshold in the
/// round it is written), plus `up`, written through remote-write at the
/// wall clock every `period` until stopped.
final class HealthMetricsWriter: Sendable {
    struct Values: Sendable {
        var errorRatio = 0.001
        var latency = 0.1
    }

    let centers: [String]
    let services: [String]
    private let values: Mutex<[String: Values]>
    private let silent = Mutex<Set<String>>([])
    private let running = Atomic(true)
    let writes = Atomic(0)

    init(centers: [String], services: [String]) {
        self.centers = centers
        self.services = services
        values = Mutex(Dictionary(uniqueKeysWithValues: centers.map { ($0, Values()) }))
    }

    /// Sets a center's values (for every service).
    func set(_ center: String, errorRatio: Double? = nil, latency: Double? = nil) {
        values.withLock { all in
            if let errorRatio { all[center]?.errorRatio = errorRatio }
            if let latency { all[center]?.latency = latency }
        }
    }

    /// Stops (or resumes) writing a center's series.
    func silence(_ center: String, _ on: Bool = true) {
        silent.withLock { if on { $0.insert(center) } else { $0.remove(center) } }
    }

    func stop() { running.store(false, ordering: .relaxed) }

    /// The series of one write at `t`.
    func series(at t: Int64) -> [(labels: Labels, samples: [Sample])] {
        let (now, quiet) = (values.withLock { $0 }, silent.withLock { $0 })
        var out: [(labels: Labels, samples: [Sample])] = []
        for center in centers where !quiet.contains(center) {
            let v = now[center]!
            for service in services {
                let base = ["center": center, "service": service]
                out.append(
                    (
                        Labels(base.merging(["__name__": "test_error_ratio"]) { a, _ in a }),
                        [Sample(t: t, v: v.errorRatio)]
                    ))
                out.append(
                    (
                        Labels(base.merging(["__name__": "test_latency_p99_seconds"]) { a, _ in a }),
                        [Sample(t: t, v: v.latency)]
                    ))
                out.append(
                    (
                        Labels(base.merging(["__name__": "up", "instance": "\(center)-\(service)"]) { a, _ in a }),
                        [Sample(t: t, v: 1)]
                    ))
            }
        }
        return out
    }

    /// Writes every `period` to each of `urls` until ``stop()``.
    func run(to urls: [String], period: Duration = .milliseconds(250)) async {
        let load = RemoteWriteLoad()
        while running.load(ordering: .relaxed) {
            let batch = series(at: Int64(Date().timeIntervalSince1970 * 1000))
            if !batch.isEmpty {
                for url in urls { await load.send(batch, to: url) }
                writes.add(1, ordering: .relaxed)
            }
            try? await Task.sleep(for: period)
        }
    }
}

/// A Meridian scoring the tests' three centers and two services, and the
/// writer feeding it: what the feed's end-to-end tests start with.
struct HealthFeedRun {
    static let centers = ["bj", "sh", "gz"]

    let server: ServerProcess
    let writer: HealthMetricsWriter
    private let writing: Task<Void, Never>

    /// Starts Meridian in `dir` with `yaml` (see ``HealthFeedClient/yaml(agentPort:queryURL:minHealthy:extra:)``)
    /// and writes to it until ``stop()``.
    static func start(_ dir: TemporaryDirectory, _ yaml: String) async throws -> HealthFeedRun {
        let server = try await HealthFeedClient.start(dir, yaml)
        let writer = HealthMetricsWriter(centers: centers, services: ["checkout", "search"])
        let writing = Task { await writer.run(to: [server.baseURL]) }
        return HealthFeedRun(server: server, writer: writer, writing: writing)
    }

    /// Waits until every center is up; returns that document.
    func settleAllUp(timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        try await HealthFeedClient.settle(server, timeout: timeout) { d in
            Self.centers.allSatisfy { HealthFeedClient.state(d, $0) == "up" }
        }
    }

    /// Sets an override on `target` (query parameters, the tests' token) and
    /// waits until the feed shows `state`; returns that document.
    func override(_ target: String, _ action: String, by: String, until state: String) async throws -> [String: Any] {
        let set = try await TestHTTP.send(
            "POST",
            server.baseURL + "/api/v1/overrides?target=\(target)&action=\(action)&ttl=10m&reason=maintenance&by=\(by)",
            headers: ["Authorization": "Bearer secret-token"])
        guard set.status == 200 else { throw TestFailure("setting the override: \(set.status) \(set.text)") }
        return try await HealthFeedClient.settle(server, timeout: .seconds(5)) {
            HealthFeedClient.state($0, target) == state
        }
    }

    /// Lifts the override on `target` and waits until the feed shows `state`; returns that document.
    func lift(_ target: String, by: String, until state: String) async throws -> [String: Any] {
        let lift = try await TestHTTP.send(
            "DELETE", server.baseURL + "/api/v1/overrides?target=\(target)&by=\(by)",
            headers: ["Authorization": "Bearer secret-token"])
        guard lift.status == 200 else { throw TestFailure("lifting the override: \(lift.status) \(lift.text)") }
        return try await HealthFeedClient.settle(server, timeout: .seconds(5)) {
            HealthFeedClient.state($0, target) == state
        }
    }

    func stop() {
        writer.stop()
        writing.cancel()
        server.terminate()
    }
}

/// Reading the health feed of a Meridian process.
enum HealthFeedClient {
    /// The `data` of `/api/v1/health`.
    static func document(_ server: ServerProcess) async throws -> [String: Any] {
        let result = try await TestHTTP.get(server.baseURL + "/api/v1/health")
        guard result.status == 200, let object = try result.json() as? [String: Any],
            let data = object["data"] as? [String: Any]
        else { throw TestFailure("GET /api/v1/health: \(result.status) \(result.text.prefix(300))") }
        return data
    }

    /// A center's entry in a document.
    static func center(_ document: [String: Any], _ name: String) -> [String: Any]? {
        (document["centers"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    /// A center's state in a document ("" when absent).
    static func state(_ document: [String: Any], _ name: String) -> String {
        center(document, name)?["state"] as? String ?? ""
    }

    static func weight(_ document: [String: Any], _ name: String) -> Int {
        center(document, name)?["weight"] as? Int ?? -1
    }

    /// Polls the feed every 100 ms, keeping one document per round, until
    /// `done` holds for the newest (or `timeout`). Returns the documents by round.
    static func watch(
        _ server: ServerProcess, timeout: Duration, until done: ([String: Any]) -> Bool
    ) async throws -> [Int: [String: Any]] {
        var rounds: [Int: [String: Any]] = [:]
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            // 503 until the first round (a process just started).
            guard let document = try? await document(server) else {
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            if let round = document["round"] as? Int, rounds[round] == nil { rounds[round] = document }
            if done(document) { return rounds }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("the health feed did not reach the expected state within \(timeout)")
    }

    /// Polls until `done` holds for a document, and returns that document.
    static func settle(
        _ server: ServerProcess, timeout: Duration = .seconds(20), _ done: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let rounds = try await watch(server, timeout: timeout, until: done)
        return rounds[rounds.keys.max()!]!
    }

    /// Starts a Meridian in `dir` with `yaml` as its config and waits until it is ready.
    static func start(_ dir: TemporaryDirectory, _ yaml: String, name: String = "data") async throws -> ServerProcess {
        let configPath = dir.appending("\(name).yaml")
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        return try await MeridianBinary.startReady(
            dataDir: dir.appending(name), extraArguments: ["--config", configPath])
    }

    /// The scoring config of the tests: 1 s rounds, fall 3, rise 5, three
    /// centers with one answer each, a region, and signals on the writer's gauges.
    static func yaml(
        agentPort: Int? = nil, queryURL: String? = nil, minHealthy: Int = 1, extra: String = ""
    ) -> String {
        """
        scoring:
          interval: 1s
          fall: 3
          rise: 5
          stale_after: 3s
          grace: 4s
          min_healthy_centers: \(minHealthy)
          override_token: secret-token
          query_url: "\(queryURL ?? "")"
          agent_listen: "\(agentPort.map { "127.0.0.1:\($0)" } ?? "")"
          centers:
            - {name: bj, capacity: 1, answers: [192.0.2.1]}
            - {name: sh, capacity: 1, answers: [192.0.2.2]}
            - {name: gz, capacity: 1, answers: [192.0.2.3]}
          regions:
            - {name: north, prefer: [bj, sh, gz]}
            - {name: south, prefer: [gz, sh, bj]}
          signals:
            - name: error_ratio
              expr: max by (center, service) (test_error_ratio)
              good: 0.01
              bad: 0.05
              weight: 3
              down_above: 0.2
            - name: latency_p99
              expr: max by (center, service) (test_latency_p99_seconds)
              good: 0.5
              bad: 2
              weight: 2
              latency: true
            - name: availability
              expr: avg by (center, service) (up)
              good: 1
              bad: 0.5
              weight: 2
              down_below: 0.5
        \(extra)
        """
    }
}
