import Foundation
import MeridianModel
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

    @Test func roundTripsEveryValue() {
        var rng = SystemRandomNumberGenerator()
        _ = rng
        var x: UInt64 = 0x1234_5678_9abc_def0
        for _ in 0..<10_000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let v = Double(bitPattern: x >> 1)
            guard v.isFinite else { continue }
            #expect(Double(FloatFormat.prometheus(v)) == v)
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

@Suite struct SelectorParserTests {
    @Test func parsesSelectors() throws {
        let m = try SelectorParser.parse(#"http_requests_total{job=~"api|web", code!="500",path!~'/x.*',env=`prod`}"#)
        #expect(m.map(\.description) == [
            #"__name__="http_requests_total""#, #"job=~"api|web""#, #"code!="500""#, #"path!~"/x.*""#, #"env="prod""#,
        ])
        #expect(try SelectorParser.parse(#"{__name__="up"}"#).count == 1)
        #expect(try SelectorParser.parse(#"up{a="\"q\"\n"}"#)[1].value == "\"q\"\n")
    }

    @Test(arguments: ["up{", "up{job}", #"up{job="x""#, #"{job=""}"#, "", #"up{job=~"("}"#, "up extra"])
    func rejectsBadSelectors(text: String) {
        #expect(throws: APIError.self) { try SelectorParser.parse(text) }
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
                server: {listen: "0.0.0.0:9000", role: center, center: bj, upstreams: [http://g:9280/api/v1/write]}
                storage: {data_dir: /var/lib/meridian, wal: {segment_size: 16MiB, fsync_interval: 250ms}}
                remote_write: {max_body_size: 1MB}
                """)
        #expect(config.listen == "0.0.0.0:9000")
        #expect(config.role == .center)
        #expect(config.center == "bj")
        #expect(config.upstreams == ["http://g:9280/api/v1/write"])
        #expect(config.walSegmentSize == 16 << 20)
        #expect(config.walFsyncInterval == 0.25)
        #expect(config.maxBodySize == 1_000_000)
        #expect(try config.hostAndPort() == ("0.0.0.0", 9000))
    }

    @Test func malformedYAMLHasALine() {
        #expect(throws: ConfigError.self) { try MeridianConfig.parse(yaml: "server:\n  listen: [\n") }
    }
}
