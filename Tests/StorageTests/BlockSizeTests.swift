import Foundation
import MeridianModel
import TestSupport
import Testing

@testable import Storage

@Suite("Block size")
struct BlockSizeTests {
    struct Breakdown: CustomStringConvertible {
        var samples: Int
        var index: Int
        var timestampBytes: Int
        var valueBytes: Int
        var chunksFile: Int
        var chunks: Int
        var columns: Int

        func perSample(_ bytes: Int) -> String { String(format: "%.3f", Double(bytes) / Double(samples)) }
        var total: Double { Double(index + chunksFile) / Double(samples) }
        var description: String {
            "total \(String(format: "%.3f", total)) B/sample = index \(perSample(index)) + chunks \(perSample(chunksFile)) "
                + "(timestamps \(perSample(timestampBytes)), values \(perSample(valueBytes))); "
                + "\(chunks) chunks share \(columns) timestamp columns; index \(index) B, chunks \(chunksFile) B"
        }
    }

    static func measure(
        _ data: BlockBenchShapedData, minTime: Int64, maxTime: Int64,
        samplesPerChunk: Int = BlockFormat.defaultSamplesPerChunk
    ) throws -> Breakdown {
        let dir = try TemporaryDirectory("block-size")
        defer { dir.remove() }
        let (meta, writer) = try BlockTesting.write(
            data.series, to: dir.path, minTime: minTime, maxTime: maxTime, samplesPerChunk: samplesPerChunk)
        let block = dir.appending("\(meta.id)")
        let reader = try BlockReader(directory: block, logger: BlockTesting.logger)
        #expect(try BlockTesting.readAll(reader) == data.series.sorted { $0.labels < $1.labels })
        return Breakdown(
            samples: meta.stats.samples, index: BlockTesting.size(block + "/index"),
            timestampBytes: writer.columns.storedBytes, valueBytes: writer.valueBytes,
            chunksFile: BlockTesting.size(block + "/chunks"), chunks: meta.stats.chunks,
            columns: meta.stats.timestampColumns)
    }

    /// 2,024 series × 120 samples (30 min at 15 s), the brief's reference.
    @Test func benchShapedDataStaysSmall() throws {
        let start: Int64 = 1_700_000_000_000
        let data = BlockBenchShapedData(hosts: 44, rounds: 120, start: start, seed: 42)
        let tight = try Self.measure(data, minTime: start - 3, maxTime: start + 121 * 15_000)
        print("bench-shaped, 2,024 series x 120 samples, block = data range: \(tight)")
        // The head cuts blocks on 2 h boundaries; 30 min of data may sit
        // anywhere in one.
        let aligned = try Self.measure(data, minTime: start - 3_600_000, maxTime: start + 3_600_000)
        print("bench-shaped, same data in a 2 h block: \(aligned)")
        // The index and the shared timestamps are what the block adds to the
        // value codec's bytes.
        #expect(Double(tight.index) / Double(tight.samples) < 0.25)
        #expect(Double(tight.timestampBytes) / Double(tight.samples) < 0.1)
        #expect(tight.columns * 20 < tight.chunks)  // 46 series a host, two targets
        #expect(aligned.chunks == tight.chunks)
    }

    /// Open and query costs of a large block (100k series): prints timings;
    /// run with `BLOCK_BENCH=1`, in release (`-c release -Xswiftc -enable-testing`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["BLOCK_BENCH"] != nil))
    func largeBlockTimings() throws {
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = ContinuousClock.now
            try body()
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let start: Int64 = 1_700_000_000_000
        let hosts = Int(ProcessInfo.processInfo.environment["BLOCK_BENCH_HOSTS"] ?? "") ?? 2174
        var data: BlockBenchShapedData!
        let generate = seconds { data = BlockBenchShapedData(hosts: hosts, rounds: 120, start: start, seed: 7) }
        let sorted = data.series.sorted { $0.labels < $1.labels }
        data = nil
        let dir = try TemporaryDirectory("block-bench")
        defer { dir.remove() }
        var meta: BlockMeta!
        let write = try seconds {
            let writer = try BlockWriter(
                parentDirectory: dir.path, minTime: start - 3, maxTime: start + 121 * 15_000,
                logger: BlockTesting.logger)
            for s in sorted { try writer.add(labels: s.labels, timestamps: s.timestamps, values: s.values) }
            meta = try writer.finish()
        }
        let block = dir.appending("\(meta.id)")
        let samples = Double(meta.stats.samples)
        print(
            "large block: \(meta.stats.series) series, \(meta.stats.samples) samples, generated in \(generate) s, written in \(write) s (\(Int(samples / write)) samples/s); index \(BlockTesting.size(block + "/index")) B (\(Double(BlockTesting.size(block + "/index")) / samples) B/sample), chunks \(BlockTesting.size(block + "/chunks")) B (\(Double(BlockTesting.size(block + "/chunks")) / samples) B/sample)"
        )
        var opens: [Double] = []
        for _ in 0..<20 {
            opens.append(try seconds { _ = try BlockReader(directory: block, logger: BlockTesting.logger) })
        }
        let reader = try BlockReader(directory: block, logger: BlockTesting.logger)
        let up = [try LabelMatcher(.equal, "__name__", "up")]
        var selected = 0
        let first = try seconds { selected = try reader.select(up, mint: .min, maxt: .max).count }
        let second = try seconds { _ = try reader.select(up, mint: .min, maxt: .max) }
        var read = 0
        let iterate = try seconds {
            for s in try reader.select(up, mint: .min, maxt: .max) {
                var it = s.makeIterator()
                while it.next() { read += 1 }
            }
        }
        let oneHost = [try LabelMatcher(.equal, "instance", "bj-prod-1-api-gateway-00000:8080")]
        let host = try seconds { _ = try reader.select(oneHost, mint: .min, maxt: .max).map { $0.samples() } }
        let regex = [
            try LabelMatcher(.regexMatch, "instance", "gz-prod-3-.*:9100"),
            try LabelMatcher(.equal, "__name__", "node_load1"),
        ]
        let regexTime = try seconds { _ = try reader.select(regex, mint: .min, maxt: .max) }
        var all = 0
        let everything = try seconds {
            var cursor = try reader.seriesCursor()
            while let s = try cursor.next() { all += s.timestamps.count }
        }
        let verify = try seconds { try reader.verify() }
        opens.sort()
        print(
            "large block: open median \(opens[10] * 1e6) µs (max \(opens.last! * 1e6) µs); first select of up (\(selected) series, checks the tables) \(first * 1e3) ms, again \(second * 1e3) ms, select+iterate \(read) samples \(iterate * 1e3) ms; one host's series with samples \(host * 1e3) ms; regex on instance \(regexTime * 1e3) ms; cursor over all \(all) samples \(everything) s; verify \(verify) s"
        )
    }

    /// Chunk size against bytes: prints a table; run with
    /// `BLOCK_CHUNK_SWEEP=1` (takes a while).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["BLOCK_CHUNK_SWEEP"] != nil))
    func chunkSizeSweep() throws {
        let start: Int64 = 1_700_000_000_000
        let data = BlockBenchShapedData(hosts: 44, rounds: 480, start: start, seed: 42)
        for n in [60, 120, 240, 480] {
            let b = try Self.measure(data, minTime: start - 3, maxTime: start + 7_200_000 - 3, samplesPerChunk: n)
            print("2 h block, 480 samples/series, samplesPerChunk \(n): \(b)")
        }
    }
}
