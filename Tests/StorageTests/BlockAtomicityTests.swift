import Encoding
import Foundation
import MeridianModel
import TestSupport
import Testing

@testable import Storage

@Suite("Block atomicity")
struct BlockAtomicityTests {
    static let series = BlockTestSeries(labels: Labels(["__name__": "up"]), timestamps: [1, 2, 3], values: [1, 1, 0])

    @Test func aBlockIsInvisibleUntilFinished() throws {
        let dir = try TemporaryDirectory("block-atomic")
        defer { dir.remove() }
        let blocks = BlockDirectory.path(dataDir: dir.path)
        let writer = try BlockWriter(parentDirectory: blocks, minTime: 0, maxTime: 100, logger: BlockTesting.logger)
        try writer.add(labels: Self.series.labels, timestamps: Self.series.timestamps, values: Self.series.values)
        #expect(try BlockDirectory.list(dataDir: dir.path).isEmpty)
        #expect(try BlockFiles.names(in: blocks) == ["\(writer.id).tmp"])
        let meta = try writer.finish()
        #expect(try BlockDirectory.list(dataDir: dir.path) == [meta])
        #expect(try BlockFiles.names(in: blocks) == ["\(meta.id)"])
        #expect(Set(try BlockFiles.names(in: blocks + "/\(meta.id)")) == ["index", "chunks", "meta.json"])
    }

    @Test func anAbandonedWriterLeavesNothing() throws {
        let dir = try TemporaryDirectory("block-abandon")
        defer { dir.remove() }
        let blocks = BlockDirectory.path(dataDir: dir.path)
        do {
            let writer = try BlockWriter(parentDirectory: blocks, minTime: 0, maxTime: 100, logger: BlockTesting.logger)
            try writer.add(labels: Self.series.labels, timestamps: Self.series.timestamps, values: Self.series.values)
        }
        #expect(try BlockFiles.names(in: blocks).isEmpty)
    }

    @Test func leftoverTemporariesAreRemovedAndNeverListed() throws {
        let dir = try TemporaryDirectory("block-leftover")
        defer { dir.remove() }
        let blocks = BlockDirectory.path(dataDir: dir.path)
        let (meta, _) = try BlockTesting.write([Self.series], to: blocks, minTime: 0, maxTime: 100)
        // What a crash leaves: a half-written block, and a block half deleted.
        let half = blocks + "/\(BlockID.generate()).tmp"
        try FileManager.default.createDirectory(atPath: half, withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: half + "/chunks"))
        let deleting = blocks + "/\(BlockID.generate()).delete.tmp"
        try FileManager.default.createDirectory(atPath: deleting, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: URL(fileURLWithPath: deleting + "/meta.json"))

        #expect(try BlockDirectory.list(dataDir: dir.path) == [meta])
        let removed = try BlockDirectory.removeTemporaries(dataDir: dir.path, logger: BlockTesting.logger)
        #expect(removed.count == 2)
        #expect(try BlockFiles.names(in: blocks) == ["\(meta.id)"])
        #expect(try BlockDirectory.removeTemporaries(dataDir: dir.path, logger: BlockTesting.logger).isEmpty)
        #expect(try BlockDirectory.list(dataDir: dir.path + "/missing").isEmpty)
    }

    @Test func aFailedFinishLeavesNoBlockAndTouchesNothingElse() throws {
        let dir = try TemporaryDirectory("block-fail")
        defer { dir.remove() }
        let id = BlockID.generate()
        // Something already occupies the block's final name: the rename fails.
        let squatter = dir.appending("\(id)")
        try FileManager.default.createDirectory(atPath: squatter, withIntermediateDirectories: true)
        try Data([42]).write(to: URL(fileURLWithPath: squatter + "/keep"))
        do {
            let writer = try BlockWriter(
                parentDirectory: dir.path, minTime: 0, maxTime: 100, level: 1, sources: nil, parents: [],
                samplesPerChunk: 240, id: id, codec: .standard, logger: BlockTesting.logger)
            try writer.add(labels: Self.series.labels, timestamps: Self.series.timestamps, values: Self.series.values)
            #expect(throws: StorageError.self) { try writer.finish() }
            #expect(throws: StorageError.self) {
                try writer.add(labels: Labels(["__name__": "z"]), timestamps: [5], values: [5])
            }
        }
        #expect(try BlockFiles.names(in: dir.path) == ["\(id)"])
        #expect(try BlockFiles.names(in: squatter) == ["keep"])
    }

    @Test func compactionLineageIsRecorded() throws {
        let dir = try TemporaryDirectory("block-lineage")
        defer { dir.remove() }
        let a = BlockID.generate(milliseconds: 1)
        let b = BlockID.generate(milliseconds: 2)
        let writer = try BlockWriter(
            parentDirectory: dir.path, minTime: 0, maxTime: 100, level: 2, sources: [a, b], parents: [a, b],
            logger: BlockTesting.logger)
        let meta = try writer.finish()
        #expect(meta.compaction == .init(level: 2, sources: [a, b], parents: [a, b]))
        #expect(try BlockReader(directory: dir.appending("\(meta.id)"), logger: BlockTesting.logger).meta == meta)
    }
}

