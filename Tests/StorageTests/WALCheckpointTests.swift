import MeridianModel
import Testing

@testable import Storage

@Suite("WAL checkpoints")
struct WALCheckpointTests {
    private let series = WALRecord.series([
        RefSeries(ref: 1, labels: Labels(["__name__": "up", "job": "a"])),
        RefSeries(ref: 2, labels: Labels(["__name__": "up", "job": "b"])),
    ])
    private let chunks = WALRecord.chunks([
        RefChunk(ref: 1, minTime: 0, maxTime: 90, sampleCount: 10, encoding: 1, bytes: [1, 2, 3]),
        RefChunk(ref: 2, minTime: 0, maxTime: 90, sampleCount: 10, encoding: 1, bytes: [4, 5]),
    ])

    private func samples(_ i: Int) -> WALRecord {
        .samples([RefSample(ref: 1, t: Int64(i), v: Double(i)), RefSample(ref: 2, t: Int64(i), v: -Double(i))])
    }

    @Test func checkpointReplacesEarlierSegments() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, segmentSize: 120, logger: LogCapture().logger)
            try wal.commit(through: wal.append(series))
            for i in 0..<20 { try wal.commit(through: wal.append(samples(i))) }
            let n = try wal.cut()
            #expect(n > 3)
            let later = (20..<30).map(samples)
            for record in later[0..<5] { try wal.commit(through: wal.append(record)) }
            // Appends carry on while the checkpoint is written.
            try wal.writeCheckpoint(coveringSegmentsBefore: n) { emit in
                try emit(series)
                try emit(chunks)
            }
            for record in later[5...] { try wal.commit(through: wal.append(record)) }
            try wal.close()

            #expect(wal.segmentRange!.lowerBound == n)
            #expect(TestFiles.exists(WALFiles.join(dir, WALFiles.checkpointName(n))))
            let (replayed, stats) = try replayAll(dir)
            #expect(replayed == [series, chunks] + later)
            #expect(stats.checkpoint == n)
            #expect(stats.corruptions.isEmpty)
            #expect(stats.chunks == 2 && stats.series == 2 && stats.samples == 20)
        }
    }

    @Test func newerCheckpointDeletesOlderOneAndSpansSeveralFiles() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, segmentSize: 100, logger: LogCapture().logger)
            for i in 0..<5 { try wal.commit(through: wal.append(samples(i))) }
            let first = try wal.cut()
            try wal.writeCheckpoint(coveringSegmentsBefore: first) { emit in try emit(series) }
            for i in 5..<10 { try wal.commit(through: wal.append(samples(i))) }
            let second = try wal.cut()
            let many = (0..<10).map(samples)
            try wal.writeCheckpoint(coveringSegmentsBefore: second) { emit in
                try emit(series)
                for record in many { try emit(record) }
            }
            try wal.close()
            let secondDirectory = WALFiles.join(dir, WALFiles.checkpointName(second))
            #expect(!TestFiles.exists(WALFiles.join(dir, WALFiles.checkpointName(first))))
            #expect(try WALFiles.listing(of: secondDirectory).segments.count > 2)
            #expect(try replayAll(dir).0 == [series] + many)
        }
    }

    @Test func checkpointMustCoverFinishedSegmentsOnlyAndAdvance() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, logger: LogCapture().logger)
            #expect(throws: StorageError.self) { try wal.writeCheckpoint(coveringSegmentsBefore: 1) { _ in } }
            let n = try wal.cut()
            try wal.writeCheckpoint(coveringSegmentsBefore: n) { _ in }
            #expect(throws: StorageError.self) { try wal.writeCheckpoint(coveringSegmentsBefore: n) { _ in } }
            try wal.close()
        }
    }

    @Test func failingWriterLeavesTheLogAsItWas() throws {
        struct Boom: Error {}
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, logger: LogCapture().logger)
            try wal.commit(through: wal.append(samples(1)))
            let n = try wal.cut()
            #expect {
                try wal.writeCheckpoint(coveringSegmentsBefore: n) { emit in
                    try emit(series)
                    throw Boom()
                }
            } throws: { ($0 as? StorageError)?.cause is Boom }
            try wal.close()
            #expect(try WALFiles.names(in: dir).sorted() == ["00000000", "00000001"])
            #expect(try replayAll(dir).0 == [samples(1)])
        }
    }

    @Test func openRemovesUnfinishedCheckpointAndReplayIgnoresIt() throws {
        try withTemporaryDirectory { dir in
            do {
                let wal = try WAL(directory: dir, logger: LogCapture().logger)
                try wal.commit(through: wal.append(samples(1)))
                try wal.close()
            }
            // A crash in the middle of writing checkpoint 1.
            let temporary = WALFiles.join(dir, WALFiles.temporaryCheckpointName(1))
            try WALFiles.makeDirectories(temporary)
            try TestFiles.write(segmentPath(temporary, 0), framed(series))
            #expect(try replayAll(dir).0 == [samples(1)])

            let logs = LogCapture()
            let wal = try WAL(directory: dir, logger: logs.logger)
            try wal.close()
            #expect(!TestFiles.exists(temporary))
            #expect(logs.messages(atLeast: .warning).contains { $0.contains("unfinished checkpoint") })
            #expect(try replayAll(dir).0 == [samples(1)])
        }
    }

    /// A crash between the rename and the deletions: replay already prefers
    /// the checkpoint, and the next open finishes the deletions.
    @Test func crashAfterRenameIsFinishedOnOpen() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, logger: LogCapture().logger)
            try wal.commit(through: wal.append(samples(1)))
            _ = try wal.cut()
            try wal.commit(through: wal.append(samples(2)))
            _ = try wal.cut()
            try wal.commit(through: wal.append(samples(3)))
            try wal.close()
            let checkpoint = WALFiles.join(dir, WALFiles.checkpointName(2))
            try WALFiles.makeDirectories(checkpoint)
            try TestFiles.write(segmentPath(checkpoint, 0), framed(series))
            let older = WALFiles.join(dir, WALFiles.checkpointName(1))
            try WALFiles.makeDirectories(older)

            #expect(try replayAll(dir).0 == [series, samples(3)])
            let reopened = try WAL(directory: dir, logger: LogCapture().logger)
            try reopened.close()
            #expect(try WALFiles.names(in: dir).sorted() == ["00000002", "00000003", "checkpoint.00000002"])
            #expect(try replayAll(dir).0 == [series, samples(3)])
        }
    }

    @Test func diskBytesIncludeTheCheckpoint() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, logger: LogCapture().logger)
            try wal.commit(through: wal.append(samples(1)))
            let n = try wal.cut()
            try wal.writeCheckpoint(coveringSegmentsBefore: n) { emit in try emit(chunks) }
            #expect(wal.diskBytes == Int64(framed(chunks).count))
            try wal.close()
        }
    }
}
