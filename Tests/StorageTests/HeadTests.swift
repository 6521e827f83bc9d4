import Foundation
import Logging
import MeridianModel
import Testing
import TestSupport

@testable import Storage

private func series(_ name: String, _ extra: [String: String] = [:]) -> Labels {
    var all = extra
    all["__name__"] = name
    return Labels(all)
}

private func allSamples(_ querier: any Querier, _ matchers: [LabelMatcher]) throws -> [Labels: [Sample]] {
    var out: [Labels: [Sample]] = [:]
    for s in try querier.select(matchers, mint: .min, maxt: .max) { out[s.labels] = s.samples() }
    return out
}

@Suite struct HeadAppendTests {
    let logger = Logger(label: "test")

    @Test func appendsAndReadsBackAcrossChunks() throws {
        let head = Head(wal: nil, logger: logger)
        let labels = series("up", ["job": "node"])
        // 300 samples at 15 s: several 120-sample chunks, and a 2 h chunk-range boundary.
        let samples = (0..<300).map { Sample(t: 7_000_000 + Int64($0) * 15_000, v: Double($0 % 7)) }
        for chunk in stride(from: 0, to: samples.count, by: 50) {
            let outcome = try head.append(.make([(labels, Array(samples[chunk..<min(chunk + 50, samples.count)]))]))
            #expect(outcome.rejected == 0)
        }
        let read = try allSamples(head, [try LabelMatcher(.equal, "__name__", "up")])
        #expect(read == [labels: samples])
        #expect(head.seriesCount == 1)
        #expect(head.timeRange == samples.first!.t...samples.last!.t)
        try head.checkInvariants()
    }

    @Test func rangeSelectionClipsSamples() throws {
        let head = Head(wal: nil, logger: logger)
        let labels = series("m")
        let samples = (0..<500).map { Sample(t: Int64($0) * 1000, v: Double($0)) }
        _ = try head.append(.make([(labels, samples)]))
        let selected = try head.select([try LabelMatcher(.equal, "__name__", "m")], mint: 100_500, maxt: 200_000)
        #expect(selected.count == 1)
        #expect(selected[0].samples() == samples.filter { $0.t >= 100_500 && $0.t <= 200_000 })
        var it = selected[0].makeIterator()
        let found = it.seek(150_000)
        #expect(found && it.at().t == 150_000)
        let backwards = it.seek(10)  // never moves backwards
        #expect(backwards && it.at().t == 150_000)
        let beyond = it.seek(300_000)
        #expect(!beyond)
        #expect(try head.select([try LabelMatcher(.equal, "__name__", "m")], mint: 600_000, maxt: 700_000).isEmpty)
    }

    @Test func duplicatesAreSilentConflictsAndOutOfOrderAreRefused() throws {
        let head = Head(wal: nil, logger: logger)
        let a = series("a")
        let b = series("b")
        _ = try head.append(.make([(a, [Sample(t: 1000, v: 1), Sample(t: 2000, v: StaleMarker.value)])]))
        let outcome = try head.append(
            .make([
                (a, [Sample(t: 2000, v: StaleMarker.value)]),  // exact duplicate, stale marker bits
                (a, [Sample(t: 1500, v: 5)]),  // out of order
                (b, [Sample(t: 10, v: 1), Sample(t: 10, v: 2)]),  // conflicting value
            ]))
        #expect(outcome.duplicates == 1)
        #expect(outcome.outOfOrder == 1)
        #expect(outcome.conflicting == 1)
        #expect(outcome.appended == 1)
        #expect(Set(outcome.rejections.map(\.code)) == [.outOfOrderSample, .duplicateSampleForTimestamp])
        let texts = outcome.rejections.map(\.description)
        #expect(texts.contains { $0.hasPrefix("out of order sample: series a at timestamp 1500") })
        #expect(texts.contains { $0.hasPrefix("duplicate sample for timestamp: series b at timestamp 10") })
        let read = try allSamples(head, [try LabelMatcher(.regexMatch, "__name__", "a|b")])
        #expect(read[a] == [Sample(t: 1000, v: 1), Sample(t: 2000, v: StaleMarker.value)])
        #expect(read[b] == [Sample(t: 10, v: 1)])
    }

