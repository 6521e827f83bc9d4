import Foundation
import MeridianModel
import TestSupport
import Testing

/// What the suites that start real `meridian` processes in a topology
/// (centers forwarding to a global layer or to another remote-write
/// receiver) share: starting each role, reading a center's forward status,
/// and comparing exports exactly.
protocol TopologySuite {}

extension TopologySuite {
    static func startGlobal(_ dir: TemporaryDirectory, port: Int? = nil) throws -> ServerProcess {
        try MeridianBinary.start(dataDir: dir.appending("global"), port: port, extraArguments: ["--role", "global"])
    }

    static func startCenter(_ dir: TemporaryDirectory, name: String, upstream: ServerProcess, port: Int? = nil) throws
        -> ServerProcess
    {
        try startCenter(dir, name: name, upstreamURL: upstream.baseURL + "/api/v1/write", port: port)
    }

    /// A center forwarding to any remote-write URL (another Meridian, VictoriaMetrics, ...).
    static func startCenter(_ dir: TemporaryDirectory, name: String, upstreamURL: String, port: Int? = nil) throws
        -> ServerProcess
    {
        try MeridianBinary.start(
            dataDir: dir.appending("center-\(name)"), port: port,
            extraArguments: ["--role", "center", "--center", name, "--upstream", upstreamURL])
    }

    /// `/api/v1/status/forward` of a center: its only upstream.
    static func forwardStatus(_ center: ServerProcess) async throws -> [String: Any] {
        let result = try await TestHTTP.get(center.baseURL + "/api/v1/status/forward")
        guard result.status == 200, let json = try result.json() as? [String: Any],
            let data = json["data"] as? [String: Any],
            let upstreams = data["upstreams"] as? [[String: Any]], upstreams.count == 1
        else { throw TestFailure("bad forward status \(result.status): \(result.text)") }
        return upstreams[0]
    }

    /// Waits until the center's upstream has acknowledged everything.
    static func waitUntilForwarded(_ center: ServerProcess, timeout: Duration = .seconds(120)) async throws -> [String:
        Any]
    {
        let deadline = ContinuousClock.now + timeout
        var status: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            status = try await forwardStatus(center)
            if (status["pendingSamples"] as? Int) == 0 { return status }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("the center's backlog did not drain: \(status)")
    }

    static func export(_ server: ServerProcess, _ match: String) async throws -> [Labels: [Sample]] {
        let result = try await TestHTTP.get(server.baseURL + "/api/v1/export", [("match[]", match)])
        guard result.status == 200 else { throw TestFailure("export: \(result.status) \(result.text)") }
        return try ExportLines.parse(result.body)
    }

    /// Every series and sample equal, bit for bit, and none stored twice.
    static func expectSame(
        _ got: [Labels: [Sample]], _ expected: [Labels: [Sample]], _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(!expected.isEmpty, "\(what): the writer got acknowledgements", sourceLocation: sourceLocation)
        #expect(got.count == expected.count, "\(what): series count", sourceLocation: sourceLocation)
        var differing: [Labels] = []
        for (labels, samples) in expected {
            let stored = got[labels] ?? []
            let same =
                stored.count == samples.count
                && zip(stored, samples).allSatisfy { $0.t == $1.t && $0.v.bitPattern == $1.v.bitPattern }
            if !same { differing.append(labels) }
        }
        let example =
            differing.first.map { labels in
                "; e.g. \(labels): \(got[labels]?.count ?? 0) samples stored, \(expected[labels]!.count) expected"
            } ?? ""
        #expect(
            differing.isEmpty, "\(what): \(differing.count) of \(expected.count) series differ\(example)",
            sourceLocation: sourceLocation)
    }
}
