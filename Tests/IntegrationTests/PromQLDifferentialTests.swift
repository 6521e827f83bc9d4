import Foundation
import TestSupport
import Testing

/// PromQL differential suite: the same data (counters with resets, gauges,
/// classic histograms, stale series, gaps, NaN and ±Inf) goes by remote-write
/// into a real Prometheus 2.42 and into the candidate, and every query of
/// `promql-cases/*.promql` runs on both as instant queries at seven times and
/// as five range queries (``DiffEvaluation/all``; fewer where a case file says
/// so); the answers must agree (see ``OutcomeComparator``).
///
/// The candidate is Meridian by default. `MERIDIAN_PROMQL_DIFF_CANDIDATE=prometheus`
/// makes it a second Prometheus, which checks the harness and the cases
/// themselves: in that mode every case must pass. A missing Prometheus fails the run.
@Suite(.serialized) struct PromQLDifferentialTests {
    @Test(.timeLimit(.minutes(3))) func candidateAnswersEveryCaseLikePrometheus() async throws {
        let cases = try DiffCase.loadAll()
        #expect(cases.count >= 300, "the case files hold \(cases.count) queries")
        let directory = try TemporaryDirectory("promql-diff")
        defer { directory.remove() }
        let servers = try await DiffServers.start(in: directory)
        defer { servers.stop() }

        let clock = ContinuousClock()
        let loadStarted = clock.now
        let loadProblems = try await servers.load(DiffDataSet())
        let loaded = clock.now
        let probe = try await TestHTTP.get(
            servers.candidate.baseURL + "/api/v1/query", [("query", "1"), ("time", "1700000000")])
        guard probe.status != 404 else {
            Issue.record("the candidate has no /api/v1/query (HTTP 404): nothing to compare yet")
            return
        }
        if !loadProblems.isEmpty {
            Issue.record(
                Comment(rawValue: "the candidate did not take all the data:\n" + loadProblems.joined(separator: "\n")))
        }

        let plan = cases.map { ($0, $0.evaluations) } + Self.parameterCases
        let runner = DiffRunner(oracleURL: servers.oracle.baseURL, candidateURL: servers.candidate.baseURL)
        let report = await runner.run(plan)
        let ran = clock.now

        print(
            "PromQL diff vs \(servers.candidateKind.rawValue): \(plan.count) queries, \(report.evaluations) evaluations, "
                + "\(report.failingCases) failing; load \(loaded - loadStarted), queries \(ran - loaded); "
                + "\(report.alwaysEmpty.count) always empty, \(report.alwaysError.count) always an error")
        if ProcessInfo.processInfo.environment["MERIDIAN_PROMQL_DIFF_VERBOSE"] != nil {
            for c in report.alwaysEmpty { print("always empty: \(c.location) \(c.query)") }
            for c in report.alwaysError { print("always an error: \(c.location) \(c.query)") }
        }
        if !report.mismatches.isEmpty {
            Issue.record(Comment(rawValue: report.describeFailures()))
        }
        #expect(servers.oracle.isRunning && servers.candidate.isRunning, "both servers survived the run")
    }

    /// API parameters rather than language: step alignment, resolution limits, time formats.
    static let parameterCases: [(DiffCase, [DiffEvaluation])] = {
        let t0 = DiffDataSet.start / 1000
        var line = 0
        func parameter(_ name: String, _ query: String, _ parameters: [(String, String)], range: Bool) -> (
            DiffCase, [DiffEvaluation]
        ) {
            line += 1
            return (
                DiffCase(query: query, file: "parameterCases", line: line),
                [DiffEvaluation(name: name, parameters: parameters, isRange: range)]
            )
        }
        return [
            parameter("step=0", "up", [("start", "\(t0)"), ("end", "\(t0 + 600)"), ("step", "0")], range: true),
            parameter(
                "negative step", "up", [("start", "\(t0)"), ("end", "\(t0 + 600)"), ("step", "-15")], range: true),
            parameter(
                "end before start", "up", [("start", "\(t0 + 600)"), ("end", "\(t0)"), ("step", "15")], range: true),
            parameter(
                "start == end", "up", [("start", "\(t0 + 600)"), ("end", "\(t0 + 600)"), ("step", "15")], range: true),
            parameter(
                "over 11000 points", "up", [("start", "\(t0)"), ("end", "\(t0 + 7200)"), ("step", "0.5")], range: true),
            parameter(
                "step 1m30s", "node_load1", [("start", "\(t0 + 1)"), ("end", "\(t0 + 3601)"), ("step", "1m30s")],
                range: true),
            parameter(
                "ms step", "node_load1", [("start", "\(t0).250"), ("end", "\(t0 + 120)"), ("step", "7.5")], range: true),
            parameter(
                "step beyond range", "up", [("start", "\(t0 + 60)"), ("end", "\(t0 + 100)"), ("step", "3600")],
                range: true),
            parameter(
                "RFC 3339 range", "sum(up)",
                [("start", "2023-11-14T22:30:00Z"), ("end", "2023-11-14T23:00:00.5Z"), ("step", "5m")], range: true),
            parameter("RFC 3339 time", "sum by (job) (up)", [("time", "2023-11-14T23:15:07.250Z")], range: false),
            parameter("bad time", "up", [("time", "yesterday")], range: false),
            parameter("bad step", "up", [("start", "\(t0)"), ("end", "\(t0 + 60)"), ("step", "fast")], range: true),
            parameter("missing step", "up", [("start", "\(t0)"), ("end", "\(t0 + 60)")], range: true),
            parameter("empty query", "", [("time", "\(t0 + 60)")], range: false),
        ]
    }()
}
