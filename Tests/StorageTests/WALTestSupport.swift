import Encoding
import Logging
import MeridianModel
import Synchronization
import TestSupport

@testable import Storage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Values a WAL must keep bit for bit: the ones float arithmetic or a text
/// round trip would change.
let awkwardValues: [Double] = [
    StaleMarker.value, .nan, -.nan, Double(bitPattern: 0x7ff8_dead_beef_0001),
    Double(bitPattern: 0xfff0_0000_0000_0001),
    .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -1.5,
]

/// Random records for seeded round trips (`SplitMix64` is TestSupport's).
extension SplitMix64 {
    mutating func int64() -> Int64 { Int64(bitPattern: next()) }

    /// A timestamp that is usually realistic and sometimes an Int64 extreme.
    mutating func timestamp() -> Timestamp {
        switch next() % 8 {
        case 0: return .min
        case 1: return .max
        case 2: return int64()
        default: return 1_700_000_000_000 + Int64(next() % 100_000) - 50_000
        }
    }

    mutating func value() -> Double {
        switch next() % 4 {
        case 0: return awkwardValues[Int(next() % UInt64(awkwardValues.count))]
        case 1: return Double(bitPattern: next())
        default: return Double(Int(next() % 10_000)) / 8
        }
    }

    mutating func ref() -> SeriesRef {
        next() % 4 == 0 ? next() : next() % 1_000_000
    }

    mutating func string() -> String {
        let pieces = ["a", "job", "node", "é", "日本語", "🦀", "\"", "\\", "\n", "", "x_y", "Ω≈ç√"]
        return (0..<Int(next() % 4)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined()
    }

    mutating func samples(_ count: Int) -> [RefSample] {
        (0..<count).map { _ in RefSample(ref: ref(), t: timestamp(), v: value()) }
    }

    mutating func series(_ count: Int) -> [RefSeries] {
        (0..<count).map { _ in
            let names = (0..<Int(next() % 6)).map { "l\($0)_\(string().utf8.count)" }
            return RefSeries(ref: ref(), labels: Labels(names.map { Label(name: $0, value: string()) }))
        }
    }

    mutating func chunks(_ count: Int) -> [RefChunk] {
        (0..<count).map { _ in
            RefChunk(
                ref: ref(), minTime: timestamp(), maxTime: timestamp(), sampleCount: Int(truncatingIfNeeded: int64()),
                encoding: UInt8(truncatingIfNeeded: next()),
                bytes: (0..<Int(next() % 64)).map { _ in UInt8(truncatingIfNeeded: next()) })
        }
    }

    /// Any record, as a log would see it.
    mutating func record() -> WALRecord {
        switch next() % 3 {
        case 0: return .series(series(Int(next() % 5)))
        case 1: return .samples(samples(Int(next() % 50)))
        default: return .chunks(chunks(Int(next() % 4)))
        }
    }
}

/// A fresh temporary directory, deleted after `body` (also when it throws).
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let directory = try TemporaryDirectory("wal")
    defer { directory.remove() }
    return try body(directory.path)
}

/// Log lines, captured so tests can check that damage is reported.
final class LogCapture: Sendable {
    private let lines = Mutex<[(Logger.Level, String)]>([])

    var logger: Logger {
        var logger = Logger(label: "wal-test") { _ in Handler(capture: self) }
        logger.logLevel = .debug
        return logger
    }

    func messages(atLeast level: Logger.Level) -> [String] {
        lines.withLock { $0.filter { $0.0 >= level }.map(\.1) }
    }

    fileprivate func add(_ level: Logger.Level, _ message: String) {
        lines.withLock { $0.append((level, message)) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.add(event.level, event.message.description)
        }
    }
}

/// Every record the log in `directory` replays, with the stats.
func replayAll(_ directory: String, logger: Logger = LogCapture().logger) throws -> ([WALRecord], WALReplayStats) {
    var records: [WALRecord] = []
    let stats = try WAL.replay(directory: directory, logger: logger) { records.append($0) }
    return (records, stats)
}

/// The record framed as the log writes it.
func framed(_ record: WALRecord) -> [UInt8] {
    var out: [UInt8] = []
    WALFrame.append(record, to: &out)
    return out
}

/// The segment file path for `index` in `directory`.
func segmentPath(_ directory: String, _ index: Int) -> String {
    WALFiles.join(directory, WALFiles.segmentName(index))
}

/// Whole-file helpers for damaging segments on purpose.
enum TestFiles {
    static func read(_ path: String) throws -> [UInt8] {
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 16)
        defer { buffer.deallocate() }
        let n = try WALFiles.read(path, into: &buffer)
        return [UInt8](UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
    }

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw StorageError(.io, "cannot open \(path)") }
        defer { _ = close(fd) }
        try WALFiles.writeAll(fd, bytes, 0..<bytes.count, path: path)
    }

    static func exists(_ path: String) -> Bool { WALFiles.size(path) != nil || WALFiles.isDirectory(path) }
}
