import Foundation
import MeridianModel
import RemoteWrite
import Testing

@testable import MeridianServer

@Suite struct FloatFormatTests {
    @Test(arguments: [
        (1.0, "1"), (0.5, "0.5"), (-2.25, "-2.25"), (1e21, "1000000000000000000000"), (1e-7, "0.0000001"),
        (123456789.125, "123456789.125"), (0.1, "0.1"), (Double.nan, "NaN"), (Double.infinity, "+Inf"),
        (-Double.infinity, "-Inf"), (0.0, "0"), (1.5e300, "15" + String(repeating: "0", count: 299)),
        (5e-324, "0." + String(repeating: "0", count: 323) + "5"),
    ])
    func matchesGoFormatFloat(value: Double, text: String) {
        #expect(FloatFormat.prometheus(value) == text)
    }

    @Test(arguments: [
        (1.0, "1"), (-0.0, "-0"), (1e-7, "1e-07"), (-1.5e-7, "-1.5e-07"), (1e21, "1e+21"), (9.99e20, "999000000000000000000"),
        (1e-6, "0.000001"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1 + 0.2, "0.30000000000000004"),
        (123456789012345.0, "123456789012345"), (1234567890123456.0, "1234567890123456"), (1e15, "1000000000000000"),
        (Double.nan, "NaN"), (-Double.infinity, "-Inf"),
    ])
    func apiValueMatchesPrometheusJSON(value: Double, text: String) {
        #expect(FloatFormat.apiValue(value) == text)
    }

    @Test func exponentFormMatchesGo() {
        #expect(FloatFormat.exponent(0) == "0e+00")
        #expect(FloatFormat.exponent(-0.0) == "-0e+00")
        #expect(FloatFormat.exponent(1234.5) == "1.2345e+03")
        #expect(FloatFormat.exponent(5.551115123125783e-17) == "5.551115123125783e-17")
        #expect(FloatFormat.exponent(1e100) == "1e+100")
    }

    @Test func roundTripsEveryValue() {
        var x: UInt64 = 0x1234_5678_9abc_def0
        for _ in 0..<10_000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let v = Double(bitPattern: x >> 1)
            guard v.isFinite else { continue }
            #expect(Double(FloatFormat.prometheus(v)) == v)
            #expect(Double(FloatFormat.apiValue(v)) == v)
            // Integers and short decimals take other paths than random bit patterns.
            let small = Double(Int64(truncatingIfNeeded: x) >> 20) / 1024
            #expect(Double(FloatFormat.prometheus(small)) == small)
        }
    }

    /// Timestamps are written from integer milliseconds, never through a
    /// float; the text must still be the float's shortest one.
    @Test func secondsFromMillisecondsMatchTheFloatText() {
        var x: UInt64 = 0x0fed_cba9_8765_4321
        var samples: [Int64] = [0, 1, -1, 999, -999, 1000, -1000, 1010, -1500, 1_795_480_170_575, 1_795_480_170_500,
                                1 << 52 - 1, -(1 << 52 - 1), 1 << 52, 8_796_093_022_208_001, 9_007_199_254_740_991, Int64.max, Int64.min + 1]
        for _ in 0..<10_000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            samples.append(Int64(truncatingIfNeeded: x) >> Int64(x % 40 + 10))
        }
        for ms in samples {
            var out: [UInt8] = []
            FloatFormat.appendSeconds(milliseconds: ms, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == FloatFormat.prometheus(Double(ms) / 1000), "\(ms)")
        }
    }
}

@Suite struct TimeParameterTests {
    @Test func parsesUnixSecondsAndRFC3339() throws {
        #expect(try TimeParameter.parse("1700000000", parameter: "t") == 1_700_000_000_000)
        #expect(try TimeParameter.parse("1700000000.123", parameter: "t") == 1_700_000_000_123)
        #expect(try TimeParameter.parse("2023-11-14T22:13:20Z", parameter: "t") == 1_700_000_000_000)
        #expect(try TimeParameter.parse("2023-11-14T22:13:20.5Z", parameter: "t") == 1_700_000_000_500)
        #expect(try TimeParameter.parse("2023-11-15T00:13:20+02:00", parameter: "t") == 1_700_000_000_000)
        #expect(try TimeParameter.parse("1969-12-31T23:59:59Z", parameter: "t") == -1000)
        #expect(throws: APIError.self) { try TimeParameter.parse("2023-13-01T00:00:00Z", parameter: "t") }
        #expect(throws: APIError.self) { try TimeParameter.parse("soon", parameter: "t") }
    }
}

