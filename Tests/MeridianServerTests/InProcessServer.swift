import Foundation
import Logging
import MeridianModel
import MeridianServer
import ServiceLifecycle
import TestSupport

/// A Meridian running inside the test process on a loopback port, with its own
/// data directory: the real HTTP server and store, started and stopped per test.
final class InProcessServer: Sendable {
    let baseURL: String
    let directory: TemporaryDirectory
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    static func start(_ configure: (inout MeridianConfig) -> Void = { _ in }) async throws -> InProcessServer {
        let directory = try TemporaryDirectory("server")
        var config = MeridianConfig()
        config.dataDir = directory.appending("data")
        config.listen = "127.0.0.1:\(try ServerProcess.freePort())"
        configure(&config)
        var logger = Logger(label: "test-server")
        logger.logLevel = .warning
        let group = try MeridianService.serviceGroup(config: config, logger: logger)
        let server = InProcessServer(config: config, group: group, directory: directory)
        try await server.waitReady()
        return server
    }

    private init(config: MeridianConfig, group: ServiceGroup, directory: TemporaryDirectory) {
        baseURL = "http://\(config.listen)"
        self.directory = directory
        self.group = group
        task = Task { try await group.run() }
    }

    private func waitReady() async throws {
        for _ in 0..<200 {
            if let r = try? await TestHTTP.send("GET", baseURL + "/-/ready", timeout: 2), r.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("in-process server at \(baseURL) not ready")
    }

    /// Stops the server (graceful shutdown, as on SIGTERM) and removes its data.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        directory.remove()
    }

    /// POSTs a remote-write body with the standard headers, overridable.
    func write(_ body: [UInt8], headers: [String: String] = [:]) async throws -> HTTPResult {
        var all = ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"]
        for (k, v) in headers { all[k] = v }
        return try await TestHTTP.send("POST", baseURL + "/api/v1/write", headers: all, body: Data(body))
    }

    /// Every stored sample of the series matching `selector`.
    func export(_ selector: String) async throws -> [Labels: [Sample]] {
        let result = try await TestHTTP.get(baseURL + "/api/v1/export", [("match[]", selector)])
        guard result.status == 200 else { throw TestFailure("export failed: \(result.status) \(result.text)") }
        return try ExportLines.parse(result.body)
    }
}
