import Encoding
import Foundation

/// Reads the forward log from one upstream's cursor onwards, record by
/// record, waiting at the end for new ones. Segments the disk budget deleted
/// (or damaged ones) come out as a ``Item/gap`` with what was skipped, so the
/// sender can report exactly what that upstream gave up.
public final class ForwardLogReader {
    /// What the reader found next.
    public enum Item {
        case record(ForwardRecord)
        /// Records between `from` and `to` cannot be read any more.
        case gap(ForwardGap)
    }

    let log: ForwardLog
    /// Where the next record starts.
    public private(set) var position: ForwardPosition
    /// The sequence number of the next sample.
    public private(set) var sampleSeq: UInt64
    private var fd: Int32 = -1
    private var fdSegment = -1

    /// A reader starting at `cursor`.
    public init(log: ForwardLog, from cursor: ForwardCursor) {
        self.log = log
        self.position = cursor.position
        self.sampleSeq = cursor.sampleSeq
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The next record or gap; nil when none arrived within `timeout`.
    public func next(timeout: Duration) throws(ForwardError) -> Item? {
        var waited = false
        while true {
            let (segments, _) = log.snapshot()
            let active = segments[segments.count - 1]
            let end = ForwardPosition(segment: active.number, offset: active.bytes)
            if position >= end {
                if waited || !log.waitForRecords(after: position, timeout: timeout) { return nil }
                waited = true
                continue
            }
            guard openSegment(position.segment) else {
                // Deleted under us: skip to the oldest segment still there.
                let target = segments.first { $0.number > position.segment } ?? active
                return .gap(skip(to: target, cause: .diskBudget, reason: "deleted by the forward disk budget"))
            }
            let limit = position.segment == active.number ? active.bytes : ForwardFiles.size(fd)
            if position.offset >= limit {
                guard let following = segments.first(where: { $0.number > position.segment }) else { return nil }
                if following.number == position.segment + 1 {
                    position = ForwardPosition(segment: following.number, offset: 0)
                    continue
                }
                return .gap(skip(to: following, cause: .diskBudget, reason: "deleted by the forward disk budget"))
            }
            switch try readRecord(limit: limit) {
            case .success(nil):
                continue  // a segment header
            case .success(let record?):
                position = record.end
                sampleSeq = record.header.firstSampleSeq + record.header.sampleCount
                return .record(record)
            case .failure(let damage):
                let target = segments.first { $0.number > position.segment } ?? active
                return .gap(skip(to: target, cause: .corruption, reason: "damaged record (\(damage.message))"))
            }
        }
    }

    private func openSegment(_ number: Int) -> Bool {
        if fdSegment == number && fd >= 0 { return true }
        if fd >= 0 { close(fd) }
        fd = open(log.path(of: number), O_RDONLY | O_CLOEXEC)
        fdSegment = fd >= 0 ? number : -1
        return fd >= 0
    }

    /// Moves to the start of `target`, describing what lies between.
    private func skip(to target: ForwardSegmentInfo, cause: ForwardGap.Cause, reason: String) -> ForwardGap {
        var minTime = Int64.max
        var maxTime = Int64.min
        if position.segment < target.number {
            for number in position.segment..<target.number {
                guard let info = log.droppedSegment(number), info.samples > 0 else { continue }
                minTime = min(minTime, info.minTime)
                maxTime = max(maxTime, info.maxTime)
            }
        }
        let gap = ForwardGap(
            from: position, to: ForwardPosition(segment: target.number, offset: 0),
            samples: target.firstSampleSeq >= sampleSeq ? target.firstSampleSeq - sampleSeq : 0,
            minTime: minTime == .max ? nil : minTime, maxTime: maxTime == .min ? nil : maxTime, cause: cause,
            reason: reason)
        position = gap.to
        sampleSeq = max(sampleSeq, target.firstSampleSeq)
        return gap
    }

    /// Reads and checks the frame at ``position``; a segment header is
    /// stepped over (nil).
    private func readRecord(limit: Int) throws(ForwardError) -> Result<ForwardRecord?, ForwardError> {
        var header = [UInt8](repeating: 0, count: CheckedFrame.headerSize)
        let got = try ForwardFiles.pread(fd, into: &header, count: header.count, at: position.offset)
        guard got == header.count, let (length, crc) = CheckedFrame.decodeHeader(header) else {
            return .failure(ForwardError(.corruption, "bad frame header at \(position)"))
        }
        guard position.offset + header.count + length <= limit else {
            return .failure(ForwardError(.corruption, "frame length \(length) at \(position) runs past the segment"))
        }
        var payload = [UInt8](repeating: 0, count: length)
        let read = try ForwardFiles.pread(fd, into: &payload, count: length, at: position.offset + header.count)
        guard read == length, CRC32C.checksum(payload) == crc else {
            return .failure(ForwardError(.corruption, "checksum mismatch at \(position)"))
        }
        if ForwardSegmentHeader.decode(payload) != nil {
            position.offset += header.count + length
            return .success(nil)
        }
        do {
            let (recordHeader, bodyOffset) = try ForwardRecordHeader.decode(payload)
            let end = ForwardPosition(segment: position.segment, offset: position.offset + header.count + length)
            return .success(
                ForwardRecord(header: recordHeader, position: position, end: end, body: Array(payload[bodyOffset...])))
        } catch {
            return .failure(error)
        }
    }
}

/// Records one upstream will never receive, and why.
public struct ForwardGap: Sendable, Equatable {
    public var from: ForwardPosition
    public var to: ForwardPosition
    public var samples: UInt64
    /// The time range of the skipped samples, when known.
    public var minTime: Int64?
    public var maxTime: Int64?
    public var cause: Cause
    public var reason: String

    /// Why records were skipped; the metric's `reason` label.
    public enum Cause: String, Sendable {
        case diskBudget = "disk_budget"
        case corruption = "corrupt_record"
    }
}
