import Logging
import MeridianModel
import Storage
import Testing
import TestSupport

@testable import PromQL

/// The engine over a real head, on small data sets whose answers are worked
/// out by hand (the differential suite checks the rest against Prometheus).
@Suite struct EngineTests {
    static let minute: Int64 = 60_000

    /// `counter{job=…}` rising by 60 a minute (1/s) from 0; `gauge{job=…}` at
    /// fixed values; `gone` with a stale marker at minute 3.
    private func engine() throws -> PromQLEngine {
        let head = Head(options: HeadOptions(), wal: nil, logger: Logger(label: "test"))
        var series: [(Labels, [Sample])] = []
        for job in ["a", "b"] {
            let counter = (0...20).map { Sample(t: Int64($0) * Self.minute, v: Double($0 * 60)) }
            series.append((Labels(["__name__": "counter", "job": job]), counter))
            let value = job == "a" ? 2.0 : 5.0
            series.append((Labels(["__name__": "gauge", "job": job]), (0...20).map { Sample(t: Int64($0) * Self.minute, v: value) }))
        }
        series.append((Labels(["__name__": "gone", "job": "a"]), [
            Sample(t: 0, v: 1), Sample(t: Self.minute, v: 1), Sample(t: 3 * Self.minute, v: StaleMarker.value),
        ]))
        series.append((Labels(["__name__": "info", "job": "a", "team": "x"]), (0...20).map { Sample(t: Int64($0) * Self.minute, v: 1) }))
        _ = try head.append(.make(series))
        return PromQLEngine(querier: head)
    }

    private func instant(_ query: String, at minutes: Double) throws -> [String: Double] {
        let value = try engine().instant(try PromQLParser.parse(query), at: Int64(minutes * Double(Self.minute)))
        switch value {
        case .vector(let elements):
            return Dictionary(uniqueKeysWithValues: elements.map { ("\($0.labels)", $0.v) })
        case .scalar(let sample):
            return ["scalar": sample.v]
        default:
            Issue.record("unexpected \(value.resultType)")
            return [:]
        }
    }

    @Test func selectorsLookBackFiveMinutesAndStopAtStaleMarkers() throws {
        #expect(try instant("gone", at: 2) == [#"gone{job="a"}"#: 1])
        #expect(try instant("gone", at: 3).isEmpty, "a stale marker ends the series")
        #expect(try instant("counter", at: 25) == [#"counter{job="a"}"#: 1200, #"counter{job="b"}"#: 1200])
        #expect(try instant("counter", at: 25.01).isEmpty, "more than 5 minutes after the last sample")
        #expect(try instant("counter offset 10m", at: 15) == [#"counter{job="a"}"#: 300, #"counter{job="b"}"#: 300])
        #expect(try instant("counter @ 120", at: 15) == [#"counter{job="a"}"#: 120, #"counter{job="b"}"#: 120])
    }

    @Test func arithmeticDropsTheNameAndComparisonsFilter() throws {
        #expect(try instant("gauge * 2", at: 5) == [#"{job="a"}"#: 4, #"{job="b"}"#: 10])
        #expect(try instant("gauge > 3", at: 5) == [#"gauge{job="b"}"#: 5])
        #expect(try instant("gauge > bool 3", at: 5) == [#"{job="a"}"#: 0, #"{job="b"}"#: 1])
        #expect(try instant("3 < gauge", at: 5) == [#"gauge{job="b"}"#: 5], "the vector's value, on either side")
        #expect(try instant("counter / gauge", at: 5) == [#"{job="a"}"#: 150, #"{job="b"}"#: 60])
        #expect(try instant("-gauge", at: 5) == [#"{job="a"}"#: -2, #"{job="b"}"#: -5])
        #expect(try instant("2 ^ 3 ^ 2", at: 5) == ["scalar": 512], "right-associative")
    }

    @Test func vectorMatching() throws {
        #expect(try instant("gauge + on(job) group_left(team) info", at: 5) == [#"{job="a", team="x"}"#: 3])
        #expect(try instant("gauge and on(job) info", at: 5) == [#"gauge{job="a"}"#: 2])
        #expect(try instant("gauge unless on(job) info", at: 5) == [#"gauge{job="b"}"#: 5])
        #expect(try instant("gauge or info", at: 5).count == 3)
        #expect(throws: QueryError.self) { try instant("gauge + on() counter", at: 5) }
    }

    @Test func aggregations() throws {
        #expect(try instant("sum(gauge)", at: 5) == ["{}": 7])
        #expect(try instant("avg by (job) (gauge)", at: 5) == [#"{job="a"}"#: 2, #"{job="b"}"#: 5])
        #expect(try instant("count without (job) (gauge)", at: 5) == ["{}": 2])
        #expect(try instant("max(gauge) - min(gauge)", at: 5) == ["{}": 3])
        #expect(try instant("stddev(gauge)", at: 5) == ["{}": 1.5])
        #expect(try instant("topk(1, gauge)", at: 5) == [#"gauge{job="b"}"#: 5])
        #expect(try instant("bottomk(1, gauge)", at: 5) == [#"gauge{job="a"}"#: 2])
        #expect(try instant("count_values(\"v\", gauge)", at: 5) == [#"{v="2"}"#: 1, #"{v="5"}"#: 1])
        #expect(try instant("quantile(0.5, gauge)", at: 5) == ["{}": 3.5])
    }

    @Test func rangeFunctionsSlideOverTheSamples() throws {
        #expect(try instant("rate(counter[5m])", at: 10) == [#"{job="a"}"#: 1, #"{job="b"}"#: 1])
        #expect(try instant("increase(counter{job=\"a\"}[10m])", at: 10) == [#"{job="a"}"#: 600])
        #expect(try instant("count_over_time(gauge{job=\"a\"}[5m])", at: 10) == [#"{job="a"}"#: 6], "both ends included")
        #expect(try instant("last_over_time(gauge{job=\"a\"}[5m])", at: 10) == [#"gauge{job="a"}"#: 2])
        #expect(try instant("max_over_time(counter{job=\"a\"}[10m:2m])", at: 10) == [#"{job="a"}"#: 600])
        #expect(try instant("absent(nothing{job=\"x\"})", at: 10) == [#"{job="x"}"#: 1])
        #expect(try instant("absent(gauge)", at: 10).isEmpty)
    }

    @Test func rangeQueriesEvaluateEveryStep() throws {
        let value = try engine().range(try PromQLParser.parse("sum(gauge)"), start: 0, end: 4 * Self.minute, step: Self.minute)
        guard case .matrix(let series) = value else { Issue.record("not a matrix"); return }
        #expect(series.count == 1)
        #expect(series.first?.samples == (0...4).map { Sample(t: Int64($0) * Self.minute, v: 7) })
        #expect(throws: QueryError.self) {
            try engine().range(try PromQLParser.parse("gauge[5m]"), start: 0, end: Self.minute, step: Self.minute)
        }
    }

    @Test func duplicateLabelSetsAreAnError() throws {
        let error = #expect(throws: QueryError.self) { try instant("rate({__name__=~\"counter|gauge\", job=\"a\"}[5m])", at: 10) }
        #expect(error?.message == "vector cannot contain metrics with the same labelset")
    }
}
