import Foundation

/// The Debian `prometheus` (2.42) that tests use as a real remote-write sender
/// and, later, as the PromQL oracle. Missing Prometheus fails a test: it never skips.
public enum PrometheusBinary {
    /// `$PROMETHEUS_BIN` or `/usr/bin/prometheus`.
    public static var path: String {
        ProcessInfo.processInfo.environment["PROMETHEUS_BIN"] ?? "/usr/bin/prometheus"
    }

    /// Starts Prometheus with `config` (YAML text) in `directory` on `port` (a free one by default).
    public static func start(
        config: String, directory: String, port: Int? = nil, extraArguments: [String] = []
    ) throws -> ServerProcess {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure("Prometheus not found at \(path): `make test` installs the Debian package `prometheus`")
        }
        let configPath = (directory as NSString).appendingPathComponent("prometheus.yml")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let port = try port ?? ServerProcess.freePort()
        return try ServerProcess(
            executable: path,
            arguments: [
                "--config.file=\(configPath)",
                "--storage.tsdb.path=\((directory as NSString).appendingPathComponent("tsdb"))",
                "--web.listen-address=127.0.0.1:\(port)",
                "--log.level=warn",
            ] + extraArguments,
            port: port, logPath: (directory as NSString).appendingPathComponent("prometheus.log"))
    }
}
