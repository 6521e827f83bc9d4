import Foundation
import Logging
import MeridianModel
import Testing

@testable import Forwarding
import RemoteWrite
import TestSupport

/// The forward log on disk: what is appended is read back in order with its
/// accounting, a reopened log carries on, a torn tail is cut off, and the
/// disk budget turns into a reported gap.
@Suite struct ForwardLogTests {
    let logger = Logger(label: "test")

    static func batch(_ name: String, _ times: ClosedRange<Int64>, value: Double = 1) -> SampleBatch {
        .make([(Labels(["__name__": name, "job": "j"]), times.map { Sample(t: $0 * 1000, v: value) })])
    }

    static func start(_ log: ForwardLog) -> ForwardCursor {
        let first = log.snapshot().segments[0]
        return ForwardCursor(position: ForwardPosition(segment: first.number, offset: 0), sampleSeq: first.firstSampleSeq)
    }

    /// Reads every record there is now.
    static func readAll(_ reader: ForwardLogReader) throws -> [ForwardLogReader.Item] {
        var items: [ForwardLogReader.Item] = []
        while let item = try reader.next(timeout: .milliseconds(10)) { items.append(item) }
        return items
    }

    @Test func appendedRecordsReadBackInOrderWithTheirAccounting() throws {
        let dir = try TemporaryDirectory("fwdlog")
        defer { dir.remove() }
        let log = try ForwardLog(directory: dir.path, logger: logger)
        try log.append(Self.batch("a", 1...10), acknowledgedAt: 111)
        try log.append(Self.batch("b", 5...7), acknowledgedAt: 222)
        try log.append(SampleBatch(), acknowledgedAt: 333)  // nothing to forward: not logged
        let reader = ForwardLogReader(log: log, from: Self.start(log))
        let items = try Self.readAll(reader)
        #expect(items.count == 2)
        guard case .record(let first) = items[0], case .record(let second) = items[1] else {
            Issue.record("expected two records, got \(items)")
            return
        }
        #expect(first.header.firstSampleSeq == 0 && first.header.sampleCount == 10)
        #expect(first.header.minTime == 1000 && first.header.maxTime == 10_000 && first.header.acknowledgedAt == 111)
        #expect(second.header.firstSampleSeq == 10 && second.header.sampleCount == 3 && second.header.acknowledgedAt == 222)
        #expect(second.position == first.end)
        let decoded = try second.decode()
        #expect(decoded.labelSet(of: 0) == Labels(["__name__": "b", "job": "j"]))
        #expect(decoded.samples.map(\.t) == [5000, 6000, 7000])
        #expect(reader.sampleSeq == 13 && reader.position == log.end)
    }

    /// A write becomes one record per shard its series hash to, each with
    /// only that shard's series and ready to send; together they hold the
    /// batch, labels the center added included.
    @Test func aWriteIsLoggedAsOneRecordPerShard() throws {
        let dir = try TemporaryDirectory("fwdshards")
        defer { dir.remove() }
        let log = try ForwardLog(directory: dir.path, shards: 4, maxSamplesPerRecord: 1000, logger: logger)
        var batch = SampleBatch.make(
            (0..<100).map { i in (Labels(["__name__": "m", "i": "\(i)"]), [Sample(t: Int64(i), v: 1)]) })
        batch.addMissingLabels(Labels(["center": "bj"]))
        try log.append(batch, acknowledgedAt: 7)
        let items = try Self.readAll(ForwardLogReader(log: log, from: Self.start(log)))
        var seen: [Labels: Int] = [:]
        var nextSeq: UInt64 = 0
        for item in items {
            guard case .record(let record) = item else {
                Issue.record("expected records only, got \(item)")
                return
            }
            #expect(record.header.shardCount == 4 && record.header.acknowledgedAt == 7)
            #expect(record.header.firstSampleSeq == nextSeq)
            nextSeq += record.header.sampleCount
            let decoded = try record.decode()
            #expect(UInt64(decoded.sampleCount) == record.header.sampleCount)
            #expect(decoded.samples.map(\.t).min() == record.header.minTime)
            for i in decoded.series.indices {
                #expect(Int(decoded.series[i].labelsHash % 4) == record.header.shard)
                seen[decoded.labelSet(of: i)] = record.header.shard
            }
        }
        #expect(items.count == 4)
        #expect(nextSeq == 100)
        #expect(Set(seen.keys) == Set(batch.series.indices.map { batch.labelSet(of: $0) }))
        #expect(seen.keys.allSatisfy { $0["center"] == "bj" })
    }

