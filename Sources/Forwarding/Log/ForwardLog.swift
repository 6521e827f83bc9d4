import Encoding
import Foundation
import Logging
import MeridianModel

/// A center's forward log: every acknowledged write, appended once as a
/// record to numbered segment files, read by one cursor per upstream
/// (docs/format/forward-log.md).
///
/// Why a log of its own rather than the WAL: the WAL is checkpointed and cut
/// on the store's schedule and replayed in full at start-up, so holding days
/// of backlog in it would slow every restart and tie forwarding to the head's
/// memory. The forward log is written once for all upstreams (each keeps
/// only a cursor file), is never replayed (readers start at their cursor),
/// and its size is bounded by a budget of its own, with what a full budget
/// gives up reported per upstream.
///
/// Writers append under a lock after the write is in the local store;
/// readers wait on the same lock's condition for new records.
public final class ForwardLog: @unchecked Sendable {
    public let directory: String
    let segmentSize: Int
    /// Connections per upstream that records are split for, and samples per record at most.
    let shards: Int
    let maxSamplesPerRecord: Int
    /// Bytes the segments may take together; 0: no limit but the disk.
    let maxBytes: Int
    let logger: Logger

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var segments: [ForwardSegmentInfo] = []
    private var activeFD: Int32 = -1
    private var nextSampleSeq: UInt64 = 0
    /// Segments the budget deleted (the newest thousand), for given-up reports.
    private var dropped: [ForwardSegmentInfo] = []
    private var closed = false

    /// Opens the log in `directory`, creating it, repairing a torn last record,
    /// and starting a new segment for this process's writes.
    public init(
        directory: String, segmentSize: Int = 64 << 20, maxBytes: Int = 0, shards: Int = 1,
        maxSamplesPerRecord: Int = 5_000, logger: Logger
    ) throws(ForwardError) {
        precondition((1...ForwardRecord.maxShards).contains(shards) && maxSamplesPerRecord > 0)
        self.directory = directory
        self.segmentSize = segmentSize
        self.shards = shards
        self.maxSamplesPerRecord = maxSamplesPerRecord
        self.maxBytes = maxBytes
        self.logger = logger
        try ForwardFiles.makeDirectory(directory)
        let numbers = try ForwardFiles.names(in: directory).compactMap(ForwardFiles.segmentNumber).sorted()
        var seq: UInt64 = 0
        for (i, number) in numbers.enumerated() {
            let info = try ForwardSegmentScan(
                path: path(of: number), number: number, firstSampleSeq: seq, isLast: i == numbers.count - 1,
                logger: logger
            ).run()
            seq = info.firstSampleSeq + info.samples
            segments.append(info)
        }
        nextSampleSeq = seq
        try startSegment((numbers.last ?? 0) + 1)
    }

    deinit { if activeFD >= 0 { Glibc.close(activeFD) } }

    func path(of number: Int) -> String { ForwardFiles.join(directory, ForwardFiles.segmentName(number)) }

