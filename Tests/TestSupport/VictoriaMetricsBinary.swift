import Foundation

/// The Debian `victoria-metrics` (1.79) that tests use as a real remote-write
/// receiver other than Meridian, so a center is shown to forward to any
/// upstream. Missing VictoriaMetrics fails a test: it never skips.
public enum VictoriaMetricsBinary {
    /// `$VICTORIA_METRICS_BIN` or `/usr/bin/victoria-metrics`.
    public static var path: String {
        ProcessInfo.processInfo.environment["VICTORIA_METRICS_BIN"] ?? "/usr/bin/victoria-metrics"
    }

    /// Starts a single-node VictoriaMetrics storing in `directory` on `port`
    /// (a free one by default) of loopback. It keeps data of any age (100
    /// years' retention) and shows samples in queries as soon as they are
    /// stored (no latency offset, no response cache). Ready when `/health`
    /// answers 200.
    public static func start(directory: String, port: Int? = nil, extraArguments: [String] = []) throws -> ServerProcess
    {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure(
                "VictoriaMetrics not found at \(path): `make test` installs the Debian package `victoria-metrics`")
        }
        let port = try port ?? ServerProcess.freePort()
        return try ServerProcess(
            executable: path,
            arguments: [
                "-storageDataPath=\((directory as NSString).appendingPathComponent("data"))",
                "-httpListenAddr=127.0.0.1:\(port)",
                "-retentionPeriod=100y",
                "-search.latencyOffset=0s",
                "-search.cacheTimestampOffset=0s",
                "-search.disableCache",
                "-loggerLevel=WARN",
            ] + extraArguments,
            port: port, logPath: (directory as NSString).appendingPathComponent("victoria-metrics.log"))
    }
}
