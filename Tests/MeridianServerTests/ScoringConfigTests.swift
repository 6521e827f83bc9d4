import Foundation
import PromQL
import Scoring
import Testing

@testable import MeridianServer

@Suite struct ScoringConfigTests {
    /// The problems of `yaml`, or none when it parses.
    func problems(_ yaml: String) -> [ConfigProblem] {
        do {
            _ = try MeridianConfig.parse(yaml: yaml)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func embeddedDefaultSpellsOutTheBuiltInDefaults() throws {
        let parsed = try MeridianConfig.parse(yaml: embeddedDefaultYAML)
        #expect(parsed.scoring == ScoringConfig())
        #expect(parsed.scoring.rules.signals == SignalRule.defaults)
        #expect(MeridianConfig.embeddedDefault().scoring == ScoringConfig())
    }

    @Test func anEmptySectionKeepsTheDefaults() throws {
        #expect(try MeridianConfig.parse(yaml: "scoring:\n").scoring == ScoringConfig())
        #expect(try MeridianConfig.parse(yaml: "scoring: {}\n").scoring == ScoringConfig())
    }

    @Test func aFullExampleParses() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scoring-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenFile = dir.appendingPathComponent("override.token")
        try "  s3cret\n\n".write(to: tokenFile, atomically: true, encoding: .utf8)

        let yaml = """
            scoring:
              enabled: false
              interval: 10s
              fall: 2
              rise: 4
              up_at: 0.9
              degraded_at: 0.6
              stale_after: 1m
              grace: 2m
              forget_after: 6h
              min_healthy_centers: 0
              query_url: http://prometheus.internal:9090/prom
              agent_listen: 0.0.0.0:9281
              feed_token: open-sesame
              override_token_file: \(tokenFile.path)
              centers:
                - name: bj
                  capacity: 2
                  answers: [203.0.113.10, 203.0.113.11]
                  serves: [north]
                - name: sh
                  answers: [edge-sh.example.com.]
                - name: gz
                  capacity: 0.5
              regions:
                - name: north
                  prefer: [bj, sh, gz]
                - name: south
                  prefer: [gz]
              services: [checkout, search]
              signals:
                - name: errors
                  expr: sum by (center) (rate(errors_total[5m]))
                  good: 1
                  bad: 10
                  weight: 2.5
                  down_above: 100
                - name: p95
                  expr: |
                    histogram_quantile(0.95,
                      sum by (center, le) (rate(latency_bucket[5m])))
                  good: 0.2
                  bad: 1
                  weight: 1
                  latency: true
                  down_below: -1
                  enabled: false
            """
        let scoring = try MeridianConfig.parse(yaml: yaml).scoring

        var rules = ScoringRules()
        rules.interval = 10
        rules.fall = 2
        rules.rise = 4
        rules.upAt = 0.9
        rules.degradedAt = 0.6
        rules.staleAfter = 60
        rules.grace = 120
        rules.forgetAfter = 6 * 3600
        rules.minHealthyCenters = 0
        rules.centers = [
            CenterRule(name: "bj", capacity: 2, answers: ["203.0.113.10", "203.0.113.11"], serves: ["north"]),
            CenterRule(name: "sh", answers: ["edge-sh.example.com."]),
            CenterRule(name: "gz", capacity: 0.5),
        ]
        rules.regions = [
            RegionRule(name: "north", preference: ["bj", "sh", "gz"]), RegionRule(name: "south", preference: ["gz"]),
        ]
        rules.services = ["checkout", "search"]
        rules.signals = [
            SignalRule(
                name: "errors", expr: "sum by (center) (rate(errors_total[5m]))", good: 1, bad: 10, weight: 2.5,
                downAbove: 100),
            SignalRule(
                name: "p95", expr: "histogram_quantile(0.95,\n  sum by (center, le) (rate(latency_bucket[5m])))\n",
                good: 0.2,
                bad: 1, weight: 1, latency: true, downBelow: -1, enabled: false),
        ]
        var expected = ScoringConfig()
        expected.enabled = false
        expected.rules = rules
        expected.queryURL = "http://prometheus.internal:9090/prom"
        expected.agentListen = "0.0.0.0:9281"
        expected.feedToken = "open-sesame"
        expected.overrideToken = "s3cret"
        #expect(scoring == expected)
    }

    @Test func signalsReplaceTheDefaults() throws {
        let yaml = """
            scoring:
              signals:
                - name: availability
                  expr: avg by (center) (up)
                  good: 1
                  bad: 0
                  weight: 1
            """
        let signals = try MeridianConfig.parse(yaml: yaml).scoring.rules.signals
        #expect(signals == [SignalRule(name: "availability", expr: "avg by (center) (up)", good: 1, bad: 0, weight: 1)])
        // Nothing to score is refused, unless scoring is off.
        #expect(throws: ConfigError.self) { try MeridianConfig.parse(yaml: "scoring:\n  signals: []\n") }
        do {
            _ = try MeridianConfig.parse(yaml: "scoring:\n  signals: []\n")
        } catch {
            #expect(error.problems.map(\.line) == [2])
            #expect(error.problems.first?.message.contains("no enabled signal") == true)
        }
        let off = try MeridianConfig.parse(yaml: "scoring:\n  enabled: false\n  signals: []\n")
        #expect(off.scoring.rules.signals.isEmpty && !off.scoring.enabled)
    }

    @Test func emptyStringsMeanNone() throws {
        let yaml = """
            scoring:
              query_url: ""
              agent_listen: ""
              feed_token: ""
              override_token: ""
            """
        #expect(try MeridianConfig.parse(yaml: yaml).scoring == ScoringConfig())
    }

    @Test func aBadExpressionReportsItsLineAndTheParserMessage() throws {
        let expr = "sum by (center) (rate(http_requests_total[1m])"
        var parserMessage = ""
        do {
            _ = try PromQLParser.parse(expr)
        } catch {
            parserMessage = error.message
        }
        #expect(!parserMessage.isEmpty)
        let yaml = """
            scoring:
              signals:
                - name: errors
                  good: 0
                  bad: 1
                  weight: 1
                  expr: \(expr)
                - name: folded
                  good: 0
                  bad: 1
                  weight: 1
                  expr: >-
                    sum by (center)
                    (rate(x[1m]) +)
            """
        let found = problems(yaml)
        #expect(found.count == 2)
        #expect(found.first?.line == 7)
        #expect(found.first?.message.hasPrefix("scoring.signals.errors.expr does not parse: ") == true)
        #expect(found.first?.message.contains(parserMessage) == true)
        #expect(found.last?.line == 12)
        #expect(found.last?.message.hasPrefix("scoring.signals.folded.expr does not parse: ") == true)
    }

    @Test func tokensFromFiles() throws {
        let missing = "/nonexistent/\(UUID().uuidString)"
        let found = problems("scoring:\n  feed_token_file: \(missing)\n")
        #expect(found.map(\.line) == [2])
        #expect(found.first?.message.hasPrefix("scoring.feed_token_file: cannot read \"\(missing)\"") == true)

        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).token")
        try "\n".write(to: empty, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: empty) }
        let emptyFound = problems("scoring:\n  override_token_file: \(empty.path)\n")
        #expect(emptyFound.map(\.line) == [2])
        #expect(emptyFound.first?.message.contains("is empty") == true)