    /// Starts segment `number` with its header frame; the full segment
    /// before it is fsynced first, so the periodic fsync, which only sees the
    /// segment being written, never leaves a sealed one behind. Called with the
    /// lock held.
    private func startSegment(_ number: Int) throws(ForwardError) {
        let path = path(of: number)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ForwardFiles.error("cannot create", path) }
        var header: [UInt8] = []
        CheckedFrame.append(to: &header) { ForwardSegmentHeader.encode(firstSampleSeq: nextSampleSeq, into: &$0) }
        do {
            try ForwardFiles.writeAll(fd, header, path: path)
        } catch {
            Glibc.close(fd)
            unlink(path)
            throw error
        }
        if activeFD >= 0 {
            _ = fsync(activeFD)
            Glibc.close(activeFD)
        }
        activeFD = fd
        var info = ForwardSegmentInfo(number: number, firstSampleSeq: nextSampleSeq)
        info.bytes = header.count
        segments.append(info)
        ForwardFiles.syncDirectory(directory)
    }

    /// Appends `batch` as records, one per connection its series go through
    /// (see ``ForwardRecord/prepare(_:shards:maxSamples:acknowledgedAt:)``),
    /// and hands them to the OS before returning, so a crash of the process
    /// cannot lose them. Batches without samples are not logged.
    /// - Complexity: O(bytes of the batch); the encoding and compression run
    ///   before the lock is taken.
    /// - Throws: ``ForwardError/Code/disk`` when the segment cannot be written.
    public func append(_ batch: SampleBatch, acknowledgedAt: Int64) throws(ForwardError) {
        guard batch.sampleCount > 0 else { return }
        let records = ForwardRecord.prepare(
            batch, shards: shards, maxSamples: maxSamplesPerRecord, acknowledgedAt: acknowledgedAt)
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        guard !closed else { throw ForwardError(.disk, "forward log is closed") }
        for (header, body) in records { try appendLocked(header, body) }
    }

    private func appendLocked(_ prepared: ForwardRecordHeader, _ body: [UInt8]) throws(ForwardError) {
        var header = prepared
        header.firstSampleSeq = nextSampleSeq
        // The frame header and the record header, then the body as it is.
        var recordHeader: [UInt8] = []
        header.encode(into: &recordHeader)
        let prefix = recordHeader.withUnsafeBytes { head in
            body.withUnsafeBytes { CheckedFrame.header(payload: head, $0) }
        } + recordHeader
        let frameBytes = prefix.count + body.count
        let active = segments[segments.count - 1]
        if active.samples > 0 && active.bytes + frameBytes > segmentSize {
            try startSegment(segments[segments.count - 1].number + 1)
        }
        let path = path(of: segments[segments.count - 1].number)
        try ForwardFiles.writeAll(activeFD, prefix, body, path: path)
        segments[segments.count - 1].add(header, frameBytes: frameBytes)
        nextSampleSeq += header.sampleCount
    }

    /// Where the next record will start: everything before it is readable.
    public var end: ForwardPosition {
        condition.lock()
        defer { condition.unlock() }
        return endLocked
    }

    private var endLocked: ForwardPosition {
        ForwardPosition(segment: segments[segments.count - 1].number, offset: segments[segments.count - 1].bytes)
    }

    /// Waits until records exist at or after `position`, up to `timeout`;
    /// true when there are (false on timeout or when the log closes).
    public func waitForRecords(after position: ForwardPosition, timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18)
        condition.lock()
        defer { condition.unlock() }
        while !closed && endLocked <= position {
            if !condition.wait(until: deadline) { break }
        }
        return endLocked > position
    }

    /// The segments on disk, oldest first (the last is being written), and the
    /// sequence number the next sample will get.
    public func snapshot() -> (segments: [ForwardSegmentInfo], nextSampleSeq: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        return (segments, nextSampleSeq)
    }

    /// A segment the disk budget deleted, if it is among the newest thousand.
    public func droppedSegment(_ number: Int) -> ForwardSegmentInfo? {
        condition.lock()
        defer { condition.unlock() }
        return dropped.first { $0.number == number }
    }

    /// Deletes the sealed segments numbered below `number`: every upstream has
    /// acknowledged them.
    public func removeSegments(before number: Int) {
        condition.lock()
        defer { condition.unlock() }
        while segments.count > 1 && segments[0].number < number {
            unlink(path(of: segments[0].number))
            segments.removeFirst()
        }
    }

    /// Deletes the oldest sealed segments while the log takes more than its
    /// budget, and returns them: what upstreams still behind them give up.
    public func enforceBudget() -> [ForwardSegmentInfo] {
        guard maxBytes > 0 else { return [] }
        condition.lock()
        defer { condition.unlock() }
        var removed: [ForwardSegmentInfo] = []
        while segments.count > 1 && segments.reduce(0, { $0 + $1.bytes }) > maxBytes {
            let victim = segments.removeFirst()
            unlink(path(of: victim.number))
            removed.append(victim)
            dropped.append(victim)
        }
        if dropped.count > 1000 { dropped.removeFirst(dropped.count - 1000) }
        return removed
    }

    /// Flushes the segment being written to stable storage (the periodic fsync).
    public func sync() {
        condition.lock()
        let fd = activeFD
        condition.unlock()
        if fd >= 0 { _ = fsync(fd) }
    }

    /// Stops appends and wakes every waiting reader.
    public func close() {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        closed = true
        if activeFD >= 0 {
            _ = fsync(activeFD)
            Glibc.close(activeFD)
            activeFD = -1
        }
        condition.broadcast()
    }
}
