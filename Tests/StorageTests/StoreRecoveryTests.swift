import Foundation
import Logging
import MeridianModel
import Testing
import TestSupport

@testable import Storage

/// What the store does when disks fail or bytes rot while it runs: nothing
/// acknowledged is lost, damage is set aside in `quarantine/`, and the store
/// goes on with the rest.
@Suite struct StoreRecoveryTests {
    let logger = Logger(label: "test")
    static let hour: Int64 = 3_600_000

    private func open(_ path: String) throws -> (Store, WAL, WALReplayStats) {
        let wal = try WAL(directory: path + "/wal", segmentSize: 1 << 20, logger: logger)
        let store = try Store(dataDirectory: path, wal: wal, logger: logger)
        let stats = try store.replayWAL(from: path + "/wal")
        return (store, wal, stats)
    }

    private func everything(_ q: any Querier) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for s in try q.select([], mint: .min, maxt: .max) { out[s.labels] = s.samples() }
        return out
    }

    /// 10 series at 1-minute steps over `[from, to)` hours.
    private func load(_ store: Store, hours: Range<Int64>) throws {
        let series = (0..<10).map { Labels(["__name__": "r", "i": "\($0)"]) }
        for minute in (hours.lowerBound * 60)..<(hours.upperBound * 60) {
            _ = try store.head.append(.make(series.map { ($0, [Sample(t: minute * 60_000, v: Double(minute))]) }))
        }
    }

    @Test func aFailedBlockWriteKeepsTheDataAndTheNextCutRetriesIt() throws {
        let dir = try TemporaryDirectory("recovery-write")
        defer { dir.remove() }
        let (store, _, _) = try open(dir.path)
        try load(store, hours: 0..<5)
        let before = try everything(store)
        // A file where the blocks directory goes: every block write fails.
        FileManager.default.createFile(atPath: dir.appending("blocks"), contents: Data())

        #expect(throws: StorageError.self) { try store.flush() }
        #expect(store.head.seriesCount == 0, "the head was frozen")
        #expect(try everything(store) == before, "frozen data stays visible")
        try store.checkpoint()
        // A crash now: the WAL (not checkpointed) still holds every sample.
        let crashed = dir.appending("crashed")
        try FileManager.default.createDirectory(atPath: crashed, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir.appending("wal"), toPath: crashed + "/wal")
        #expect(try everything(try open(crashed).0) == before)

        try FileManager.default.removeItem(atPath: dir.appending("blocks"))
        let written = try store.cutBlocksIfNeeded()
        #expect(written.map { $0.minTime / Self.hour } == [0, 2, 4])
        #expect(try everything(store) == before)
        #expect(store.view.read { $0.frozen.isEmpty })
    }

    @Test func aDamagedWALSegmentIsCopiedToQuarantineAndCheckpointedAway() throws {
        let dir = try TemporaryDirectory("recovery-wal")
        defer { dir.remove() }
        do {
            let (store, wal, _) = try open(dir.path)
            try load(store, hours: 0..<1)
            _ = try wal.cut()
            try load(store, hours: 1..<2)
            try wal.close()
        }
        let segment = dir.appending("wal/\(WALFiles.segmentName(0))")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: segment))

        let (store, wal, stats) = try open(dir.path)
        #expect(stats.damagedFiles == [segment])
        let copy = dir.appending("quarantine/wal-\(WALFiles.segmentName(0))")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(bytes))
        let recovered = try everything(store)
        #expect(recovered.values.allSatisfy { $0.contains { $0.t == 90 * 60_000 } }, "the second segment is intact")
        try wal.close()

        let (reopened, _, again) = try open(dir.path)
        #expect(again.corruptions.isEmpty, "the checkpoint replaced the damaged segment: \(again.corruptions)")
        #expect(try everything(reopened) == recovered)
    }

    @Test func aBlockFoundDamagedByAQueryIsTakenOutOfService() throws {
        let dir = try TemporaryDirectory("recovery-query")
        defer { dir.remove() }
        let (store, _, _) = try open(dir.path)
        try load(store, hours: 0..<6)
        try store.flush()
        let damaged = store.blocks[1]
        let chunks = dir.appending("blocks/\(damaged.id)/chunks")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: chunks)))
        bytes[bytes.count - 8] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: chunks))

        let error = #expect(throws: StorageError.self) { try everything(store) }
        #expect(error?.code == .corruption)
        #expect(error?.message.contains(chunks) == true, "names the file: \(error?.message ?? "")")
        #expect(store.blocks.count == 2)
        #expect(!store.blocks.contains { $0.id == damaged.id })
        #expect(FileManager.default.fileExists(atPath: dir.appending("quarantine/\(damaged.id)")))
        let rest = try everything(store)
        #expect(rest.values.allSatisfy { $0.count == 4 * 60 }, "hours 0–2 and 4–6 still answer")
    }
}