    /// The example in docs/format/forward-log.md, byte for byte.
    @Test func aNewLogWithOneWriteIsTheDocumentedBytes() throws {
        let dir = try TemporaryDirectory("fwdgolden")
        defer { dir.remove() }
        let log = try ForwardLog(directory: dir.path, shards: 4, logger: logger)
        let labels = Labels(["__name__": "up", "center": "a", "job": "node"])
        try log.append(.make([(labels, [Sample(t: 1_700_000_000_000, v: 1)])]), acknowledgedAt: 1_700_000_000_250)
        log.close()
        let expected =
            "01030000002d062f2e530100015900000057760f140100010180a0abfef96280a0abfef962f4a3abfef96202043ef03d0a3c"
            + "0a0e0a085f5f6e616d655f5f120275700a0b0a0663656e7465721201610a0b0a036a6f6212046e6f6465121009000000000000"
            + "f03f1080d095ffbc31"
        let bytes = try #require(FileManager.default.contents(atPath: dir.appending("00000001")))
        #expect(bytes.map { String(format: "%02x", $0) }.joined() == expected)
        #expect(LabelsHash.of(labels) == 0x73be_fdef_386f_1cda)
    }

    @Test func aWaitingReaderWakesForANewRecord() throws {
        let dir = try TemporaryDirectory("fwdwait")
        defer { dir.remove() }
        let log = try ForwardLog(directory: dir.path, logger: logger)
        let reader = ForwardLogReader(log: log, from: Self.start(log))
        #expect(try reader.next(timeout: .milliseconds(20)) == nil)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { try? log.append(Self.batch("late", 1...2), acknowledgedAt: 1) }
        let started = ContinuousClock.now
        let item = try reader.next(timeout: .seconds(10))
        guard case .record(let record) = item else {
            Issue.record("expected the late record, got \(String(describing: item))")
            return
        }
        #expect(record.header.sampleCount == 2)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aReopenedLogStartsANewSegmentAndKeepsNumberingSamples() throws {
        let dir = try TemporaryDirectory("fwdreopen")
        defer { dir.remove() }
        do {
            let log = try ForwardLog(directory: dir.path, logger: logger)
            try log.append(Self.batch("a", 1...4), acknowledgedAt: 1)
            log.close()
        }
        let log = try ForwardLog(directory: dir.path, logger: logger)
        let segments = log.snapshot().segments
        #expect(segments.map(\.number) == [1, 2])
        #expect(segments[0].samples == 4 && segments[0].minTime == 1000 && segments[0].maxTime == 4000)
        try log.append(Self.batch("b", 1...3), acknowledgedAt: 2)
        let items = try Self.readAll(ForwardLogReader(log: log, from: Self.start(log)))
        let seqs = items.compactMap { item -> UInt64? in
            if case .record(let r) = item { return r.header.firstSampleSeq }
            return nil
        }
        #expect(seqs == [0, 4])
    }

