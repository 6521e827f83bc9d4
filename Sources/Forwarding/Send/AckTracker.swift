/// Which records read from the log are acknowledged by an upstream, and so
/// where its cursor stands. Records go through several connections and are
/// acknowledged in any order; the cursor moves past a record only once it
/// and every record before it is acknowledged, so a restart from the cursor
/// resends at most what was in flight and never skips anything.
///
/// A pure value: the sender threads share it under a lock.
public struct AckTracker: Sendable {
    struct Entry: Sendable {
        /// The cursor once this record is done.
        var end: ForwardCursor
        var done: Bool
        var acknowledgedAt: Int64
        var minTime: Int64
    }

    /// The first record not yet acknowledged (all before it are).
    public private(set) var cursor: ForwardCursor
    private var entries: [Entry] = []
    private var head = 0
    /// The number of `entries[head]`.
    private var firstNumber = 0

    public init(cursor: ForwardCursor) { self.cursor = cursor }

    /// Registers the next record read, to be acknowledged, and returns its number.
    public mutating func register(_ record: ForwardRecord) -> Int {
        let end = ForwardCursor(position: record.end, sampleSeq: record.header.firstSampleSeq + record.header.sampleCount)
        return append(
            Entry(end: end, done: false, acknowledgedAt: record.header.acknowledgedAt, minTime: record.header.minTime))
    }

    /// Registers a gap: nothing to send, the cursor jumps over it once
    /// everything before it is acknowledged.
    public mutating func register(_ gap: ForwardGap, sampleSeq: UInt64) -> Int {
        let end = ForwardCursor(position: gap.to, sampleSeq: sampleSeq)
        return append(Entry(end: end, done: true, acknowledgedAt: 0, minTime: 0))
    }

    private mutating func append(_ entry: Entry) -> Int {
        entries.append(entry)
        let number = firstNumber + entries.count - 1 - head
        advance()
        return number
    }

    /// Record `number` is acknowledged (or given up for good).
    public mutating func acknowledge(_ number: Int) {
        let index = head + (number - firstNumber)
        precondition(index >= head && index < entries.count && !entries[index].done, "acknowledged twice")
        entries[index].done = true
        advance()
    }

    private mutating func advance() {
        while head < entries.count && entries[head].done {
            cursor = entries[head].end
            head += 1
            firstNumber += 1
        }
        // Compact now and then, so the array does not grow with the log.
        if head > 1024 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }

    /// Records read but not acknowledged.
    public var pendingRecords: Int { entries.count - head }

    /// When the oldest unacknowledged record was acknowledged by the center
    /// (wall-clock milliseconds), and its oldest sample; nil when none is pending.
    public var oldestPending: (acknowledgedAt: Int64, minTime: Int64)? {
        guard head < entries.count else { return nil }
        return (entries[head].acknowledgedAt, entries[head].minTime)
    }
}
