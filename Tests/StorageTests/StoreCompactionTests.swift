import Foundation
import Logging
import MeridianModel
import Testing
import TestSupport

@testable import Storage

/// Compaction through the store: what queries see before and after, the
/// 2 h → 6 h → 24 h ladder, vertical merges, crashes and damaged parents.
@Suite struct StoreCompactionTests {
    let logger = Logger(label: "test")
    static let hour: Int64 = 3_600_000

    private func open(_ dir: TemporaryDirectory) throws -> Store {
        let wal = try WAL(directory: dir.appending("wal"), segmentSize: 1 << 20, logger: logger)
        let store = try Store(dataDirectory: dir.path, wal: wal, logger: logger)
        _ = try store.replayWAL(from: dir.appending("wal"))
        return store
    }

    private func everything(_ q: any Querier) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for s in try q.select([], mint: .min, maxt: .max) { out[s.labels] = s.samples() }
        return out
    }

    /// `series` series at 1-minute steps over `[from, to)` hours, with stale markers.
    private func load(_ store: Store, series count: Int = 12, hours: Range<Int64>, seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let series = (0..<count).map { Labels(["__name__": "m\($0 % 3)", "i": "\($0)"]) }
        for minute in (hours.lowerBound * 60)..<(hours.upperBound * 60) {
            let t = minute * 60_000 + Int64(rng.next() % 5)
            _ = try store.head.append(
                .make(series.map { ($0, [Sample(t: t, v: rng.next() % 61 == 0 ? StaleMarker.value : Double(rng.next() % 999))]) }))
        }
    }

    private func spans(_ store: Store) -> [[Int64]] {
        store.blocks.map { [$0.minTime / Self.hour, $0.maxTime / Self.hour] }
    }

    private func expectDisjoint(_ store: Store, sourceLocation: SourceLocation = #_sourceLocation) {
        let blocks = store.blocks
        for (a, b) in zip(blocks, blocks.dropFirst()) {
            #expect(a.maxTime <= b.minTime, "blocks overlap: \(a.id) and \(b.id)", sourceLocation: sourceLocation)
        }
    }

    @Test func climbsFromTwoHoursToADayAndKeepsEverySample() throws {
        let dir = try TemporaryDirectory("compact-ladder")
        defer { dir.remove() }
        let store = try open(dir)
        try load(store, hours: 0..<26, seed: 1)
        let before = try everything(store)
        try store.flush()
        #expect(store.blocks.count == 13)

        let made = try store.compact()
        #expect(made.map(\.compaction.level) == [2, 2, 2, 2, 3], "four 6 h blocks, then one day")
        #expect(spans(store) == [[0, 24], [24, 26]])
        #expect(store.blocks[0].compaction.sources.count == 12)
        #expect(store.blocks[0].compaction.parents.count == 4)
        #expect(store.blocks[0].stats.samples + store.blocks[1].stats.samples == before.values.reduce(0) { $0 + $1.count })
        #expect(try everything(store) == before)
        #expect(try store.compact().isEmpty, "nothing left to merge")
        let blockDirectories = try FileManager.default.contentsOfDirectory(atPath: dir.appending("blocks"))
        #expect(blockDirectories.count == 2, "the parents are deleted: \(blockDirectories)")

        let reopened = try open(dir)
        #expect(try everything(reopened) == before)
    }

    @Test func mergesOverlappingBlocksKeepingWhatQueriesSaw() throws {
        let dir = try TemporaryDirectory("compact-vertical")
        defer { dir.remove() }
        let store = try open(dir)
        try load(store, hours: 0..<7, seed: 2)
        try store.flush()
        // A late backlog for hours 2–4: new timestamps, repeats, and one conflicting value.
        let late = Labels(["__name__": "m0", "i": "0"])
        let old = try everything(store)[late]!
        let repeated = old.filter { $0.t >= 2 * Self.hour && $0.t < 4 * Self.hour }.prefix(5)
        var backlog = repeated.map { Sample(t: $0.t + 1, v: 7) } + Array(repeated.dropFirst())
        backlog.append(Sample(t: repeated.first!.t, v: 123_456))
        backlog.sort { $0.t < $1.t }
        _ = try store.head.append(.make([(late, backlog)]))
        try store.flush()
        #expect(store.blocks.count == 5)
        let before = try everything(store)
        #expect(before[late]!.count == old.count + 5)
        #expect(before[late]!.first { $0.t == repeated.first!.t }?.v == repeated.first!.v, "the older block wins")

        try store.compact()
        expectDisjoint(store)
        #expect(try everything(store) == before, "the conflicting value resolves as queries resolved it")
        #expect(store.blocks.reduce(0) { $0 + $1.stats.samples } == before.values.reduce(0) { $0 + $1.count })
    }

    @Test func startUpDeletesParentsAMergeLeftBehind() throws {
        let dir = try TemporaryDirectory("compact-crash")
        defer { dir.remove() }
        let saved = dir.appending("saved")
        do {
            let store = try open(dir)
            try load(store, hours: 0..<7, seed: 3)
            try store.flush()
            try FileManager.default.copyItem(atPath: dir.appending("blocks"), toPath: saved)
            try store.compact()
            #expect(spans(store) == [[0, 6], [6, 8]])
        }
        // A crash after the merged block's rename, before the parents' deletion.
        for name in try FileManager.default.contentsOfDirectory(atPath: saved) {
            let target = dir.appending("blocks/\(name)")
            if !FileManager.default.fileExists(atPath: target) {
                try FileManager.default.copyItem(atPath: saved + "/" + name, toPath: target)
            }
        }
        let reopened = try open(dir)
        #expect(spans(reopened) == [[0, 6], [6, 8]])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appending("blocks")).count == 2)
        #expect(reopened.blocks.reduce(0) { $0 + $1.stats.samples } == 12 * 7 * 60)
    }

    @Test func aDamagedParentGoesToQuarantineAndTheRestMerge() throws {
        let dir = try TemporaryDirectory("compact-damaged")
        defer { dir.remove() }
        let store = try open(dir)
        try load(store, hours: 0..<7, seed: 4)
        try store.flush()
        let damaged = store.blocks[1].id
        let chunks = dir.appending("blocks/\(damaged)/chunks")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: chunks)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: chunks))

        let made = try store.compact()
        #expect(made.count == 1)
        #expect(spans(store) == [[0, 6], [6, 8]])
        #expect(FileManager.default.fileExists(atPath: dir.appending("quarantine/\(damaged)")))
        #expect(store.blocks[0].stats.samples == 12 * 4 * 60, "hours 0–2 and 4–6")
    }

    @Test func queriesDuringACompactionSeeEachSampleOnce() async throws {
        let dir = try TemporaryDirectory("compact-race")
        defer { dir.remove() }
        let store = try open(dir)
        try load(store, series: 40, hours: 0..<26, seed: 5)
        try store.flush()
        let total = try everything(store).values.reduce(0) { $0 + $1.count }
        let counts = await withTaskGroup(of: [Int].self) { group in
            group.addTask {
                var seen: [Int] = []
                for _ in 0..<40 {
                    let all = (try? store.select([], mint: .min, maxt: .max)) ?? []
                    seen.append(all.reduce(0) { $0 + $1.samples().count })
                }
                return seen
            }
            group.addTask {
                _ = try? store.compact()
                return []
            }
            return await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(store.blocks.count == 2)
        #expect(counts.count == 40)
        #expect(counts.allSatisfy { $0 == total }, "every query saw all \(total) samples: \(counts)")
    }

    @Test func cancelledCompactionLeavesTheBlocksAsTheyWere() throws {
        let dir = try TemporaryDirectory("compact-cancel")
        defer { dir.remove() }
        let store = try open(dir)
        try load(store, hours: 0..<7, seed: 6)
        try store.flush()
        store.cancelCompaction()
        #expect(try store.compact().isEmpty)
        #expect(store.blocks.count == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appending("blocks")).count == 4)
    }
}
