import Foundation
import Logging
import MeridianModel
import Testing
import TestSupport

@testable import Storage

@Suite struct HeadFreezeTests {
    let logger = Logger(label: "test")
    let hour: Int64 = 3_600_000

    private func everything(_ q: any Querier) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for s in try q.select([try LabelMatcher(.regexMatch, "__name__", ".+")], mint: .min, maxt: .max) {
            out[s.labels] = s.samples()
        }
        return out
    }

    /// Union of two read results, as a store merging head and frozen data sees it.
    private func union(_ a: [Labels: [Sample]], _ b: [Labels: [Sample]]) -> [Labels: [Sample]] {
        a.merging(b) { x, y in Array(Set(x + y)).sorted { $0.t < $1.t } }
    }

    @Test func movesOldSamplesOutAndCollectsEmptySeries() throws {
        var options = HeadOptions()
        options.outOfOrderWindow = 6 * hour
        let head = Head(options: options, wal: nil, logger: logger)
        let live = Labels(["__name__": "live"])
        let gone = Labels(["__name__": "gone", "job": "old"])
        let liveSamples = stride(from: Int64(0), to: 5 * hour, by: 60_000).map { Sample(t: $0, v: Double($0 / 60_000)) }
        let goneSamples = stride(from: Int64(0), to: hour, by: 60_000).map { Sample(t: $0, v: 1) }
        _ = try head.append(.make([(live, liveSamples), (gone, goneSamples)]))
        let late = try head.append(.make([(live, [Sample(t: 30_000, v: -1)])]))  // out of order, frozen too
        #expect(late.appendedOutOfOrder == 1)
        let before = try everything(head)

        let frozen = head.freeze(before: 2 * hour)
        let frozenData = try everything(frozen)
        #expect(frozenData[gone] == goneSamples)
        #expect(frozenData[live]!.allSatisfy { $0.t < 2 * hour })
        #expect(frozenData[live]!.count == 121)
        let after = try everything(head)
        #expect(after[gone] == nil)
        #expect(after[live]!.allSatisfy { $0.t >= 2 * hour })
        #expect(union(frozenData, after) == before)
        #expect(head.seriesCount == 1)
        #expect(try head.labelValues("__name__", matching: [], mint: .min, maxt: .max) == ["live"])
        #expect(head.timeRange?.lowerBound == 2 * hour)
        #expect(frozen.timeRange == 0...(2 * hour - 60_000))
        try head.checkInvariants()

        // Samples for a collected series start it afresh; the live one keeps rejecting conflicts.
        let outcome = try head.append(.make([(gone, [Sample(t: 5 * hour, v: 2)]), (live, [Sample(t: 3 * hour, v: 99)])]))
        #expect(outcome.newSeries == 1)
        #expect(outcome.conflicting == 1)
        try head.checkInvariants()
    }

    @Test func blockWriterViewIsMergedAndClipped() throws {
        let head = Head(wal: nil, logger: logger)
        let labels = Labels(["__name__": "m"])
        _ = try head.append(.make([(labels, [Sample(t: 10, v: 1), Sample(t: 30, v: 3), Sample(t: 50, v: 5)])]))
        _ = try head.append(.make([(labels, [Sample(t: 20, v: 2)])]))
        let frozen = head.freeze(before: 100)
        var seen: [(Labels, [Timestamp], [Double])] = []
        frozen.forEachSeries(from: 15, to: 50) { seen.append(($0, $1, $2)) }
        #expect(seen.count == 1)
        #expect(seen[0].1 == [20, 30])
        #expect(seen[0].2 == [2, 3])
    }

    @Test func concurrentAppendsDuringFreezeLoseNothing() async throws {
        let head = Head(wal: nil, logger: logger)
        let series = (0..<300).map { Labels(["__name__": "c", "i": "\($0)"]) }
        _ = try head.append(.make(series.map { ($0, [Sample(t: 0, v: 0)]) }))
        let frozenParts = await withTaskGroup(of: [FrozenHead].self) { group in
            group.addTask {
                for round in 1...200 {
                    _ = try? head.append(.make(series.map { ($0, [Sample(t: Int64(round) * 1000, v: Double(round))]) }))
                }
                return []
            }
            group.addTask {
                stride(from: Int64(20_000), through: 200_000, by: 20_000).map { head.freeze(before: $0) }
            }
            return await group.reduce(into: [FrozenHead]()) { $0 += $1 }
        }
        var all = try everything(head)
        for part in frozenParts { all = union(all, try everything(part)) }
        #expect(all.count == 300)
        #expect(all.values.allSatisfy { $0.map(\.t) == (0...200).map { Int64($0) * 1000 } })
        try head.checkInvariants()
    }
}
