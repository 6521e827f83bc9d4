import Encoding
import Logging
import MeridianModel
import TestSupport

@testable import Storage

/// One series as a block test writes it.
struct BlockTestSeries: Equatable {
    var labels: Labels
    var timestamps: [Int64]
    var values: [Double]

    var samples: [Sample] { zip(timestamps, values).map { Sample(t: $0, v: $1) } }

    static func == (a: BlockTestSeries, b: BlockTestSeries) -> Bool {
        a.labels == b.labels && a.timestamps == b.timestamps
            && a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
    }
}

/// Helpers shared by the block tests.
enum BlockTesting {
    static let logger: Logger = {
        var logger = Logger(label: "block-test")
        logger.logLevel = .warning
        return logger
    }()

    /// Columns stored raw (8 little-endian bytes a sample), so that golden
    /// bytes pin the block container, not the codecs (which have their own).
    static let rawCodec = BlockColumnCodec(
        encodeTimestamps: { ts in
            var out: [UInt8] = []
            for t in ts { out.appendUInt64LE(UInt64(bitPattern: t)) }
            return out
        },
        decodeTimestamps: { (bytes, count, out) throws(EncodingError) in
            out.removeAll(keepingCapacity: true)
            guard bytes.count == 8 * count else { throw EncodingError(.truncated, "raw timestamps") }
            for i in 0..<count {
                out.append(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
            }
        },
        encodeValues: { vs in
            var out: [UInt8] = []
            for v in vs { out.appendUInt64LE(v.bitPattern) }
            return out
        },
        decodeValues: { (bytes, count, out) throws(EncodingError) in
            out.removeAll(keepingCapacity: true)
            guard bytes.count == 8 * count else { throw EncodingError(.truncated, "raw values") }
            for i in 0..<count {
                out.append(
                    Double(
                        bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        })

    /// Writes `series` (any order; sorted here) as one block and returns its meta.
    @discardableResult
    static func write(
        _ series: [BlockTestSeries], to parent: String, minTime: Int64, maxTime: Int64,
        samplesPerChunk: Int = BlockFormat.defaultSamplesPerChunk, codec: BlockColumnCodec = .standard,
        id: BlockID = .generate()
    ) throws -> (meta: BlockMeta, writer: BlockWriter) {
        let writer = try BlockWriter(
            parentDirectory: parent, minTime: minTime, maxTime: maxTime, level: 1, sources: nil, parents: [],
            samplesPerChunk: samplesPerChunk, id: id, codec: codec, logger: logger)
        for s in series.sorted(by: { $0.labels < $1.labels }) {
            try writer.add(labels: s.labels, timestamps: s.timestamps, values: s.values)
        }
        return (try writer.finish(), writer)
    }

    /// Every series of a querier, read back through `select`.
    static func readAll(_ q: any Querier, mint: Int64 = .min, maxt: Int64 = .max) throws -> [BlockTestSeries] {
        try q.select([], mint: mint, maxt: maxt).map { s in
            let samples = s.samples()
            return BlockTestSeries(labels: s.labels, timestamps: samples.map(\.t), values: samples.map(\.v))
        }
    }

    /// File size in bytes.
    static func size(_ path: String) -> Int { WALFiles.size(path).map(Int.init) ?? -1 }
}

/// Values a block must keep bit for bit.
let blockAwkwardValues: [Double] = [
    StaleMarker.value, .nan, -.nan, Double(bitPattern: 0x7ff8_dead_beef_0001),
    Double(bitPattern: 0xfff0_0000_0000_0001), .infinity, -.infinity, 0, -0.0,
    .leastNonzeroMagnitude, .greatestFiniteMagnitude, -1.5,
]

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A random data set: label sets over a few names with ASCII and
    /// non-ASCII values, irregular timestamps (some series share them, as
    /// the series of a scrape target do), every kind of awkward value.
    mutating func blockDataSet(seriesCount: Int, minTime: Int64, maxTime: Int64) -> [BlockTestSeries] {
        let metricNames = ["up", "http_requests_total", "node_load1", "ümlaut_metric", "a"]
        let valuePool = ["a", "b", "node", "web-1", "日本", "🦀", "Ωmega", "x y", "GET", "500", "+Inf", "0.5"]
        var seen = Set<Labels>()
        var sharedTimestamps: [[Int64]] = []
        var out: [BlockTestSeries] = []
        while out.count < seriesCount {
            var labels = [Label(name: "__name__", value: pick(metricNames))]
            for name in ["instance", "job", "le", "path", "zone"] where below(3) != 0 {
                labels.append(Label(name: name, value: pick(valuePool)))
            }
            let set = Labels(labels)
            guard seen.insert(set).inserted else { continue }
            let timestamps: [Int64]
            if !sharedTimestamps.isEmpty && below(3) == 0 {
                timestamps = pick(sharedTimestamps)
            } else {
                timestamps = blockTimestamps(minTime: minTime, maxTime: maxTime)
                sharedTimestamps.append(timestamps)
            }
            let values = timestamps.map { _ in blockValue() }
            out.append(BlockTestSeries(labels: set, timestamps: timestamps, values: values))
        }
        return out
    }

    /// 0–400 strictly increasing timestamps in `[minTime, maxTime)`, with
    /// gaps of every size (bursts, scrape-like steps, outages).
    mutating func blockTimestamps(minTime: Int64, maxTime: Int64) -> [Int64] {
        let count = below(8) == 0 ? below(3) : below(400)
        let span = UInt64(maxTime - minTime)
        var t = minTime + Int64(next() % max(1, span / 4))
        var out: [Int64] = []
        for _ in 0..<count {
            guard t < maxTime else { break }
            out.append(t)
            switch below(10) {
            case 0: t += 1 + Int64(below(5))
            case 1: t += 1 + Int64(next() % max(1, span / 50))
            default: t += 15_000 + Int64(below(7)) - 3
            }
        }
        return out
    }

    mutating func blockValue() -> Double {
        switch below(5) {
        case 0: return pick(blockAwkwardValues)
        case 1: return Double(bitPattern: next())
        case 2: return Double(below(1_000_000))
        default: return Double(below(10_000)) / 8
        }
    }
}
