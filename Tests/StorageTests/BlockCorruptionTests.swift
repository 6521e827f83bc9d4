import Foundation
import MeridianModel
import TestSupport
import Testing

@testable import Storage

/// Damaged bytes must surface as `.corruption` naming the file and an
/// offset, never as a crash or as silently wrong samples.
@Suite("Block corruption")
struct BlockCorruptionTests {
    /// Opens the block, checks it fully, then queries it the way the engine
    /// would. Returns the error, or nil when everything succeeded.
    static func exercise(_ directory: String, codec: BlockColumnCodec) -> StorageError? {
        do {
            let reader = try BlockReader(directory: directory, codec: codec, logger: BlockTesting.logger)
            var firstError: StorageError?
            do {
                for matchers in [[], [try LabelMatcher(.regexMatch, "job", "a|b.*")]] as [[LabelMatcher]] {
                    for s in try reader.select(matchers, mint: .min, maxt: .max) { _ = s.samples() }
                    _ = try reader.labelValues("job", matching: matchers, mint: .min, maxt: .max)
                }
            } catch let error as StorageError {
                firstError = error
            }
            try reader.verify()
            return firstError
        } catch let error as StorageError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    static func expectCorruption(_ error: StorageError?, file path: String, _ what: String) {
        guard let error else {
            Issue.record("\(what): damage went unnoticed")
            return
        }
        #expect(error.code == .corruption, "\(what): \(error)")
        #expect(error.message.contains(path), "\(what): \(error)")
        #expect(error.message.contains("at offset "), "\(what): \(error)")
    }

    @Test(arguments: ["index", "chunks"])
    func everyByteOfATinyBlockIsChecked(file: String) throws {
        let dir = try TemporaryDirectory("block-flip")
        defer { dir.remove() }
        _ = try BlockGoldenTests.writeTinyBlock(in: dir.path)
        let block = dir.appending("\(BlockGoldenTests.id)")
        let path = block + "/" + file
        let pristine = try Data(contentsOf: URL(fileURLWithPath: path))
        for offset in 0..<pristine.count {
            for mask in [0x01, 0x80, 0xFF] as [UInt8] {
                var damaged = pristine
                damaged[offset] ^= mask
                try damaged.write(to: URL(fileURLWithPath: path))
                Self.expectCorruption(
                    Self.exercise(block, codec: BlockTesting.rawCodec), file: path, "\(file) byte \(offset) ^ \(mask)")
            }
        }
        try pristine.write(to: URL(fileURLWithPath: path))
        #expect(Self.exercise(block, codec: BlockTesting.rawCodec) == nil)
    }

    @Test func truncatedFilesAreCorruption() throws {
        let dir = try TemporaryDirectory("block-truncate")
        defer { dir.remove() }
        _ = try BlockGoldenTests.writeTinyBlock(in: dir.path)
        let block = dir.appending("\(BlockGoldenTests.id)")
        for file in ["index", "chunks"] {
            let path = block + "/" + file
            let pristine = try Data(contentsOf: URL(fileURLWithPath: path))
            for length in [0, 1, 7, 8, pristine.count / 2, pristine.count - 4, pristine.count - 1] {
                try pristine.prefix(length).write(to: URL(fileURLWithPath: path))
                Self.expectCorruption(
                    Self.exercise(block, codec: BlockTesting.rawCodec), file: path, "\(file) cut to \(length)")
            }
            try (pristine + [0]).write(to: URL(fileURLWithPath: path))
            Self.expectCorruption(Self.exercise(block, codec: BlockTesting.rawCodec), file: path, "\(file) + 1 byte")
            try pristine.write(to: URL(fileURLWithPath: path))
        }
    }

    /// Random damage in a block of realistic size, with the real codecs.
    @Test func randomDamageInALargerBlock() throws {
        let dir = try TemporaryDirectory("block-damage")
        defer { dir.remove() }
        var rng = SplitMix64(seed: 31)
        let data = rng.blockDataSet(seriesCount: 60, minTime: 0, maxTime: 7_200_000)
        let (meta, _) = try BlockTesting.write(data, to: dir.path, minTime: 0, maxTime: 7_200_000, samplesPerChunk: 60)
        let block = dir.appending("\(meta.id)")
        for file in ["index", "chunks"] {
            let path = block + "/" + file
            let pristine = try Data(contentsOf: URL(fileURLWithPath: path))
            for _ in 0..<150 {
                var damaged = pristine
                let offset = rng.below(pristine.count)
                damaged[offset] ^= UInt8(1 + rng.below(255))
                try damaged.write(to: URL(fileURLWithPath: path))
                Self.expectCorruption(Self.exercise(block, codec: .standard), file: path, "\(file) byte \(offset)")
            }
            try pristine.write(to: URL(fileURLWithPath: path))
        }
        #expect(Self.exercise(block, codec: .standard) == nil)
    }

    /// Opening reads only meta.json, the header and the TOC: damage in a
    /// table is found by the first query, and the error says where.
    @Test func openingDoesNotReadTheTables() throws {
        let dir = try TemporaryDirectory("block-lazy")
        defer { dir.remove() }
        _ = try BlockGoldenTests.writeTinyBlock(in: dir.path)
        let block = dir.appending("\(BlockGoldenTests.id)")
        let path = block + "/index"
        var damaged = try Data(contentsOf: URL(fileURLWithPath: path))
        damaged[20] ^= 0x20  // inside the symbol "__name__"
        try damaged.write(to: URL(fileURLWithPath: path))
        let reader = try BlockReader(directory: block, codec: BlockTesting.rawCodec, logger: BlockTesting.logger)
        #expect(reader.meta.stats.series == 2)
        do {
            _ = try reader.select([], mint: .min, maxt: .max)
            Issue.record("damage went unnoticed")
        } catch let error as StorageError {
            #expect(error.code == .corruption)
            #expect(error.message.contains("\(path) at offset 8: symbols"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func damagedMetaIsCorruption() throws {
        let dir = try TemporaryDirectory("block-meta-damage")
        defer { dir.remove() }
        _ = try BlockGoldenTests.writeTinyBlock(in: BlockDirectory.path(dataDir: dir.path))
        let block = BlockDirectory.path(dataDir: dir.path, id: BlockGoldenTests.id)
        let path = block + "/meta.json"
        try Data("{\"id\": 3".utf8).write(to: URL(fileURLWithPath: path))
        Self.expectCorruption(Self.exercise(block, codec: BlockTesting.rawCodec), file: path, "meta.json")
        #expect(throws: StorageError.self) { try BlockDirectory.list(dataDir: dir.path) }
    }
}