    @Test func aTornLastRecordIsCutOffOnOpen() throws {
        let dir = try TemporaryDirectory("fwdtorn")
        defer { dir.remove() }
        do {
            let log = try ForwardLog(directory: dir.path, logger: logger)
            try log.append(Self.batch("a", 1...4), acknowledgedAt: 1)
            try log.append(Self.batch("b", 1...4), acknowledgedAt: 1)
            log.close()
        }
        // A crash mid-write leaves the second frame cut short.
        let path = dir.appending("00000001")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size - 7))
        try handle.close()
        let log = try ForwardLog(directory: dir.path, logger: logger)
        let first = log.snapshot().segments[0]
        #expect(first.samples == 4)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == first.bytes)
        let items = try Self.readAll(ForwardLogReader(log: log, from: Self.start(log)))
        #expect(items.count == 1)
    }

    @Test func theDiskBudgetDeletesTheOldestSegmentsAndAReaderBehindThemReportsTheGap() throws {
        let dir = try TemporaryDirectory("fwdbudget")
        defer { dir.remove() }
        // 1 MiB segments, a 2.5 MiB budget; each batch is about 300 KiB of
        // incompressible values, so segments fill after three or four.
        let log = try ForwardLog(directory: dir.path, segmentSize: 1 << 20, maxBytes: 5 << 19, logger: logger)
        let reader = ForwardLogReader(log: log, from: Self.start(log))
        var rng = SplitMix64(seed: 7)
        for round in 0..<20 {
            let samples = (0..<20_000).map { Sample(t: Int64(round * 20_000 + $0), v: Double(rng.next() % 1_000_000) / 7) }
            try log.append(.make([(Labels(["__name__": "noise"]), samples)]), acknowledgedAt: Int64(round))
        }
        let removed = log.enforceBudget()
        #expect(!removed.isEmpty)
        let remaining = log.snapshot().segments
        #expect(remaining.reduce(0) { $0 + $1.bytes } <= 5 << 19)
        #expect(remaining[0].number == removed.last!.number + 1)
        guard case .gap(let gap) = try reader.next(timeout: .milliseconds(10)) else {
            Issue.record("expected a gap first")
            return
        }
        #expect(gap.samples == removed.reduce(0) { $0 + $1.samples })
        #expect(gap.samples == remaining[0].firstSampleSeq)
        #expect(gap.minTime == 0)
        #expect(gap.maxTime == removed.map(\.maxTime).max())
        #expect(gap.to == ForwardPosition(segment: remaining[0].number, offset: 0))
        // After the gap, the reader goes on with the oldest record kept.
        guard case .record(let next) = try reader.next(timeout: .milliseconds(10)) else {
            Issue.record("expected a record after the gap")
            return
        }
        #expect(next.header.firstSampleSeq == remaining[0].firstSampleSeq)
    }

    /// Segments deleted by every cursor, then a restart: the numbering comes
    /// from the segments' own headers, so a saved cursor is still inside the
    /// log and its backlog is read, not skipped.
    @Test func aReopenedLogKeepsItsNumberingAfterOldSegmentsAreDeleted() throws {
        let dir = try TemporaryDirectory("fwdnumbering")
        defer { dir.remove() }
        var rng = SplitMix64(seed: 3)
        func noise(_ round: Int) -> SampleBatch {
            .make([(Labels(["__name__": "noise"]), (0..<20_000).map { Sample(t: Int64(round * 20_000 + $0), v: Double(rng.next() % 1_000_000) / 7) })])
        }
        var cursor: ForwardCursor
        do {
            let log = try ForwardLog(directory: dir.path, segmentSize: 1 << 20, logger: logger)
            for round in 0..<20 { try log.append(noise(round), acknowledgedAt: 0) }
            // An upstream has acknowledged the first three segments.
            let segments = log.snapshot().segments
            #expect(segments.count >= 4)
            cursor = ForwardCursor(position: ForwardPosition(segment: segments[3].number, offset: 0), sampleSeq: segments[3].firstSampleSeq)
            log.removeSegments(before: segments[3].number)
            log.close()
        }
        let log = try ForwardLog(directory: dir.path, segmentSize: 1 << 20, logger: logger)
        let (segments, next) = log.snapshot()
        #expect(segments[0].number == cursor.position.segment)
        #expect(segments[0].firstSampleSeq == cursor.sampleSeq)
        #expect(next == 400_000)
        let cursorDir = dir.appending("cursors")
        try FileManager.default.createDirectory(atPath: cursorDir, withIntermediateDirectories: true)
        let url = try UpstreamURL(parsing: "http://127.0.0.1:1/api/v1/write")
        let path = cursorDir + "/" + UpstreamSender.fileName(for: url)
        try ForwardFiles.replace(path, with: cursor.encode(upstream: url.description), directory: cursorDir)
        #expect(UpstreamSender.loadCursor(path: path, log: log, logger: logger, url: url) == cursor)
        let items = try Self.readAll(ForwardLogReader(log: log, from: cursor))
        let samples = items.reduce(UInt64(0)) { total, item in
            if case .record(let r) = item { return total + r.header.sampleCount }
            return total
        }
        #expect(samples == 400_000 - cursor.sampleSeq, "the whole backlog after the cursor is read")
    }

    @Test func cursorFileNamesOfDifferentURLsDiffer() throws {
        let a = try UpstreamURL(parsing: "http://g:9280/a-b")
        let b = try UpstreamURL(parsing: "http://g:9280/a_b")
        #expect(UpstreamSender.fileName(for: a) != UpstreamSender.fileName(for: b))
        #expect(UpstreamSender.fileName(for: a).hasPrefix("http___g_9280_a_b-"))
    }

    @Test func cursorFilesRoundTripAndRefuseDamage() {
        let cursor = ForwardCursor(position: ForwardPosition(segment: 12, offset: 34_567), sampleSeq: 987_654_321)
        var bytes = cursor.encode(upstream: "http://g:9280/api/v1/write")
        #expect(ForwardCursor.decode(bytes) == cursor)
        bytes[6] ^= 1
        #expect(ForwardCursor.decode(bytes) == nil)
        #expect(ForwardCursor.decode([]) == nil)
    }
}