@Suite("Block timestamp sharing")
struct BlockDedupeTests {
    @Test func seriesWithTheSameTimestampsShareOneColumn() throws {
        let dir = try TemporaryDirectory("block-dedupe")
        defer { dir.remove() }
        let timestamps = (0..<120).map { 1_000 + Int64($0) * 15_000 + Int64($0 % 3) }
        let a = BlockTestSeries(
            labels: Labels(["__name__": "a"]), timestamps: timestamps, values: timestamps.map { Double($0 % 97) })
        let b = BlockTestSeries(
            labels: Labels(["__name__": "b"]), timestamps: timestamps, values: timestamps.map { _ in 1 })
        let (meta, writer) = try BlockTesting.write([a, b], to: dir.path, minTime: 0, maxTime: 7_200_000)
        #expect(meta.stats.chunks == 2)
        #expect(meta.stats.timestampColumns == 1)
        #expect(writer.columns.reuses == 1)
        let chunksFile = BlockTesting.size(dir.appending("\(meta.id)/chunks"))
        let oneColumn = TimestampColumn.encode(timestamps).count + 4
        #expect(chunksFile == BlockFormat.headerSize + oneColumn + writer.valueBytes)
        let reader = try BlockReader(directory: dir.appending("\(meta.id)"), logger: BlockTesting.logger)
        #expect(try BlockTesting.readAll(reader) == [a, b])
    }

    @Test func aLateStarterSharesTheChunksAfterItsFirst() throws {
        let dir = try TemporaryDirectory("block-late")
        defer { dir.remove() }
        let full = (0..<300).map { Int64($0) * 15_000 + 7 }
        let late = Array(full[130...])
        let (meta, _) = try BlockTesting.write(
            [
                BlockTestSeries(labels: Labels(["__name__": "full"]), timestamps: full, values: full.map { _ in 1 }),
                BlockTestSeries(labels: Labels(["__name__": "late"]), timestamps: late, values: late.map { _ in 2 }),
            ], to: dir.path, minTime: 0, maxTime: 7_200_000, samplesPerChunk: 100)
        // Five 1.44 M ms windows of 96 samples: `full` fills four, the last
        // with 12 samples, which join the third (96, 96, 108). `late` starts
        // inside the second window (62, 108) and shares its last chunk.
        #expect(meta.stats.chunks == 5)
        #expect(meta.stats.timestampColumns == 4)
    }

    @Test func columnsBeyondTheMemoryBudgetAreComparedOnDisk() throws {
        let dir = try TemporaryDirectory("block-budget")
        defer { dir.remove() }
        let file = try BlockFileWriter(path: dir.appending("chunks"))
        try file.append([0, 0, 0, 0, 0, 0, 0, 0])
        var table = TimestampColumnTable(arenaBudget: 0)
        let ts: [Int64] = [1, 2, 3]
        let bytes = TimestampColumn.encode(ts)
        let first = try table.column(for: bytes, timestamps: ts[...], file: file)
        try file.append([9, 9, 9])  // still buffered when compared
        let again = try table.column(for: bytes, timestamps: ts[...], file: file)
        let other = try table.column(for: TimestampColumn.encode([1, 2, 4]), timestamps: [1, 2, 4], file: file)
        #expect(first == again && other != first)
        #expect(table.entries.count == 2 && table.reuses == 1)
    }
}