@Suite struct ConfigTests {
    @Test func embeddedDefaultEqualsTheShippedFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("config/meridian.yaml"), encoding: .utf8)
        #expect(file.trimmingCharacters(in: .newlines) == embeddedDefaultYAML.trimmingCharacters(in: .newlines))
        #expect(try MeridianConfig.parse(yaml: file) == MeridianConfig())
        #expect(MeridianConfig.embeddedDefault() == MeridianConfig())
    }

    @Test func reportsEveryProblemWithItsLine() {
        let yaml = """
            server:
              listen: 127.0.0.1:9999
              role: leader
            storage:
              wal:
                segment_size: lots
              retention_time: 5d
            colour: blue
            """
        do {
            _ = try MeridianConfig.parse(yaml: yaml)
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.map(\.line) == [3, 6, 7, 8])
            #expect(error.problems[0].message.contains("server.role"))
            #expect(error.problems[1].message.contains("segment_size"))
            #expect(error.problems[2].message.contains("unknown key \"retention_time\""))
        }
    }

    @Test func parsesValues() throws {
        let config = try MeridianConfig.parse(
            yaml: """
                server: {listen: "0.0.0.0:9000", role: center}
                center: {name: bj, external_labels: {region: north}, retention: 1d}
                forward: {upstreams: [http://g:9280/api/v1/write], max_disk_bytes: 2GiB, shards: 8, max_backoff: 10s}
                storage: {data_dir: /var/lib/meridian, wal: {segment_size: 16MiB, fsync_interval: 250ms}}
                remote_write: {max_body_size: 1MB}
                """)
        #expect(config.listen == "0.0.0.0:9000")
        #expect(config.role == .center)
        #expect(config.topology.centerName == "bj")
        #expect(config.topology.enforcedLabels == Labels(["center": "bj", "region": "north"]))
        #expect(config.topology.centerRetention == 86400)
        #expect(config.topology.upstreams == ["http://g:9280/api/v1/write"])
        #expect(config.topology.forward.maxDiskBytes == 2 << 30)
        #expect(config.topology.forward.shards == 8)
        #expect(config.topology.forward.maxBackoff == .seconds(10))
        #expect(config.walSegmentSize == 16 << 20)
        #expect(config.walFsyncInterval == 0.25)
        #expect(config.remoteWrite.maxBodyBytes == 1_000_000)
        #expect(try config.hostAndPort() == ("0.0.0.0", 9000))
    }

    @Test func parsesRemoteWriteLimits() throws {
        let config = try MeridianConfig.parse(
            yaml: """
                remote_write:
                  max_labels_per_series: 40
                  max_label_name_length: 256
                  max_label_value_length: 4096
                  max_series_per_request: 20_000
                  max_samples_per_request: 200000
                  max_metadata_per_request: 500
                """)
        #expect(
            config.remoteWrite
                == RemoteWriteLimits(
                    maxLabelsPerSeries: 40, maxLabelNameLength: 256, maxLabelValueLength: 4096,
                    maxSeriesPerRequest: 20_000, maxSamplesPerRequest: 200_000, maxMetadataPerRequest: 500))
        // Keys left out keep their defaults.
        let partial = try MeridianConfig.parse(yaml: "remote_write: {max_labels_per_series: 50}")
        var expected = RemoteWriteLimits()
        expected.maxLabelsPerSeries = 50
        #expect(partial.remoteWrite == expected)
    }

    @Test func remoteWriteLimitsMustBePositiveIntegers() {
        let yaml = """
            remote_write:
              max_body_size: 32MiB
              max_labels_per_series: 0
              max_label_name_length: -5
              max_label_value_length: 2KiB
              max_series_per_request: 100_000
              max_samples_per_requests: 10
              max_metadata_per_request: [1]
              max_samples_per_request: _1
            """
        do {
            _ = try MeridianConfig.parse(yaml: yaml)
            Issue.record("expected an error")
        } catch {
            #expect(
                error.problems.map(\.description) == [
                    "line 3: remote_write.max_labels_per_series must be a positive integer (got \"0\")",
                    "line 4: remote_write.max_label_name_length must be a positive integer (got \"-5\")",
                    "line 5: remote_write.max_label_value_length must be a positive integer (got \"2KiB\")",
                    "line 7: unknown key \"max_samples_per_requests\" in remote_write",
                    "line 8: remote_write.max_metadata_per_request must be a positive integer",
                    "line 9: remote_write.max_samples_per_request must be a positive integer (got \"_1\")",
                ])
        }
    }

    @Test func parsesQueryLimits() throws {
        let config = try MeridianConfig.parse(
            yaml: "query: {max_concurrency: 4, max_queued: 8, max_memory: 2GiB}")
        #expect(config.queryMaxConcurrency == 4)
        #expect(config.queryMaxQueued == 8)
        #expect(config.queryMaxMemory == .bytes(2 << 30))
        #expect(try MeridianConfig.parse(yaml: "query: {max_memory: 10%}").queryMaxMemory == .fractionOfRAM(0.1))
        #expect(MeridianConfig().queryMaxMemory.bytes(physicalMemory: 24 << 30) == 6 << 30, "a quarter of RAM by default")
        do {
            _ = try MeridianConfig.parse(yaml: "query:\n  max_concurrency: 0\n  max_memory: 150%\n")
            Issue.record("expected an error")
        } catch {
            #expect(
                error.problems.map(\.description) == [
                    "line 2: query.max_concurrency must be a positive integer (got \"0\")",
                    "line 3: query.max_memory: \"150%\" is neither a share of RAM (1% to 100%) nor a size (e.g. 2GiB)",
                ])
        }
    }

    @Test func malformedYAMLHasALine() {
        #expect(throws: ConfigError.self) { try MeridianConfig.parse(yaml: "server:\n  listen: [\n") }
    }
}

