import Foundation
import MeridianModel
import RemoteWrite
import Testing
import TestSupport

/// The query API of the real binary as clients use it: `promtool`, gzip,
/// and the limits that keep one query from taking the server down.
@Suite(.serialized) struct QueryAPITests {
    /// 20 series of `api_requests_total` over the last 30 minutes at 15 s.
    private func load(_ server: ServerProcess) async throws -> Int64 {
        let now = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000
        let input = (0..<20).map { i in
            (
                labels: Labels(["__name__": "api_requests_total", "instance": "i\(i)", "job": i % 2 == 0 ? "a" : "b"]),
                samples: (0..<120).map { Sample(t: now - Int64(119 - $0) * 15_000, v: Double($0 * (i + 1))) }
            )
        }
        let result = try await TestHTTP.send(
            "POST", server.baseURL + "/api/v1/write",
            headers: ["Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"],
            body: Data(RemoteWriteEncoder.snappyBody(input)))
        #expect(result.status == 204)
        return now
    }

    /// Runs `promtool` with `arguments`; its exit status and output.
    private func promtool(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// The value promtool prints for `labels` (`{job="a"} => 6.67 @[…]`), NaN if absent.
    private func value(of labels: String, in output: String) -> Double {
        for line in output.split(separator: "\n") where line.hasPrefix(labels + " => ") {
            let rest = line.dropFirst(labels.count + 4)
            return Double(rest.prefix { $0 != " " }) ?? .nan
        }
        return .nan
    }

    @Test(.timeLimit(.minutes(2))) func promtoolQueriesMeridian() async throws {
        let dir = try TemporaryDirectory("query-promtool")
        defer { dir.remove() }
        let server = try MeridianBinary.start(dataDir: dir.appending("data"))
        defer { server.terminate() }
        try await server.waitUntilReady()
        let now = try await load(server)

        let (status, output) = try promtool(["query", "instant", server.baseURL, "sum by (job) (rate(api_requests_total[5m]))"])
        #expect(status == 0, "\(output)")
        // Instance i rises by i + 1 every 15 s: job a (even i) by 100, job b by 110.
        #expect(abs(value(of: #"{job="a"}"#, in: output) - 100.0 / 15) < 1e-9, "\(output)")
        #expect(abs(value(of: #"{job="b"}"#, in: output) - 110.0 / 15) < 1e-9, "\(output)")

        let start = String(now / 1000 - 600)
        let end = String(now / 1000)
        let (rangeStatus, rangeOutput) = try promtool([
            "query", "range", "--start=\(start)", "--end=\(end)", "--step=60s", server.baseURL, "count(api_requests_total)",
        ])
        #expect(rangeStatus == 0, "\(rangeOutput)")
        #expect(rangeOutput.components(separatedBy: "20 @[").count - 1 == 11, "\(rangeOutput)")

        let (errorStatus, errorOutput) = try promtool(["query", "instant", server.baseURL, "sum("])
        #expect(errorStatus != 0)
        #expect(errorOutput.contains("1:5: parse error: unclosed left parenthesis"), "\(errorOutput)")
    }

    @Test(.timeLimit(.minutes(2))) func responsesAreGzippedWhenAccepted() async throws {
        let dir = try TemporaryDirectory("query-gzip")
        defer { dir.remove() }
        let server = try MeridianBinary.start(dataDir: dir.appending("data"))
        defer { server.terminate() }
        try await server.waitUntilReady()
        let now = try await load(server)
        let url = server.baseURL + "/api/v1/query?query=api_requests_total&time=\(now / 1000)"
        let plain = try await TestHTTP.send("GET", url, headers: ["Accept-Encoding": "identity"])
        #expect(plain.headers["content-encoding"] == nil)
        let zipped = try await TestHTTP.send("GET", url, headers: ["Accept-Encoding": "gzip, deflate"])
        #expect(zipped.headers["content-encoding"] == "gzip")
        // URLSession may already have inflated the body; otherwise gzip(1) does.
        var body = zipped.body
        if body.starts(with: [0x1f, 0x8b]) {
            let gunzip = Process()
            gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gunzip.arguments = ["-dc"]
            let input = Pipe()
            let output = Pipe()
            gunzip.standardInput = input
            gunzip.standardOutput = output
            try gunzip.run()
            input.fileHandleForWriting.write(body)
            try input.fileHandleForWriting.close()
            body = output.fileHandleForReading.readDataToEndOfFile()
            gunzip.waitUntilExit()
        }
        #expect(body == plain.body)
        #expect(plain.text.contains(#""resultType":"vector""#))
    }

    @Test(.timeLimit(.minutes(2))) func limitsGiveClearErrors() async throws {
        let dir = try TemporaryDirectory("query-limits")
        defer { dir.remove() }
        let config = dir.appending("meridian.yaml")
        try "query:\n  max_samples: 100\n".write(toFile: config, atomically: true, encoding: .utf8)
        let server = try MeridianBinary.start(dataDir: dir.appending("data"), extraArguments: ["--config", config])
        defer { server.terminate() }
        try await server.waitUntilReady()
        let now = try await load(server)

        let small = try await TestHTTP.get(server.baseURL + "/api/v1/query", [("query", "api_requests_total")])
        #expect(small.status == 200, "20 samples fit: \(small.text)")
        let large = try await TestHTTP.get(server.baseURL + "/api/v1/query", [("query", "api_requests_total[10m]")])
        #expect(large.status == 422)
        #expect(large.text.contains("query processing would load too many samples into memory in query execution"))

        let timedOut = try await TestHTTP.get(
            server.baseURL + "/api/v1/query", [("query", "api_requests_total"), ("timeout", "0.000001")])
        #expect(timedOut.status == 503)
        #expect(timedOut.text.contains(#""errorType":"timeout""#), "\(timedOut.text)")

        let tooMany = try await TestHTTP.get(
            server.baseURL + "/api/v1/query_range",
            [("query", "1"), ("start", String(now / 1000 - 20_000)), ("end", String(now / 1000)), ("step", "1")])
        #expect(tooMany.status == 400)
        #expect(tooMany.text.contains("exceeded maximum resolution of 11,000 points per timeseries"))
        #expect(server.isRunning)
    }
}
