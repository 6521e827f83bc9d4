import MeridianModel
import TestSupport
import Testing

@testable import Storage

@Suite("Block round trip")
struct BlockRoundTripTests {
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomSeriesComeBackBitForBit(seed: UInt64) throws {
        let dir = try TemporaryDirectory("block-rt")
        defer { dir.remove() }
        var rng = SplitMix64(seed: seed)
        // Negative times too: the block's range straddles the epoch for some seeds.
        let minTime: Int64 = seed % 2 == 0 ? -3_600_000 : 1_700_000_000_000
        let maxTime = minTime + 7_200_000
        let data = rng.blockDataSet(seriesCount: 100, minTime: minTime, maxTime: maxTime)
        let samplesPerChunk = [240, 7, 120][Int(seed % 3)]
        let (meta, _) = try BlockTesting.write(
            data, to: BlockDirectory.path(dataDir: dir.path), minTime: minTime, maxTime: maxTime,
            samplesPerChunk: samplesPerChunk)

        let expected = data.filter { !$0.timestamps.isEmpty }.sorted { $0.labels < $1.labels }
        #expect(meta.stats.series == expected.count)
        #expect(meta.stats.samples == expected.reduce(0) { $0 + $1.timestamps.count })
        #expect(meta.minTime == minTime && meta.maxTime == maxTime)
        #expect(meta.compaction == .init(level: 1, sources: [meta.id], parents: []))

        let reader = try BlockReader(
            directory: BlockDirectory.path(dataDir: dir.path, id: meta.id), logger: BlockTesting.logger)
        #expect(reader.meta == meta)
        try reader.verify()
        let read = try BlockTesting.readAll(reader)
        #expect(read.count == expected.count)
        for (a, b) in zip(read, expected) { #expect(a == b, "seed \(seed): \(b.labels)") }

        var cursor = try reader.seriesCursor()
        var viaCursor: [BlockTestSeries] = []
        while let s = try cursor.next() {
            viaCursor.append(BlockTestSeries(labels: s.labels, timestamps: s.timestamps, values: s.values))
        }
        #expect(viaCursor == expected)
    }

    @Test func metaJSONRoundTripsAndListsBlocks() throws {
        let dir = try TemporaryDirectory("block-meta")
        defer { dir.remove() }
        let blocks = BlockDirectory.path(dataDir: dir.path)
        let s = BlockTestSeries(labels: Labels(["__name__": "up"]), timestamps: [10, 20], values: [1, 1])
        let (late, _) = try BlockTesting.write([s], to: blocks, minTime: 0, maxTime: 100)
        let (early, _) = try BlockTesting.write(
            [BlockTestSeries(labels: s.labels, timestamps: [-50], values: [0])], to: blocks, minTime: -100, maxTime: 0)
        #expect(try BlockDirectory.list(dataDir: dir.path) == [early, late])
        let reread = try BlockMeta.read(BlockDirectory.path(dataDir: dir.path, id: late.id) + "/meta.json")
        #expect(reread == late)
        #expect(late.stats == .init(series: 1, samples: 2, chunks: 1, timestampColumns: 1))

        try BlockDirectory.remove(id: early.id, dataDir: dir.path)
        #expect(try BlockDirectory.list(dataDir: dir.path) == [late])
    }

    @Test func emptyBlockIsValid() throws {
        let dir = try TemporaryDirectory("block-empty")
        defer { dir.remove() }
        let (meta, _) = try BlockTesting.write([], to: dir.path, minTime: 0, maxTime: 1000)
        let reader = try BlockReader(directory: dir.appending("\(meta.id)"), logger: BlockTesting.logger)
        try reader.verify()
        #expect(try reader.select([], mint: .min, maxt: .max).isEmpty)
        #expect(try reader.labelNames(matching: [], mint: .min, maxt: .max).isEmpty)
    }

    @Test func writerRejectsMisuseAndStaysUsable() throws {
        let dir = try TemporaryDirectory("block-misuse")
        defer { dir.remove() }
        let writer = try BlockWriter(parentDirectory: dir.path, minTime: 0, maxTime: 1000, logger: BlockTesting.logger)
        let b = Labels(["__name__": "b"])
        try writer.add(labels: b, timestamps: [1, 2], values: [1, 2])
        for (labels, ts) in [
            (Labels(["__name__": "a"]), [Int64(5)]),  // series order
            (b, [5]),  // the same series again
            (Labels(["__name__": "c"]), [5, 5]),  // timestamps must increase
            (Labels(["__name__": "c"]), [-1]),  // before minTime
            (Labels(["__name__": "c"]), [1000]),  // maxTime is exclusive
        ] {
            #expect(throws: StorageError.self) {
                try writer.add(labels: labels, timestamps: ts, values: ts.map { _ in 0 })
            }
        }
        try writer.add(labels: Labels(["__name__": "c"]), timestamps: [999], values: [3])
        try writer.add(labels: Labels(["__name__": "d"]), timestamps: [], values: [])  // skipped
        let meta = try writer.finish()
        #expect(meta.stats.series == 2)
        #expect(throws: StorageError.self) { try writer.finish() }
    }

    @Test func blockIDsSortByTimeAndRoundTripThroughText() {
        let a = BlockID(milliseconds: 1_700_000_000_000, randomHigh: 0xFFFF, randomLow: .max)
        let b = BlockID(milliseconds: 1_700_000_000_001, randomHigh: 0, randomLow: 0)
        #expect(a < b && "\(a)" < "\(b)")
        #expect("\(a)".utf8.count == 26)
        #expect(BlockID("\(a)") == a && BlockID("\(a)".lowercased()) == a)
        #expect(a.milliseconds == 1_700_000_000_000)
        #expect("\(BlockID(milliseconds: 0, randomHigh: 0, randomLow: 1))" == "00000000000000000000000001")
        #expect(
            "\(BlockID(milliseconds: (1 << 48) - 1, randomHigh: .max, randomLow: .max))" == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"
        )
        #expect(BlockID("8ZZZZZZZZZZZZZZZZZZZZZZZZZ") == nil)
        #expect(BlockID("0000000000000000000000000U") == nil)
        #expect(BlockID("short") == nil)
        var rng = SplitMix64(seed: 9)
        for _ in 0..<100 {
            let id = BlockID(
                milliseconds: rng.next() >> 16, randomHigh: UInt16(truncatingIfNeeded: rng.next()),
                randomLow: rng.next())
            #expect(BlockID("\(id)") == id)
        }
    }
}