/// `center:` and `forward:`, and the checks a center role needs.
@Suite struct TopologyConfigTests {
    @Test func aCenterWithoutNameOrUpstreamIsRefusedAtTheRoleLine() {
        let yaml = """
            storage:
              data_dir: /tmp/x
            server:
              role: center
            forward:
              upstreams: ["https://g:9280/api/v1/write", "ftp://nope"]
              shards: 0
            """
        do {
            _ = try MeridianConfig.parse(yaml: yaml)
            Issue.record("expected an error")
        } catch {
            let byLine = error.problems.map { "\($0.line.map(String.init) ?? "-"): \($0.message)" }
            #expect(error.problems.map(\.line) == [6, 6, 7, 4], "\(byLine)")
            #expect(error.problems[0].message.contains("TLS"))
            #expect(error.problems[2].message.contains("forward.shards"))
            #expect(error.problems[3].message.contains("center.name"))
        }
        do {
            _ = try MeridianConfig.parse(yaml: "server:\n  role: center\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.map(\.line) == [2, 2])
            #expect(error.problems[0].message.contains("center.name"))
            #expect(error.problems[1].message.contains("forward.upstreams"))
        }
        do {
            _ = try MeridianConfig.parse(yaml: "forward:\n  shards: 5000\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.map(\.line) == [2])
            #expect(error.problems[0].message.contains("forward.shards must be at most 1024"))
        }
    }

    @Test func aCenterWithNameAndUpstreamIsAccepted() throws {
        let config = try MeridianConfig.parse(
            yaml: """
                server: {role: center}
                center: {name: gz}
                forward: {upstreams: ["http://127.0.0.1:9280/api/v1/write"]}
                """)
        #expect(config.topology.enforcedLabels == Labels(["center": "gz"]))
        #expect(MeridianService.storeOptions(config).retention == 2 * 86_400_000)
    }

    @Test func externalLabelsMayNotSetTheCenter() {
        #expect(throws: ConfigError.self) {
            try MeridianConfig.parse(yaml: "center: {name: bj, external_labels: {center: sh}}")
        }
    }
}
