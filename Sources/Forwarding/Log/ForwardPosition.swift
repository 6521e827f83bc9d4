/// A place in the forward log: a segment number and a byte offset in it.
/// Positions order as the records they point at were appended.
public struct ForwardPosition: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var segment: Int
    public var offset: Int

    public init(segment: Int, offset: Int) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (a: ForwardPosition, b: ForwardPosition) -> Bool {
        (a.segment, a.offset) < (b.segment, b.offset)
    }

    public var description: String { "\(segment):\(offset)" }
}

/// What one segment file holds, kept in memory for the status page, the
/// disk budget and the given-up reports (rebuilt from record headers on open).
public struct ForwardSegmentInfo: Sendable, Equatable {
    public var number: Int
    public var bytes: Int
    /// Sequence number of the first sample in the segment (samples are
    /// numbered across the whole log, so counts are differences).
    public var firstSampleSeq: UInt64
    public var samples: UInt64
    /// Oldest and newest sample timestamps (milliseconds); `Int64.max`/`min` when empty.
    public var minTime: Int64 = .max
    public var maxTime: Int64 = .min

    public init(number: Int, firstSampleSeq: UInt64) {
        self.number = number
        self.bytes = 0
        self.firstSampleSeq = firstSampleSeq
        self.samples = 0
    }

    mutating func add(_ header: ForwardRecordHeader, frameBytes: Int) {
        bytes += frameBytes
        samples += header.sampleCount
        if header.sampleCount > 0 {
            minTime = min(minTime, header.minTime)
            maxTime = max(maxTime, header.maxTime)
        }
    }
}