    @Test func nanPayloadsAndInfinitiesSurviveBitExactly() throws {
        let head = Head(wal: nil, logger: logger)
        let values = [
            Double.nan, StaleMarker.value, Double(bitPattern: 0x7ff8_dead_beef_0001), .infinity, -.infinity, -0.0,
            .leastNonzeroMagnitude, .greatestFiniteMagnitude,
        ]
        let samples = values.enumerated().map { Sample(t: Int64($0.offset) - 3, v: $0.element) }
        _ = try head.append(.make([(series("x"), samples)]))
        let read = try allSamples(head, [try LabelMatcher(.equal, "__name__", "x")])
        #expect(read[series("x")]!.map(\.v.bitPattern) == values.map(\.bitPattern))
    }
}

@Suite struct HeadMatcherTests {
    let head: Head

    init() throws {
        head = Head(wal: nil, logger: Logger(label: "test"))
        var input: [(Labels, [Sample])] = []
        for job in ["api", "db", "web"] {
            for instance in 0..<3 {
                var labels = ["job": job, "instance": "i\(instance)"]
                if instance == 0 { labels["canary"] = "yes" }
                input.append((series("http_requests_total", labels), [Sample(t: 1, v: 1)]))
            }
        }
        input.append((series("other"), [Sample(t: 1, v: 1)]))
        _ = try head.append(.make(input))
    }

    private func count(_ matchers: [(MatchType, String, String)]) throws -> Int {
        try head.select(matchers.map { try LabelMatcher($0.0, $0.1, $0.2) }, mint: .min, maxt: .max).count
    }

    @Test func everyMatcherKind() throws {
        #expect(try count([(.equal, "job", "api")]) == 3)
        #expect(try count([(.notEqual, "job", "api"), (.equal, "__name__", "http_requests_total")]) == 6)
        #expect(try count([(.regexMatch, "job", "api|web")]) == 6)
        #expect(try count([(.regexMatch, "job", "a.*")]) == 3)
        #expect(try count([(.regexMatch, "instance", "i[12]")]) == 6)
        #expect(try count([(.regexNoMatch, "job", "db|web"), (.equal, "__name__", "http_requests_total")]) == 3)
        #expect(try count([(.equal, "job", "api"), (.equal, "instance", "i1")]) == 1)
        #expect(try count([(.equal, "job", "nope")]) == 0)
    }

    @Test func emptyValueMatchesMissingLabel() throws {
        // {canary=""} selects series without the label, as in Prometheus.
        #expect(try count([(.equal, "__name__", "http_requests_total"), (.equal, "canary", "")]) == 6)
        #expect(try count([(.equal, "__name__", "http_requests_total"), (.notEqual, "canary", "")]) == 3)
        #expect(try count([(.regexMatch, "canary", ".+")]) == 3)
        #expect(try count([(.equal, "__name__", "other"), (.regexMatch, "job", ".*")]) == 1)
    }

    @Test func resultsAreSortedByLabels() throws {
        let result = try head.select([try LabelMatcher(.regexMatch, "__name__", ".+")], mint: .min, maxt: .max)
        #expect(result.map(\.labels) == result.map(\.labels).sorted())
        #expect(result.count == 10)
    }

    @Test func labelNamesAndValues() throws {
        #expect(try head.labelNames(matching: [], mint: .min, maxt: .max) == ["__name__", "canary", "instance", "job"])
        #expect(try head.labelValues("job", matching: [], mint: .min, maxt: .max) == ["api", "db", "web"])
        let m = [try LabelMatcher(.equal, "job", "db")]
        #expect(try head.labelValues("instance", matching: m, mint: .min, maxt: .max) == ["i0", "i1", "i2"])
        #expect(try head.labelNames(matching: [try LabelMatcher(.equal, "__name__", "other")], mint: .min, maxt: .max) == ["__name__"])
    }
}

@Suite struct HeadConcurrencyTests {
    @Test func concurrentWritersCreateEachSeriesOnce() async throws {
        let head = Head(wal: nil, logger: Logger(label: "test"))
        let writers = 4
        let rounds = 50
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    for round in 0..<rounds {
                        // Every writer touches the same 200 series, each at its own timestamps.
                        let input = (0..<200).map { i in
                            (series("c", ["i": "\(i)"]), [Sample(t: Int64(round * writers + w), v: Double(w))])
                        }
                        _ = try? head.append(.make(input))
                    }
                }
            }
        }
        #expect(head.seriesCount == 200)
        let all = try head.select([try LabelMatcher(.equal, "__name__", "c")], mint: .min, maxt: .max)
        #expect(all.count == 200)
        // Writers race on time order; every sample is either stored or refused as out of order.
        #expect(all.allSatisfy { s in zip(s.samples(), s.samples().dropFirst()).allSatisfy { $0.t < $1.t } })
        try head.checkInvariants()
    }
}
