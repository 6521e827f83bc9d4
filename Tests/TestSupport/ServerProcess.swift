import Foundation

/// A child process serving HTTP on a loopback port, stopped by PID.
public final class ServerProcess: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Where its stdout and stderr go.
    public let logPath: String
    private let process: Process

    /// Starts `executable` with `arguments`; output goes to `logPath`.
    public init(executable: String, arguments: [String], port: Int, logPath: String) throws {
        self.port = port
        self.logPath = logPath
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// The process ID.
    public var pid: Int32 { process.processIdentifier }

    /// Whether it is still running.
    public var isRunning: Bool { process.isRunning }

    /// Polls `path` until it answers 200, failing if the process exits or time runs out.
    public func waitUntilReady(path: String = "/-/ready", timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw TestFailure("server exited with status \(process.terminationStatus) before it was ready; log:\n\(log())")
            }
            if let result = try? await TestHTTP.send("GET", baseURL + path, timeout: 2), result.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("server not ready after \(timeout); log:\n\(log())")
    }

    /// SIGKILL: no shutdown code runs, as in a crash.
    public func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait for a graceful exit; returns the exit status.
    @discardableResult
    public func terminate(timeout: Duration = .seconds(30)) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill9() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Everything the process logged so far.
    public func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw TestFailure("cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// A failure of test scaffolding (not an assertion).
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Locating and starting the `meridian` binary built by `swift build`.
public enum MeridianBinary {
    /// `$MERIDIAN_BIN`, or `.build/debug/meridian` of this package.
    public static var path: String {
        if let env = ProcessInfo.processInfo.environment["MERIDIAN_BIN"] { return env }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/meridian").path
    }

    /// Starts `meridian serve` on a free port with `dataDir` and waits until it
    /// is ready. A port found free can be taken by another test's socket
    /// before the server binds it; then it starts again on another port (up
    /// to three times).
    public static func startReady(dataDir: String, extraArguments: [String] = []) async throws -> ServerProcess {
        for attempt in 1...3 {
            let server = try start(dataDir: dataDir, extraArguments: extraArguments)
            do {
                try await server.waitUntilReady()
                return server
            } catch {
                server.terminate()
                guard attempt < 3, server.log().contains("Address already in use") else { throw error }
            }
        }
        throw TestFailure("unreachable")
    }

    /// Starts `meridian serve` on `port` (by default a free one) of loopback with `dataDir`.
    public static func start(dataDir: String, port: Int? = nil, extraArguments: [String] = []) throws -> ServerProcess {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure("no meridian binary at \(path): run `swift build` first (make test does)")
        }
        let port = try port ?? ServerProcess.freePort()
        return try ServerProcess(
            executable: path,
            arguments: ["serve", "--listen", "127.0.0.1:\(port)", "--data-dir", dataDir, "--log-level", "info"]
                + extraArguments,
            port: port, logPath: dataDir + ".log")
    }
}
