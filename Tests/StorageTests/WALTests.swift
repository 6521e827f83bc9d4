import MeridianModel
import TestSupport
import Testing

@testable import Storage

@Suite("WAL append, commit, segments")
struct WALTests {
    @Test func appendCommitReplayAcrossSegments() throws {
        try withTemporaryDirectory { dir in
            var rng = SplitMix64(seed: 11)
            let records = (0..<400).map { _ in rng.record() }
            let wal = try WAL(directory: dir, segmentSize: 2048, logger: LogCapture().logger)
            for record in records {
                try wal.commit(through: wal.append(record))
            }
            #expect(wal.currentSegment > 3)
            try wal.close()

            let (replayed, stats) = try replayAll(dir)
            #expect(replayed == records)
            #expect(stats.corruptions.isEmpty)
            #expect(stats.tornTail == nil)
            #expect(stats.records == records.count)
            #expect(stats.segments == wal.segmentRange!.count)
        }
    }

    @Test func segmentsRespectSizeAndNeverSplitRecords() throws {
        try withTemporaryDirectory { dir in
            let record = WALRecord.samples((0..<10).map { RefSample(ref: UInt64($0), t: 1000, v: 1) })
            let frame = framed(record).count
            let wal = try WAL(directory: dir, segmentSize: frame * 3 + 1, logger: LogCapture().logger)
            var last = WALPosition.start
            for _ in 0..<10 { last = wal.append(record) }
            try wal.commit(through: last)
            try wal.close()
            // 3 records per segment: 3 + 3 + 3 + 1.
            #expect(wal.segmentRange == 0...3)
            for index in 0...2 { #expect(try TestFiles.read(segmentPath(dir, index)).count == frame * 3) }
            #expect(try TestFiles.read(segmentPath(dir, 3)).count == frame)
        }
    }

    @Test func oversizedRecordGetsItsOwnSegment() throws {
        try withTemporaryDirectory { dir in
            let small = WALRecord.samples([RefSample(ref: 1, t: 1, v: 1)])
            let big = WALRecord.samples((0..<100).map { RefSample(ref: UInt64($0), t: 1, v: 1) })
            let wal = try WAL(directory: dir, segmentSize: 64, logger: LogCapture().logger)
            _ = wal.append(small)
            _ = wal.append(big)
            try wal.commit(through: wal.append(small))
            try wal.close()
            #expect(wal.segmentRange == 0...2)
            #expect(try replayAll(dir).0 == [small, big, small])
        }
    }

    @Test func positionsGrowAndCommitIsIdempotent() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, logger: LogCapture().logger)
            let a = wal.append(.samples([RefSample(ref: 1, t: 1, v: 1)]))
            let b = wal.append(.samples([RefSample(ref: 2, t: 2, v: 2)]))
            #expect(a < b)
            try wal.commit(through: a)  // writes both: group commit takes all that is buffered
            #expect(try TestFiles.read(segmentPath(dir, 0)).count == Int(b.offset))
            try wal.commit(through: b)
            try wal.commit(through: .start)
            try wal.close()
        }
    }

    /// What `kill -9` leaves: committed bytes are in the file with the log
    /// still open and never synced or closed.
    @Test func committedRecordsAreReadableWithoutCloseOrSync() throws {
        try withTemporaryDirectory { dir in
            var rng = SplitMix64(seed: 5)
            let records = (0..<50).map { _ in rng.record() }
            let wal = try WAL(directory: dir, segmentSize: 1024, logger: LogCapture().logger)
            for record in records { try wal.commit(through: wal.append(record)) }
            _ = wal.append(.samples([RefSample(ref: 9, t: 9, v: 9)]))  // appended, never committed
            let (replayed, stats) = try replayAll(dir)
            #expect(replayed == records)
            #expect(stats.corruptions.isEmpty)
        }
    }

    @Test func cutStartsTheNextSegment() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, logger: LogCapture().logger)
            let first = WALRecord.samples([RefSample(ref: 1, t: 1, v: 1)])
            let second = WALRecord.samples([RefSample(ref: 2, t: 2, v: 2)])
            _ = wal.append(first)  // buffered only: cut() must write it to segment 0
            #expect(try wal.cut() == 1)
            #expect(wal.currentSegment == 1)
            #expect(try TestFiles.read(segmentPath(dir, 0)) == framed(first))
            try wal.commit(through: wal.append(second))
            #expect(try TestFiles.read(segmentPath(dir, 1)) == framed(second))
            #expect(try wal.cut() == 2)
            #expect(try wal.cut() == 3)  // leaves segment 2 empty, which replay accepts
            try wal.close()
            let (replayed, stats) = try replayAll(dir)
            #expect(replayed == [first, second])
            #expect(stats.corruptions.isEmpty)
            #expect(wal.segmentRange == 0...3)
        }
    }

    @Test func reopenAppendsToANewSegmentOrReusesAnEmptyOne() throws {
        try withTemporaryDirectory { dir in
            let logs = LogCapture()
            let a = WALRecord.samples([RefSample(ref: 1, t: 1, v: 1)])
            let b = WALRecord.samples([RefSample(ref: 2, t: 2, v: 2)])
            do {
                let wal = try WAL(directory: dir, logger: logs.logger)
                try wal.commit(through: wal.append(a))
                try wal.close()
            }
            let wal = try WAL(directory: dir, logger: logs.logger)
            #expect(wal.currentSegment == 1)
            try wal.close()
            // Segment 1 is empty: a restart loop must not pile up empty files.
            let again = try WAL(directory: dir, logger: logs.logger)
            #expect(again.currentSegment == 1)
            try again.commit(through: again.append(b))
            try again.close()
            #expect(try TestFiles.read(segmentPath(dir, 0)) == framed(a))
            #expect(try replayAll(dir).0 == [a, b])
        }
    }

    @Test func closedLogRefusesCommits() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, logger: LogCapture().logger)
            let committed = wal.append(.samples([RefSample(ref: 1, t: 1, v: 1)]))
            try wal.close()
            try wal.close()  // twice is fine
            try wal.commit(through: committed)  // already durable: not an error
            let late = wal.append(.samples([RefSample(ref: 2, t: 2, v: 2)]))
            #expect(committed < late)
            #expect { try wal.commit(through: late) } throws: { ($0 as? StorageError)?.code == .closed }
            #expect { try wal.sync() } throws: { ($0 as? StorageError)?.code == .closed }
            #expect { _ = try wal.cut() } throws: { ($0 as? StorageError)?.code == .closed }
            #expect(try replayAll(dir).0.count == 1)
        }
    }

    @Test func syncWritesAndSyncsEverything() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, segmentSize: 100, logger: LogCapture().logger)
            var rng = SplitMix64(seed: 3)
            let records = (0..<30).map { _ in rng.record() }
            for record in records { _ = wal.append(record) }
            try wal.sync()  // writes the buffer, crossing segments, then fsyncs all of them
            #expect(try replayAll(dir).0 == records)
            try wal.sync()
            try wal.close()
        }
    }

    @Test func statsCountDiskBytes() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, segmentSize: 256, logger: LogCapture().logger)
            #expect(wal.segmentRange == 0...0)
            var total = 0
            var rng = SplitMix64(seed: 8)
            for _ in 0..<20 {
                let record = rng.record()
                total += framed(record).count
                try wal.commit(through: wal.append(record))
            }
            #expect(wal.diskBytes == Int64(total))
            try wal.close()
        }
    }

    @Test func createsMissingParentDirectories() throws {
        try withTemporaryDirectory { dir in
            let nested = dir + "/data/wal"
            let wal = try WAL(directory: nested, logger: LogCapture().logger)
            try wal.close()
            #expect(TestFiles.exists(segmentPath(nested, 0)))
        }
    }

    @Test func replayOfAMissingDirectoryIsEmpty() throws {
        let (records, stats) = try replayAll("/tmp/meridian-wal-test-does-not-exist")
        #expect(records.isEmpty)
        #expect(stats.records == 0)
    }
}