        let both = problems("scoring:\n  feed_token: a\n  feed_token_file: \(empty.path)\n")
        #expect(both.map(\.line) == [3])
        #expect(both.first?.message == "set only one of scoring.feed_token and scoring.feed_token_file")
    }

    /// One mistake each: the body under `scoring:` (so the first key is on
    /// line 2), the line of the problem and a part of its message.
    static let mistakes: [(body: String, line: Int, message: String)] = [
        ("enabled: maybe", 2, "scoring.enabled must be true or false"),
        ("interval: 0s", 2, "scoring.interval must be positive"),
        ("interval: soon", 2, "scoring.interval: \"soon\" is not a duration"),
        ("fall: 0", 2, "scoring.fall must be a positive integer"),
        ("rise: 2.5", 2, "scoring.rise must be a positive integer"),
        ("up_at: 1.5", 2, "scoring.up_at must be between 0 and 1"),
        ("degraded_at: -0.1", 2, "scoring.degraded_at must be between 0 and 1"),
        ("up_at: .inf", 2, "scoring.up_at must be a finite number"),
        ("degraded_at: half", 2, "scoring.degraded_at must be a finite number"),
        ("up_at: 0.5\n  degraded_at: 0.6", 3, "scoring.degraded_at (0.6) must be below scoring.up_at (0.5)"),
        ("degraded_at: 0.8", 2, "must be below scoring.up_at (0.8)"),
        ("up_at: 0.4", 2, "scoring.degraded_at (0.5) must be below scoring.up_at (0.4)"),
        ("stale_after: 0s", 2, "scoring.stale_after must be positive"),
        ("grace: 0s", 2, "scoring.grace must be positive"),
        ("forget_after: 0s", 2, "scoring.forget_after must be positive"),
        ("min_healthy_centers: -1", 2, "scoring.min_healthy_centers must be a whole number, 0 or more"),
        (
            "query_url: https://prometheus:9090", 2,
            "scoring.query_url: \"https://prometheus:9090\" is not an http:// URL"
        ),
        ("query_url: http://", 2, "is not an http:// URL with a host"),
        ("query_url: 127.0.0.1:9090", 2, "is not an http:// URL with a host"),
        ("agent_listen: 9281", 2, "scoring.agent_listen: \"9281\" is not HOST:PORT"),
        ("agent_listen: localhost:99999", 2, "is not HOST:PORT"),
        ("feed_token: [a]", 2, "scoring.feed_token must be a string"),
        ("colour: blue", 2, "unknown key \"colour\" in scoring"),
        // centers
        ("centers: bj", 2, "scoring.centers must be a list"),
        ("centers:\n    - capacity: 2", 3, "each of scoring.centers needs a name"),
        ("centers:\n    - name: \"\"", 3, "scoring.centers[].name must not be empty"),
        ("centers:\n    - name: bj\n    - name: bj", 4, "scoring.centers: name \"bj\" is used twice"),
        ("centers:\n    - name: bj\n      capacity: 0", 4, "scoring.centers.bj.capacity must be positive"),
        ("centers:\n    - name: bj\n      capacity: lots", 4, "scoring.centers.bj.capacity must be a finite number"),
        ("centers:\n    - name: bj\n      answers: 203.0.113.1", 4, "scoring.centers.bj.answers must be a list"),
        ("centers:\n    - name: bj\n      weight: 2", 4, "unknown key \"weight\" in scoring.centers.bj"),
        // regions
        ("regions:\n    - name: north\n    - name: north", 4, "scoring.regions: name \"north\" is used twice"),
        ("regions:\n    - prefer: [bj]", 3, "each of scoring.regions needs a name"),
        (
            "regions:\n    - name: north\n      prefer: [bj, sh, bj]", 4,
            "scoring.regions.north.prefer lists center \"bj\" twice"
        ),
        (
            "centers:\n    - name: bj\n  regions:\n    - name: north\n      prefer:\n        - bj\n        - sh", 8,
            "scoring.regions: center \"sh\" is not one of scoring.centers"
        ),
        (
            "regions:\n    - name: north\n      prefer: [xa]\n  centers:\n    - name: bj", 4,
            "center \"xa\" is not one of scoring.centers"
        ),
        // services
        ("services: checkout", 2, "scoring.services must be a list"),
        ("services: [checkout, [search]]", 2, "each of scoring.services must be a string"),
        // signals
        ("signals: {}", 2, "scoring.signals must be a list"),
        ("signals:\n    - expr: up", 3, "each of scoring.signals needs a name"),
        ("signals:\n    - name: \"\"", 3, "scoring.signals[].name must not be empty"),
        (
            "signals:\n    - {name: a, expr: up, good: 1, bad: 0, weight: 1}\n    - {name: a, expr: up, good: 1, bad: 0, weight: 1}",
            4, "scoring.signals: name \"a\" is used twice"
        ),
        ("signals:\n    - name: a\n      good: 1\n      bad: 0", 3, "scoring.signals.a needs expr"),
        ("signals:\n    - name: a\n      expr: up\n      bad: 0", 3, "scoring.signals.a needs good"),
        (
            "signals:\n    - name: a\n      expr: up\n      good: 0.5\n      bad: 0.5", 6,
            "scoring.signals.a: good and bad must differ"
        ),
        (
            "signals:\n    - name: a\n      expr: up\n      good: 1\n      bad: 0\n      weight: 0", 7,
            "scoring.signals.a.weight must be positive"
        ),
        (
            "signals:\n    - name: a\n      expr: up\n      good: 1\n      bad: 0\n      weight: .inf", 7,
            "scoring.signals.a.weight must be a finite number"
        ),
        (
            "signals:\n    - name: a\n      expr: up\n      good: high\n      bad: 0", 5,
            "scoring.signals.a.good must be a finite number"
        ),
        (
            "signals:\n    - name: a\n      expr: up\n      good: 1\n      bad: .nan", 6,
            "scoring.signals.a.bad must be a finite number"
        ),
        (
            "signals:\n    - name: a\n      expr: up\n      good: 1\n      bad: 0\n      down_above: lots", 7,
            "scoring.signals.a.down_above must be a finite number"
        ),
        (
            "signals:\n    - name: a\n      expr: up\n      good: 1\n      bad: 0\n      down_below: -.inf", 7,
            "scoring.signals.a.down_below must be a finite number"
        ),
        (
            "signals:\n    - name: a\n      expr: up\n      good: 1\n      bad: 0\n      latency: yes", 7,
            "scoring.signals.a.latency must be true or false"
        ),
        (
            "signals:\n    - name: a\n      expr: up\n      good: 1\n      bad: 0\n      enabled: 1", 7,
            "scoring.signals.a.enabled must be true or false"
        ),
        (
            "signals:\n    - name: a\n      expr: up\n      good: 1\n      bad: 0\n      query: up", 7,
            "unknown key \"query\" in scoring.signals.a"
        ),
    ]

    @Test(arguments: mistakes)
    func eachMistakeIsReportedOnItsLine(_ mistake: (body: String, line: Int, message: String)) {
        let found = problems("scoring:\n  \(mistake.body)\n")
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == mistake.line, "\(found)")
        #expect(found.first?.message.contains(mistake.message) == true, "\(found)")
    }

    @Test func validValuesAtTheEdgesAreAccepted() throws {
        let yaml = """
            scoring:
              min_healthy_centers: 0
              up_at: 1
              degraded_at: 0
              fall: 1_000
              query_url: http://[::1]:9090
              agent_listen: "[::1]:9281"
              centers:
              regions:
                - name: north
                  prefer: [anything]
            """
        let rules = try MeridianConfig.parse(yaml: yaml).scoring.rules
        #expect(rules.minHealthyCenters == 0)
        #expect(rules.upAt == 1 && rules.degradedAt == 0)
        #expect(rules.fall == 1000)
        #expect(rules.centers.isEmpty)
        #expect(rules.regions == [RegionRule(name: "north", preference: ["anything"])])
    }
}
