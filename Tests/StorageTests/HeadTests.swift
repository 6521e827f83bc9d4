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
        var options = HeadOptions()
        options.outOfOrderWindow = 0
        let head = Head(options: options, wal: nil, logger: logger)
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

@Suite struct HeadOutOfOrderTests {
    let logger = Logger(label: "test")
    let labels = series("ooo")
    let hour: Int64 = 3_600_000

    private func read(_ head: Head, _ mint: Timestamp = .min, _ maxt: Timestamp = .max) throws -> [Sample] {
        try head.select([try LabelMatcher(.equal, "__name__", "ooo")], mint: mint, maxt: maxt).first?.samples() ?? []
    }

    @Test func acceptsOlderSamplesInsideTheWindowAndMergesThem() throws {
        let head = Head(wal: nil, logger: logger)
        let inOrder = stride(from: Int64(0), through: 10 * 60_000, by: 60_000).map { Sample(t: 3 * hour + $0, v: Double($0)) }
        _ = try head.append(.make([(labels, inOrder)]))
        // A backlog: every 30 s between the in-order samples, sent late and in reverse.
        let late = stride(from: Int64(30_000), to: 10 * 60_000, by: 60_000).reversed().map { Sample(t: 3 * hour + $0, v: -1) }
        let outcome = try head.append(.make([(labels, late)]))
        #expect(outcome.appended == late.count)
        #expect(outcome.appendedOutOfOrder == late.count)
        #expect(outcome.rejected == 0)
        let merged = try read(head)
        #expect(merged == (inOrder + late).sorted { $0.t < $1.t })
        #expect(try read(head, 3 * hour + 100_000, 3 * hour + 200_000).map(\.t) == [3 * hour + 120_000, 3 * hour + 150_000, 3 * hour + 180_000])
        var it = try head.select([try LabelMatcher(.equal, "__name__", "ooo")], mint: .min, maxt: .max)[0].makeIterator()
        let found = it.seek(3 * hour + 31_000)
        #expect(found && it.at().t == 3 * hour + 60_000)
    }

    @Test func refusesSamplesOutsideTheWindow() throws {
        let head = Head(wal: nil, logger: logger)
        _ = try head.append(.make([(labels, [Sample(t: 5 * hour, v: 1)])]))
        let outcome = try head.append(.make([(labels, [Sample(t: 3 * hour - 1, v: 1), Sample(t: 3 * hour, v: 2)])]))
        #expect(outcome.outOfOrder == 1)
        #expect(outcome.appendedOutOfOrder == 1)
        #expect(outcome.rejections.first?.description.contains("outside the out-of-order window of 7200s") == true)
        #expect(try read(head).map(\.t) == [3 * hour, 5 * hour])
    }

    @Test func duplicatesAndConflictsAreFoundInBothPlaces() throws {
        let head = Head(wal: nil, logger: logger)
        _ = try head.append(.make([(labels, [Sample(t: 1000, v: 1), Sample(t: 3000, v: 3)])]))
        _ = try head.append(.make([(labels, [Sample(t: 2000, v: 2)])]))
        let outcome = try head.append(
            .make([
                (labels, [Sample(t: 1000, v: 1), Sample(t: 2000, v: 2)]),  // duplicates: in order, out of order
                (labels, [Sample(t: 1000, v: 9)]), (labels, [Sample(t: 2000, v: 9)]),  // conflicts
            ]))
        #expect(outcome.duplicates == 2)
        #expect(outcome.conflicting == 2)
        #expect(outcome.appended == 0)
        #expect(try read(head) == [Sample(t: 1000, v: 1), Sample(t: 2000, v: 2), Sample(t: 3000, v: 3)])
    }

    @Test func outOfOrderSamplesSurviveReplayAndCheckpoint() throws {
        let dir = try TemporaryDirectory("ooo-wal")
        defer { dir.remove() }
        let expected: [Sample]
        do {
            let wal = try WAL(directory: dir.path, segmentSize: 1 << 20, logger: logger)
            let head = Head(wal: wal, logger: logger)
            _ = try head.append(.make([(labels, (10..<20).map { Sample(t: Int64($0) * 1000, v: Double($0)) })]))
            _ = try head.append(.make([(labels, (0..<5).map { Sample(t: Int64($0) * 1000, v: -Double($0)) })]))
            try head.checkpoint()
            _ = try head.append(.make([(labels, (5..<10).map { Sample(t: Int64($0) * 1000, v: -Double($0)) })]))
            expected = try read(head)
            #expect(expected.count == 20)
        }
        let head = Head(wal: nil, logger: logger)
        _ = try head.replay(from: dir.path)
        #expect(try read(head) == expected)
        try head.checkInvariants()
    }
}

@Suite struct MergingSampleIteratorTests {
    @Test func mergesKeepingTheFirstSourceOnTies() {
        let a = [Sample(t: 1, v: 1), Sample(t: 3, v: 3), Sample(t: 5, v: 5)]
        let b = [Sample(t: 2, v: 20), Sample(t: 3, v: 30), Sample(t: 6, v: 60)]
        var merged = MergingSampleIterator([ArraySampleIterator(a), ArraySampleIterator(b), ArraySampleIterator([])])
        var out: [Sample] = []
        while merged.next() { out.append(merged.at()) }
        #expect(out.map(\.t) == [1, 2, 3, 5, 6])
        #expect(out[2].v == 3)
        var seeking = MergingSampleIterator([ArraySampleIterator(a), ArraySampleIterator(b)])
        let found = seeking.seek(4)
        #expect(found && seeking.at().t == 5)
        let next = seeking.next()
        #expect(next && seeking.at().t == 6)
        let exhausted = !seeking.next()
        #expect(exhausted)
    }

    @Test func readAllMergesLikeStepping() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<300 {
            let sources = (0..<(1 + rng.below(4))).map { _ in
                var t = Int64(rng.below(20))
                return (0..<rng.below(12)).map { _ in
                    t += Int64(1 + rng.below(rng.below(2) == 0 ? 3 : 40))
                    return Sample(t: t, v: Double(rng.below(1000)))
                }
            }
            var stepping = MergingSampleIterator(sources.map { ArraySampleIterator($0) })
            var stepped: [Sample] = []
            while stepping.next() { stepped.append(stepping.at()) }
            var bulk = MergingSampleIterator(sources.map { ArraySampleIterator($0) })
            var read: [Sample] = []
            bulk.readAll(into: &read)
            #expect(read == stepped)
            let exhausted = !bulk.next()
            #expect(exhausted)
        }
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
