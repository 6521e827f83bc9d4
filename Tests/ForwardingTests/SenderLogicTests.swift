import MeridianModel
import RemoteWrite
import Testing

@testable import Forwarding
import TestSupport

/// The pure parts of a sender: the acknowledgement watermark, the backoff,
/// and the split of a write among shards.
@Suite struct SenderLogicTests {
    static func record(_ n: Int, samples: UInt64 = 10) -> ForwardRecord {
        ForwardRecord(
            header: ForwardRecordHeader(
                firstSampleSeq: UInt64(n) * samples, sampleCount: samples, seriesCount: 1, minTime: Int64(n),
                maxTime: Int64(n), acknowledgedAt: Int64(1000 + n), shard: 0, shardCount: 1),
            position: ForwardPosition(segment: 1, offset: n * 100), end: ForwardPosition(segment: 1, offset: (n + 1) * 100),
            body: [])
    }

    @Test func theCursorPassesARecordOnlyWhenItAndAllBeforeItAreAcknowledged() {
        var tracker = AckTracker(cursor: ForwardCursor(position: ForwardPosition(segment: 1, offset: 0), sampleSeq: 0))
        let a = tracker.register(Self.record(0))
        let b = tracker.register(Self.record(1))
        let c = tracker.register(Self.record(2))
        #expect(tracker.pendingRecords == 3)
        tracker.acknowledge(b)
        tracker.acknowledge(c)
        #expect(tracker.cursor.position.offset == 0, "record 0 is still out")
        #expect(tracker.oldestPending?.acknowledgedAt == 1000)
        tracker.acknowledge(a)
        #expect(tracker.cursor == ForwardCursor(position: ForwardPosition(segment: 1, offset: 300), sampleSeq: 30))
        #expect(tracker.pendingRecords == 0 && tracker.oldestPending == nil)
    }

    @Test func aGapPassesAtOnceWhenFirst() {
        let start = ForwardCursor(position: ForwardPosition(segment: 1, offset: 100), sampleSeq: 10)
        var tracker = AckTracker(cursor: start)
        let gap = ForwardGap(
            from: ForwardPosition(segment: 1, offset: 100), to: ForwardPosition(segment: 4, offset: 0), samples: 50,
            minTime: nil, maxTime: nil, cause: .diskBudget, reason: "test")
        _ = tracker.register(gap, sampleSeq: 60)
        #expect(tracker.cursor == ForwardCursor(position: ForwardPosition(segment: 4, offset: 0), sampleSeq: 60))
    }

    @Test func manyRecordsKeepTheTrackerSmall() {
        var tracker = AckTracker(cursor: ForwardCursor(position: ForwardPosition(segment: 1, offset: 0), sampleSeq: 0))
        for n in 0..<10_000 {
            let number = tracker.register(Self.record(n))
            if n >= 1 { tracker.acknowledge(number - 1) }
        }
        #expect(tracker.pendingRecords == 1)
        #expect(tracker.cursor.position.offset == 9_999 * 100)
    }

    @Test func backoffDoublesWithJitterUpToItsMaximumAndObeysRetryAfter() {
        var backoff = Backoff(minimum: .milliseconds(100), maximum: .seconds(1), maximumRetryAfter: .seconds(60))
        let low = (0..<6).map { _ in backoff.next(random: { $0.lowerBound }) }
        #expect(low == [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500)])
        backoff.reset()
        #expect(backoff.next(random: { $0.upperBound }) == .milliseconds(100))
        #expect(backoff.next(retryAfter: .seconds(7), random: { $0.upperBound }) == .seconds(7))
        #expect(backoff.next(retryAfter: .seconds(3600), random: { $0.upperBound }) == .seconds(60))
    }

    @Test func splittingKeepsEverySeriesWholeInOneShardInOrder() throws {
        var rng = SplitMix64(seed: 11)
        let input: [(Labels, [Sample])] = (0..<200).map { i in
            (Labels(["__name__": "m", "i": "\(i)"]), (0..<Int(rng.next() % 40 + 1)).map { Sample(t: Int64($0), v: Double(i)) })
        }
        let batch = SampleBatch.make(input)
        let pieces = batch.split(shards: 4, maxSamples: 300)
        #expect(pieces.allSatisfy { $0.selection.sampleCount <= 300 })
        #expect(pieces.reduce(0) { $0 + $1.selection.sampleCount } == batch.sampleCount)
        var seen: [Labels: (shard: Int, samples: [Sample])] = [:]
        for piece in pieces {
            // What the sender puts on the wire, read back.
            let decoded = try RemoteWriteDecoder.decode(protobuf: RemoteWriteEncoder.encode([piece.selection]))
            #expect(decoded.sampleCount == piece.selection.sampleCount)
            for i in decoded.series.indices {
                let labels = decoded.labelSet(of: i)
                let entry = decoded.series[i]
                #expect(seen[labels] == nil, "a series is never split")
                seen[labels] = (piece.shard, Array(decoded.samples[Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount)]))
            }
        }
        #expect(seen.count == 200)
        for (labels, samples) in input {
            #expect(seen[labels]?.samples == samples)
            #expect(seen[labels]?.shard == Int(LabelsHash.of(labels) % 4))
        }
        #expect(Set(pieces.map(\.shard)) == [0, 1, 2, 3])
    }
}
