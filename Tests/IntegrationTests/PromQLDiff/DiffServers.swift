import Foundation
import MeridianModel
import RemoteWrite
import TestSupport

/// The two servers of a differential run: Prometheus 2.42 as the oracle and
/// the candidate, which is Meridian unless `MERIDIAN_PROMQL_DIFF_CANDIDATE=prometheus`
/// asks for a second Prometheus (that run proves the harness and the cases:
/// every case must pass).
struct DiffServers {
    enum Candidate: String { case meridian, prometheus }

    static let candidateVariable = "MERIDIAN_PROMQL_DIFF_CANDIDATE"

    let oracle: ServerProcess
    let candidate: ServerProcess
    let candidateKind: Candidate

    static var requestedCandidate: Candidate {
        get throws {
            let raw = ProcessInfo.processInfo.environment[candidateVariable] ?? "meridian"
            guard let kind = Candidate(rawValue: raw.lowercased()) else {
                throw TestFailure("\(candidateVariable)=\(raw): expected `meridian` or `prometheus`")
            }
            return kind
        }
    }

    /// Starts both on loopback ports in `directory` and waits until they are ready.
    /// Meridian with scoring off: the data set has `center` labels, and the
    /// health series a scoring Meridian writes back would be in its answers
    /// and not in Prometheus'.
    static func startMeridian(_ directory: TemporaryDirectory) throws -> ServerProcess {
        let config = directory.appending("meridian.yaml")
        try "scoring: {enabled: false}\n".write(toFile: config, atomically: true, encoding: .utf8)
        return try MeridianBinary.start(dataDir: directory.appending("meridian"), extraArguments: ["--config", config])
    }

    static func start(in directory: TemporaryDirectory) async throws -> DiffServers {
        let kind = try requestedCandidate
        let oracle = try startPrometheus(directory.appending("oracle"))
        let candidate: ServerProcess
        do {
            candidate =
                kind == .prometheus
                ? try startPrometheus(directory.appending("candidate"))
                : try startMeridian(directory)
        } catch {
            oracle.terminate()
            throw error
        }
        let servers = DiffServers(oracle: oracle, candidate: candidate, candidateKind: kind)
        do {
            try await oracle.waitUntilReady()
            try await candidate.waitUntilReady()
        } catch {
            servers.stop()
            throw error
        }
        return servers
    }

    /// A Prometheus that scrapes nothing and accepts remote-write, so it holds only the data set.
    private static func startPrometheus(_ path: String) throws -> ServerProcess {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return try PrometheusBinary.start(
            config: "global:\n  scrape_interval: 1m\nscrape_configs: []\n", directory: path,
            extraArguments: ["--web.enable-remote-write-receiver"])
    }

    func stop() {
        oracle.terminate()
        candidate.terminate()
    }

    /// Writes the data set to both servers, request by request in time order, and
    /// checks that each took every request (204). Then the oracle must count every
    /// value sample of each metric (else it rejected some and the run proves
    /// nothing); the candidate's miscounts are returned, for the report.
    func load(_ data: DiffDataSet) async throws -> [String] {
        let requests = data.requests().map { Data(RemoteWriteEncoder.snappyBody($0)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for server in [oracle, candidate] {
                group.addTask {
                    for (index, body) in requests.enumerated() {
                        let result = try await TestHTTP.send(
                            "POST", server.baseURL + "/api/v1/write",
                            headers: ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"],
                            body: body)
                        guard result.status == 204 else {
                            throw TestFailure(
                                "\(server.baseURL) refused write request \(index): \(result.status) \(result.text)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        var candidateProblems: [String] = []
        for (metric, expected) in data.valueSampleCounts {
            let counted = try await countSamples(metric, oracle)
            guard counted == expected else {
                throw TestFailure(
                    "the oracle holds \(counted.map(String.init) ?? "?") samples of \(metric), expected \(expected)")
            }
            let candidateCount = try await countSamples(metric, candidate)
            if candidateCount != expected {
                candidateProblems.append(
                    "the candidate counts \(candidateCount.map(String.init) ?? "no") samples of \(metric), expected \(expected)"
                )
            }
        }
        return candidateProblems
    }

    /// `sum(count_over_time(metric[3h]))` just after the data (one metric at a
    /// time: without their names, series of two metrics may collide); nil when
    /// the server cannot answer.
    private func countSamples(_ metric: String, _ server: ServerProcess) async throws -> Int? {
        let time = String((DiffDataSet.start + DiffDataSet.duration) / 1000)
        let result = try await TestHTTP.get(
            server.baseURL + "/api/v1/query", [("query", "sum(count_over_time(\(metric)[3h]))"), ("time", time)])
        guard case .success(_, let series) = QueryOutcome(result).body, let value = series.first?.points.first?.value
        else {
            return nil
        }
        return Int(value)
    }
}
