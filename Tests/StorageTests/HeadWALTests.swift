import Foundation
import Logging
import MeridianModel
import Testing
import TestSupport

@testable import Storage

@Suite struct HeadWALTests {
    let logger = Logger(label: "test")

    private func randomInput(_ rng: inout SplitMix64, series: Int, round: Int) -> [(Labels, [Sample])] {
        (0..<series).map { i in
            let v: Double
            switch rng.next() % 10 {
            case 0: v = StaleMarker.value
            case 1: v = .nan
            default: v = Double(bitPattern: rng.next() >> 2)
            }
            return (Labels(["__name__": "m\(i % 7)", "i": "\(i)"]), [Sample(t: Int64(round) * 15_000 + Int64(i % 5), v: v)])
        }
    }

    private func everything(_ head: Head) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for s in try head.select([try LabelMatcher(.regexMatch, "__name__", ".+")], mint: .min, maxt: .max) {
            out[s.labels] = s.samples()
        }
        return out
    }

    @Test func replayRestoresEverySample() throws {
        let dir = try TemporaryDirectory("head-wal")
        defer { dir.remove() }
        var rng = SplitMix64(seed: 11)
        let expected: [Labels: [Sample]]
        do {
            let wal = try WAL(directory: dir.path, segmentSize: 1 << 20, logger: logger)
            let head = Head(wal: wal, logger: logger)
            for round in 0..<60 { _ = try head.append(.make(randomInput(&rng, series: 300, round: round))) }
            expected = try everything(head)
            // No close: the WAL must already hold every acknowledged sample.
        }
        let head = Head(wal: nil, logger: logger)
        let stats = try head.replay(from: dir.path)
        #expect(stats.samples == 60 * 300)
        #expect(try everything(head) == expected)
        try head.checkInvariants()
    }

    @Test func checkpointBoundsTheWALAndReplaysExactly() throws {
        let dir = try TemporaryDirectory("head-checkpoint")
        defer { dir.remove() }
        var rng = SplitMix64(seed: 12)
        let expected: [Labels: [Sample]]
        do {
            let wal = try WAL(directory: dir.path, segmentSize: 1 << 20, logger: logger)
            let head = Head(wal: wal, logger: logger)
            for round in 0..<150 {
                _ = try head.append(.make(randomInput(&rng, series: 400, round: round)))
                if round == 70 || round == 120 { try head.checkpoint() }
            }
            expected = try everything(head)
            let sizeBefore = wal.diskBytes
            try head.checkpoint()
            #expect(wal.diskBytes < sizeBefore, "a checkpoint of compressed chunks is smaller than raw samples")
            // Appends after the last checkpoint land in later segments.
            try wal.close()
        }
        let head = Head(wal: nil, logger: logger)
        _ = try head.replay(from: dir.path)
        #expect(try everything(head) == expected)
        try head.checkInvariants()
    }

    @Test func replayedHeadKeepsAppending() throws {
        let dir = try TemporaryDirectory("head-resume")
        defer { dir.remove() }
        let labels = Labels(["__name__": "r"])
        let first = (0..<50).map { Sample(t: Int64($0) * 1000, v: Double($0)) }
        let second = (50..<200).map { Sample(t: Int64($0) * 1000, v: Double($0) * 0.5) }
        do {
            let head = Head(wal: try WAL(directory: dir.path, logger: logger), logger: logger)
            _ = try head.append(.make([(labels, first)]))
            try head.checkpoint()
        }
        let wal = try WAL(directory: dir.path, logger: logger)
        let head = Head(wal: wal, logger: logger)
        _ = try head.replay(from: dir.path)
        let refused = try head.append(.make([(labels, [Sample(t: 49_000, v: 99)]), (labels, [Sample(t: 10_000, v: 10)])]))
        #expect(refused.conflicting == 1, "the replayed series still knows its newest sample and value")
        #expect(refused.duplicates == 1, "and finds older samples in its restored chunks")
        _ = try head.append(.make([(labels, second)]))
        try wal.close()
        let again = Head(wal: nil, logger: logger)
        _ = try again.replay(from: dir.path)
        #expect(try everything(again) == [labels: first + second])
    }
}
