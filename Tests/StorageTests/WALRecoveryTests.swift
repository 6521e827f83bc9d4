import Encoding
import MeridianModel
import TestSupport
import Testing

@testable import Storage

@Suite("WAL recovery from torn writes and corruption")
struct WALRecoveryTests {
    /// Writes `records` to a fresh log in `dir` and returns each segment's bytes.
    private func writeLog(_ dir: String, _ records: [WALRecord], segmentSize: Int) throws -> [[UInt8]] {
        let wal = try WAL(directory: dir, segmentSize: segmentSize, logger: LogCapture().logger)
        for record in records { try wal.commit(through: wal.append(record)) }
        try wal.close()
        return try wal.segmentRange!.map { try TestFiles.read(segmentPath(dir, $0)) }
    }

    private func records(seed: UInt64, count: Int) -> [WALRecord] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in rng.record() }
    }

    /// `kill -9` in the middle of the last append, at every byte: replay
    /// returns exactly the earlier records and reports no corruption, and
    /// reopening truncates the torn bytes so later appends replay cleanly.
    @Test func tornTailAtEveryOffsetOfTheLastRecord() throws {
        try withTemporaryDirectory { root in
            var all = records(seed: 21, count: 30)
            all.append(
                .samples((0..<12).map { RefSample(ref: UInt64($0), t: 1_700_000_000_000 + Int64($0), v: Double($0)) }))
            let segments = try writeLog(root + "/original", all, segmentSize: 512)
            let last = segments.count - 1
            let lastFrame = framed(all.last!).count
            let lastStart = segments[last].count - lastFrame
            let extra = WALRecord.series([RefSeries(ref: 1, labels: Labels(["__name__": "up"]))])

            for cut in lastStart..<segments[last].count {
                let dir = root + "/cut\(cut)"
                try WALFiles.makeDirectories(dir)
                for (index, bytes) in segments.enumerated() {
                    try TestFiles.write(segmentPath(dir, index), index == last ? Array(bytes[0..<cut]) : bytes)
                }
                let logs = LogCapture()
                let (replayed, stats) = try replayAll(dir, logger: logs.logger)
                #expect(replayed == Array(all.dropLast()), "cut at \(cut)")
                #expect(stats.corruptions.isEmpty, "cut at \(cut)")
                if cut > lastStart {
                    #expect(stats.tornTail?.contains("offset \(lastStart)") == true)
                    #expect(logs.messages(atLeast: .warning).contains { $0.contains("torn write") })
                }

                let wal = try WAL(directory: dir, segmentSize: 512, logger: logs.logger)
                #expect(try TestFiles.read(segmentPath(dir, last)).count == lastStart)
                try wal.commit(through: wal.append(extra))
                try wal.close()
                let (after, afterStats) = try replayAll(dir)
                #expect(after == Array(all.dropLast()) + [extra], "cut at \(cut)")
                #expect(afterStats.corruptions.isEmpty && afterStats.tornTail == nil, "cut at \(cut)")
            }
        }
    }

    @Test func garbledOrZeroFilledLastRecordIsATornWrite() throws {
        try withTemporaryDirectory { dir in
            let all = records(seed: 22, count: 10)
            var segment = try writeLog(dir, all, segmentSize: 1 << 20)[0]
            segment[segment.count - 1] ^= 0xff  // the last record's checksum fails at end of file
            try TestFiles.write(segmentPath(dir, 0), segment)
            var (replayed, stats) = try replayAll(dir)
            #expect(replayed == Array(all.dropLast()))
            #expect(stats.corruptions.isEmpty && stats.tornTail != nil)

            segment[segment.count - 1] ^= 0xff
            try TestFiles.write(segmentPath(dir, 0), segment + [UInt8](repeating: 0, count: 4096))
            (replayed, stats) = try replayAll(dir)
            #expect(replayed == all)
            #expect(stats.corruptions.isEmpty)
            #expect(stats.tornTail?.contains("4096 zero bytes") == true)
        }
    }

    /// A flipped byte in a segment that has later segments: reported with
    /// path and offset, the rest of that segment skipped, later ones replayed.
    @Test func corruptionInAnEarlierSegmentIsReportedAndSkipped() throws {
        try withTemporaryDirectory { dir in
            // Equal-sized frames, so that segment boundaries are predictable.
            let all = (0..<40).map { i in
                WALRecord.samples((0..<8).map { RefSample(ref: UInt64($0), t: Int64(i), v: Double($0)) })
            }
            let frame = framed(all[0]).count
            var segments = try writeLog(dir, all, segmentSize: frame * 4)
            #expect(segments.count == 10)
            segments[1][frame + 20] ^= 0x01  // inside the payload of segment 1's second record
            try TestFiles.write(segmentPath(dir, 1), segments[1])

            let logs = LogCapture()
            let (replayed, stats) = try replayAll(dir, logger: logs.logger)
            #expect(replayed == Array(all[0..<5]) + Array(all[8...]))
            #expect(stats.corruptions.count == 1)
            let report = try #require(stats.corruptions.first)
            #expect(report.contains(segmentPath(dir, 1)))
            #expect(report.contains("offset \(frame)"))
            #expect(report.contains("checksum mismatch"))
            #expect(
                logs.messages(atLeast: .error).contains {
                    $0.contains(segmentPath(dir, 1)) && $0.contains("offset \(frame)")
                })
        }
    }

    @Test func impossibleLengthAndTruncationBeforeTheLastSegmentAreCorruption() throws {
        try withTemporaryDirectory { dir in
            let all = records(seed: 23, count: 60)
            var segments = try writeLog(dir, all, segmentSize: 400)
            #expect(segments.count >= 4)
            // Segment 0: length field of the first record says 4 GiB.
            segments[0].replaceSubrange(1..<5, with: [0xff, 0xff, 0xff, 0xff])
            try TestFiles.write(segmentPath(dir, 0), segments[0])
            // Segment 1: cut in the middle of its last record, as if torn; but
            // segment 2 follows, so it is damage.
            try TestFiles.write(segmentPath(dir, 1), Array(segments[1].dropLast(3)))

            let (replayed, stats) = try replayAll(dir)
            #expect(stats.corruptions.count == 2)
            #expect(stats.corruptions[0].contains("00000000 at offset 0: impossible payload length"))
            #expect(stats.corruptions[1].contains("00000001 at offset"))
            #expect(stats.tornTail == nil)
            let laterSegments = try (2..<segments.count).flatMap { try recordsIn(segments[$0]) }
            #expect(Array(replayed.suffix(laterSegments.count)) == laterSegments)
        }
    }

    /// Damage in the newest segment with valid records after it is not a torn
    /// write: opening leaves it for replay to report, and appends go on.
    @Test func corruptionInsideTheLastSegmentIsKeptAndReported() throws {
        try withTemporaryDirectory { dir in
            let all = records(seed: 24, count: 10)
            var segment = try writeLog(dir, all, segmentSize: 1 << 20)[0]
            segment[WALFrame.headerSize] ^= 0x80  // first record's payload
            try TestFiles.write(segmentPath(dir, 0), segment)
            let logs = LogCapture()
            let wal = try WAL(directory: dir, logger: logs.logger)
            #expect(try TestFiles.read(segmentPath(dir, 0)).count == segment.count)
            let extra = WALRecord.samples([RefSample(ref: 5, t: 5, v: 5)])
            try wal.commit(through: wal.append(extra))
            try wal.close()
            let (replayed, stats) = try replayAll(dir)
            #expect(replayed == [extra])
            #expect(stats.corruptions.count == 1 && stats.corruptions[0].contains("00000000 at offset 0"))
        }
    }

    @Test func missingSegmentIsReported() throws {
        try withTemporaryDirectory { dir in
            let all = records(seed: 25, count: 40)
            let segments = try writeLog(dir, all, segmentSize: 300)
            #expect(segments.count >= 4)
            try WALFiles.remove(segmentPath(dir, 1))
            let (replayed, stats) = try replayAll(dir)
            #expect(stats.corruptions == ["\(dir): segment 1 missing before 00000002"])
            let expected = try ([0] + Array(2..<segments.count)).flatMap { try recordsIn(segments[$0]) }
            #expect(replayed == expected)
        }
    }

    /// A frame whose checksum holds but whose payload this version cannot
    /// decode loses only itself.
    @Test func undecodableRecordSkipsOnlyItself() throws {
        try withTemporaryDirectory { dir in
            let a = WALRecord.samples([RefSample(ref: 1, t: 1, v: 1)])
            let b = WALRecord.samples([RefSample(ref: 2, t: 2, v: 2)])
            let future: [UInt8] = [0x7f, 0x00]  // an unknown record type
            var unknown: [UInt8] = [WALFrame.kindRecord]
            unknown.appendUInt32LE(UInt32(future.count))
            unknown.appendUInt32LE(CRC32C.checksum(future))
            unknown += future
            try WALFiles.makeDirectories(dir)
            try TestFiles.write(segmentPath(dir, 0), framed(a) + unknown + framed(b))
            let (replayed, stats) = try replayAll(dir)
            #expect(replayed == [a, b])
            #expect(stats.corruptions.count == 1)
            #expect(stats.corruptions[0].contains("offset \(framed(a).count)"))
            #expect(stats.corruptions[0].contains("unknown record type 0x7f"))
        }
    }

    private func recordsIn(_ segment: [UInt8]) throws -> [WALRecord] {
        try segment.withUnsafeBytes { raw in
            var scanner = WALFrameScanner(raw)
            var out: [WALRecord] = []
            while case .record(let payload, _) = scanner.next() { out.append(try WALRecord.decode(payload)) }
            return out
        }
    }
}
