import Logging
import MeridianModel
import PromQL
import Storage
import Synchronization
import TestSupport
import Testing

@testable import Scoring

/// The local query seam: signals evaluated by the PromQL engine over an
/// in-memory head, and their results turned into a round's input.
@Suite struct PromQLSignalSourceTests {
    static let second: Int64 = 1000

    /// An engine over `series`, each sampled every 15 s for two minutes with
    /// values from `value(t)` (t in seconds).
    private func source(_ series: [(Labels, (Int64) -> Double)]) throws -> PromQLSignalSource {
        let head = Head(wal: nil, logger: Logger(label: "scoring-test"))
        let batch = series.map { labels, value in
            (labels, stride(from: Int64(0), through: 120, by: 15).map { Sample(t: $0 * Self.second, v: value($0)) })
        }
        _ = try head.append(.make(batch))
        return PromQLSignalSource(engine: PromQLEngine(querier: head))
    }

    @Test func addKeepsTheCenterAndServiceLabels() async throws {
        let source = try source([
            (Labels(["__name__": "quality", "center": "a", "service": "checkout", "pod": "p1"]), { _ in 0.875 }),
            (Labels(["__name__": "quality", "center": "b"]), { _ in 0.5 }),
            (Labels(["__name__": "quality", "service": "orphan"]), { _ in 1 }),
        ])
        let result = try await source.instant("quality", at: 120)
        #expect(result.count == 3)

        var input = RoundInput(time: 120)
        input.add("quality", result)
        let values = (input.values["quality"] ?? []).sorted { $0.center < $1.center }
        #expect(
            values == [
                SignalValue(center: "a", service: "checkout", value: 0.875), SignalValue(center: "b", value: 0.5),
            ], "a series without a center is nobody's")
    }

    @Test func addTreatsEmptyLabelsAsAbsentAndReplacesTheSignal() {
        var input = RoundInput(time: 0)
        input.add("s", [(Labels(["center": "a"]), 1)])
        input.add(
            "s",
            [
                (Labels(["center": "", "service": "x"]), 1), (Labels(["center": "b", "service": ""]), 0.25),
                (.empty, 2),
            ])
        #expect(input.values == ["s": [SignalValue(center: "b", value: 0.25)]])
    }

    @Test func aggregationsByCenterAndServiceKeepBothLabels() async throws {
        let source = try source([
            (Labels(["__name__": "up", "center": "a", "service": "checkout", "instance": "1"]), { _ in 1 }),
            (Labels(["__name__": "up", "center": "a", "service": "checkout", "instance": "2"]), { _ in 0 }),
            (Labels(["__name__": "up", "center": "b", "service": "checkout", "instance": "1"]), { _ in 1 }),
        ])
        var input = RoundInput(time: 120)
        input.add("availability", try await source.instant("avg by (center, service) (up)", at: 120))
        let values = (input.values["availability"] ?? []).sorted { $0.center < $1.center }
        #expect(
            values == [
                SignalValue(center: "a", service: "checkout", value: 0.5),
                SignalValue(center: "b", service: "checkout", value: 1),
            ])
    }

    @Test func theDefaultSignalsScoreConventionalMetrics() async throws {
        // a/checkout: 9 requests a second answered 200 and 1 answered 500; b/checkout: all 200.
        let counter = { (perSecond: Double) -> (Int64) -> Double in { t in perSecond * Double(t) } }
        let source = try source([
            (
                Labels(["__name__": "http_requests_total", "center": "a", "service": "checkout", "code": "200"]),
                counter(9)
            ),
            (
                Labels(["__name__": "http_requests_total", "center": "a", "service": "checkout", "code": "500"]),
                counter(1)
            ),
            (
                Labels(["__name__": "http_requests_total", "center": "b", "service": "checkout", "code": "200"]),
                counter(10)
            ),
            (Labels(["__name__": "up", "center": "a", "service": "checkout"]), { _ in 1 }),
            (Labels(["__name__": "up", "center": "b", "service": "checkout"]), { _ in 1 }),
        ])
        let rules = makeRules(centers("a", "b"), signals: SignalRule.defaults)
        var input = RoundInput(time: 120)
        input.freshness = ["a": fresh(), "b": fresh()]
        for signal in rules.signals where signal.enabled {
            input.add(signal.name, try await source.instant(signal.expr, at: 120))
        }
        let errors = (input.values["error_ratio"] ?? []).sorted { $0.center < $1.center }
        #expect(errors.map(\.center) == ["a", "b"])
        #expect(errors.map(\.service) == ["checkout", "checkout"])
        #expect(abs(errors[0].value - 0.1) < 1e-9)
        #expect(errors[1].value == 0, "no 5xx series: the `or … * 0` branch")
        #expect(input.values["latency_p99"] == [], "no histogram")

        var engine = HealthEngine(rules: rules)
        let (snapshot, _) = engine.evaluate(input)
        #expect(snapshot.entity(key("a/checkout"))?.state == .down)
        #expect(snapshot.entity(key("b/checkout"))?.state == .up)
        #expect(snapshot.entity(key("a/checkout"))?.reasons.last?.hasPrefix("error_ratio 0.1 >= 0.05 (bad)") == true)
        #expect(snapshot.entity(key("b"))?.weight == 100)
    }

    @Test func aScalarResultIsOneSeriesWithoutLabels() async throws {
        let source = try source([])
        let result = try await source.instant("1 + 1", at: 120)
        #expect(result.count == 1)
        #expect(result.first?.labels == .empty)
        #expect(result.first?.value == 2)
        var input = RoundInput(time: 120)
        input.add("constant", result)
        #expect(input.values["constant"] == [], "nobody's")
    }

    @Test func aRangeResultIsRefused() async throws {
        let source = try source([(Labels(["__name__": "quality", "center": "a"]), { _ in 1 })])
        let error = await #expect(throws: SignalSourceError.self) {
            _ = try await source.instant("quality[1m]", at: 120)
        }
        #expect(error?.description == "the expression gives a matrix, not an instant vector")
    }

    @Test func aSyntaxErrorThrows() async throws {
        let source = try source([])
        await #expect(throws: (any Error).self) { _ = try await source.instant("sum by (", at: 120) }
    }

    @Test func theRunnerEvaluatesEveryQuery() async throws {
        let head = Head(wal: nil, logger: Logger(label: "scoring-test"))
        _ = try head.append(.make([(Labels(["__name__": "quality", "center": "a"]), [Sample(t: 60_000, v: 0.5)])]))
        let engine = PromQLEngine(querier: head)
        let calls = Mutex(0)
        let source = PromQLSignalSource(engine: engine) { evaluate in
            calls.withLock { $0 += 1 }
            return try evaluate(engine.makeContext())
        }
        let result = try await source.instant("quality", at: 90)
        #expect(result.map { $0.value } == [0.5])
        #expect(calls.withLock { $0 } == 1)
    }

    @Test func timeIsGivenInSeconds() async throws {
        let source = try source([(Labels(["__name__": "quality", "center": "a"]), { t in Double(t) })])
        #expect(try await source.instant("quality", at: 50).map { $0.value } == [45])
        #expect(try await source.instant("quality", at: 60.0004).map { $0.value } == [60], "rounded to the millisecond")
    }
}
