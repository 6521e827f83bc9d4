import Foundation
import MeridianModel
import Synchronization
import TestSupport
import Testing

/// What the suites that start real `meridian` processes in a topology
/// (centers forwarding to a global layer or to another remote-write
/// receiver) share: starting each role, reading a center's forward status,
/// and comparing exports exactly.
protocol TopologySuite {}

/// Whether a test's writer keeps going.
final class WriterSwitch: Sendable {
    private let on = Atomic(true)
    var isOn: Bool { on.load(ordering: .relaxed) }
    func turnOff() { on.store(false, ordering: .relaxed) }
}

extension TopologySuite {
    /// A global layer whose store holds exactly what the centers sent: its
    /// scoring, which writes health series of its own, is off (the health
    /// feed's suites turn it on).
    static func startGlobal(_ dir: TemporaryDirectory, port: Int? = nil) throws -> ServerProcess {
        let config = try writeConfig(dir, "global-store-only", "server: {role: global}\n\(storeOnly)")
        return try MeridianBinary.start(dataDir: dir.appending("global"), port: port, extraArguments: ["--config", config])
    }

    /// The config line that turns scoring off, for suites that compare a store's whole contents.
    static var storeOnly: String { "scoring: {enabled: false}\n" }

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

    /// Writes `yaml` as `NAME.yaml` in `dir`; returns its path.
    static func writeConfig(_ dir: TemporaryDirectory, _ name: String, _ yaml: String) throws -> String {
        let path = dir.appending("\(name).yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `/api/v1/centers` of a global layer, by center name.
    static func centers(_ global: ServerProcess) async throws -> [String: [String: Any]] {
        let result = try await TestHTTP.get(global.baseURL + "/api/v1/centers")
        guard result.status == 200, let json = try result.json() as? [String: Any], let data = json["data"] as? [String: Any],
            let list = data["centers"] as? [[String: Any]]
        else { throw TestFailure("bad /api/v1/centers: \(result.status) \(result.text)") }
        return Dictionary(uniqueKeysWithValues: list.compactMap { c in (c["center"] as? String).map { ($0, c) } })
    }

    /// Polls until `center` is in `state`; returns how long that took and the entry.
    static func waitFor(_ global: ServerProcess, center: String, state: String, within: Duration) async throws -> (
        Duration, [String: Any]
    ) {
        let started = ContinuousClock.now
        var last: [String: Any] = [:]
        while ContinuousClock.now - started < within {
            last = try await centers(global)[center] ?? [:]
            if last["state"] as? String == state { return (ContinuousClock.now - started, last) }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("center \(center) not \(state) within \(within): \(last)")
    }
}
