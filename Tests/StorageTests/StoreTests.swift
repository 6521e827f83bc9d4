import Foundation
import Logging
import MeridianModel
import Testing
import TestSupport

@testable import Storage

@Suite struct StoreTests {
    let logger = Logger(label: "test")
    let hour: Int64 = 3_600_000

    private func open(_ dir: TemporaryDirectory) throws -> (Store, WAL) {
        let wal = try WAL(directory: dir.appending("wal"), segmentSize: 1 << 20, logger: logger)
        let store = try Store(dataDirectory: dir.path, wal: wal, logger: logger)
        _ = try store.head.replay(from: dir.appending("wal"))
        return (store, wal)
    }

    private func everything(_ q: any Querier) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for s in try q.select([try LabelMatcher(.regexMatch, "__name__", ".+")], mint: .min, maxt: .max) {
            out[s.labels] = s.samples()
        }
        return out
    }

    /// 40 series over 7 hours at 1-minute steps, some stale markers, and late samples.
    private func load(_ store: Store, seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let series = (0..<40).map { Labels(["__name__": "m\($0 % 4)", "i": "\($0)", "job": $0 % 2 == 0 ? "a" : "b"]) }
        for minute in 0..<(7 * 60) {
            let t = Int64(minute) * 60_000 + Int64(rng.next() % 5)
            let input = series.map { labels -> (Labels, [Sample]) in
                let v = rng.next() % 50 == 0 ? StaleMarker.value : Double(rng.next() % 1000) / 8
                return (labels, [Sample(t: t, v: v)])
            }
            _ = try store.head.append(.make(input))
        }
        // A backlog inside the out-of-order window.
        _ = try store.head.append(.make(series.map { ($0, [Sample(t: 6 * hour + 30_000, v: -1)]) }))
    }

    @Test func flushPersistsEverythingAndReadsItBack() throws {
        let dir = try TemporaryDirectory("store-flush")
        defer { dir.remove() }
        let (store, wal) = try open(dir)
        try load(store, seed: 1)
        let before = try everything(store)
        #expect(before.values.reduce(0) { $0 + $1.count } == 40 * 7 * 60 + 40)

        let written = try store.flush()
        #expect(written.count == 4, "7 hours of data in 2-hour blocks")
        #expect(written.allSatisfy { $0.maxTime - $0.minTime == 2 * hour })
        #expect(store.head.seriesCount == 0)
        #expect(try everything(store) == before)
        #expect(try store.labelValues("job", matching: [], mint: .min, maxt: .max) == ["a", "b"])
        let late = try store.select([try LabelMatcher(.equal, "i", "3")], mint: 6 * hour, maxt: 6 * hour + 60_000)
        #expect(late.first?.samples().map(\.t).contains(6 * hour + 30_000) == true)
        try wal.close()

        let (reopened, _) = try open(dir)
        #expect(reopened.blocks.count == 4)
        #expect(try everything(reopened) == before)
    }

    @Test func cutsTheOldestRangeOnceTheHeadSpansOneAndAHalfRanges() throws {
        let dir = try TemporaryDirectory("store-cut")
        defer { dir.remove() }
        let (store, _) = try open(dir)
        let labels = Labels(["__name__": "c"])
        _ = try store.head.append(.make([(labels, stride(from: Int64(0), through: 3 * hour, by: 60_000).map { Sample(t: $0, v: 1) })]))
        #expect(try store.cutBlocksIfNeeded().isEmpty, "3 h is not more than 1.5 ranges of 2 h")
        _ = try store.head.append(.make([(labels, [Sample(t: 3 * hour + 60_000, v: 1)])]))
        let written = try store.cutBlocksIfNeeded()
        #expect(written.map(\.minTime) == [0])
        #expect(written.first?.stats.samples == 120)
        #expect(store.head.timeRange?.lowerBound == 2 * hour)
        #expect(try everything(store)[labels]?.count == 182)
    }

    /// A center's backlog arriving request by request, hours behind the head:
    /// gathered and written once per backfill interval, not a block per request.
    @Test func backfillIsGatheredAndCutOncePerInterval() throws {
        let dir = try TemporaryDirectory("store-backfill")
        defer { dir.remove() }
        let (store, _) = try open(dir)
        let live = Labels(["__name__": "live"])
        _ = try store.head.append(.make([(live, stride(from: Int64(0), through: 8 * hour, by: 60_000).map { Sample(t: $0, v: 1) })]))
        let clock = ContinuousClock.now
        let cut = try store.cutBlocksIfNeeded(now: clock)
        #expect(!cut.isEmpty, "the live series' old ranges are cut")
        let blocksBefore = store.blocks.count
        // Another center's backlog, six hours old, in ten requests.
        let late = Labels(["__name__": "late"])
        for request in 0..<10 {
            let times = stride(from: Int64(request) * 20 * 60_000, to: Int64(request + 1) * 20 * 60_000, by: 60_000)
            _ = try store.head.append(.make([(late, times.map { Sample(t: 3600_000 + $0, v: 2) })]))
            let written = try store.cutBlocksIfNeeded(now: clock + .seconds(Double(request) * 5 + 1))
            #expect(written.isEmpty || request == 0, "request \(request): within the interval after the first cut")
            if request == 0 { #expect(!written.isEmpty, "the first backfill is written at once") }
        }
        let written = try store.cutBlocksIfNeeded(now: clock + .seconds(120))
        #expect(!written.isEmpty, "the rest of the backlog after the interval")
        #expect(store.blocks.count - blocksBefore <= 6, "a few blocks, not one per request: \(store.blocks.count - blocksBefore)")
        #expect(try everything(store)[late]?.count == 200)
    }

    @Test func retentionDeletesWholeBlocksByAgeAndBySize() throws {
        let dir = try TemporaryDirectory("store-retention")
        defer { dir.remove() }
        var options = StoreOptions()
        options.retention = 3 * hour
        let wal = try WAL(directory: dir.appending("wal"), logger: logger)
        let store = try Store(dataDirectory: dir.path, options: options, wal: wal, logger: logger)
        try load(store, seed: 4)
        try store.flush()
        #expect(store.blocks.count == 4)
        // The newest block ends at 8 h: blocks ending 3 h or more before that go.
        let deleted = try store.applyRetention()
        #expect(deleted.map(\.minTime) == [0, 2 * hour])
        #expect(store.blocks.map(\.minTime) == [4 * hour, 6 * hour])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appending("blocks")).count == 2)
        #expect(try everything(store).values.allSatisfy { $0.allSatisfy { $0.t >= 4 * hour } })

        var bySize = StoreOptions()
        bySize.retention = 0
        bySize.maxDiskBytes = BlockFiles.treeSize(dir.appending("blocks/\(store.blocks[1].id)")) + 1
        let sized = try Store(dataDirectory: dir.path, options: bySize, wal: nil, logger: logger)
        #expect(try sized.applyRetention().map(\.minTime) == [4 * hour], "the oldest goes first")
        #expect(sized.blocks.map(\.minTime) == [6 * hour])
    }

    @Test func quarantinesACorruptBlockAndStartsWithTheRest() throws {
        let dir = try TemporaryDirectory("store-quarantine")
        defer { dir.remove() }
        do {
            let (store, wal) = try open(dir)
            try load(store, seed: 2)
            try store.flush()
            try wal.close()
        }
        let blocks = try FileManager.default.contentsOfDirectory(atPath: dir.appending("blocks")).sorted()
        #expect(blocks.count == 4)
        // One block's table of contents (at the end of its index), another's first table.
        for (block, offset) in [(blocks[0], -10), (blocks[1], 24)] {
            let index = dir.appending("blocks/\(block)/index")
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: index)))
            bytes[offset < 0 ? bytes.count + offset : offset] ^= 0xff
            try Data(bytes).write(to: URL(fileURLWithPath: index))
        }

        let (reopened, _) = try open(dir)
        #expect(reopened.blocks.count == 2)
        #expect(FileManager.default.fileExists(atPath: dir.appending("quarantine/\(blocks[0])")))
        #expect(FileManager.default.fileExists(atPath: dir.appending("quarantine/\(blocks[1])")))
        #expect(try everything(reopened).count == 40)
    }

    @Test func queriesDuringAFlushNeverMissASample() async throws {
        let dir = try TemporaryDirectory("store-race")
        defer { dir.remove() }
        let (store, _) = try open(dir)
        try load(store, seed: 3)
        let total = try everything(store).values.reduce(0) { $0 + $1.count }
        let counts = await withTaskGroup(of: [Int].self) { group in
            group.addTask {
                var seen: [Int] = []
                for _ in 0..<30 {
                    let all = (try? store.select([try LabelMatcher(.regexMatch, "__name__", ".+")], mint: .min, maxt: .max)) ?? []
                    seen.append(all.reduce(0) { $0 + $1.samples().count })
                }
                return seen
            }
            group.addTask {
                _ = try? store.flush()
                return []
            }
            return await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(counts.count == 30)
        #expect(counts.allSatisfy { $0 == total }, "every query saw all \(total) samples: \(counts)")
    }
}
