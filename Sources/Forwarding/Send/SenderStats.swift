import Foundation

/// What one upstream's sender has done, for `/api/v1/status/forward`.
struct SenderStats: Sendable {
    var sentSamples: UInt64 = 0
    var sentRequests: UInt64 = 0
    var retries: UInt64 = 0
    var droppedSamples: UInt64 = 0
    var lastSuccess: Date?
    var lastError: String?
    var lastErrorAt: Date?
    /// Failed attempts since the last success: > 0 means the upstream is failing now.
    var consecutiveFailures = 0
    /// The most recent ranges given up, newest last (at most ``maxGivenUp``).
    var givenUp: [(gap: ForwardGap, at: Date)] = []
    var givenUpSamples: UInt64 = 0

    static let maxGivenUp = 100

    mutating func recordSent(samples: Int, at now: Date) {
        sentSamples += UInt64(samples)
        sentRequests += 1
        lastSuccess = now
        consecutiveFailures = 0
    }

    mutating func recordRetry(_ message: String, at now: Date) {
        retries += 1
        consecutiveFailures += 1
        lastError = message
        lastErrorAt = now
    }

    mutating func recordDropped(samples: Int, reason: String) {
        droppedSamples += UInt64(samples)
        lastError = "dropped \(samples) samples: \(reason)"
        lastErrorAt = Date()
    }

    mutating func recordGivenUp(_ gap: ForwardGap, at now: Date) {
        givenUp.append((gap, now))
        if givenUp.count > Self.maxGivenUp { givenUp.removeFirst(givenUp.count - Self.maxGivenUp) }
        givenUpSamples += gap.samples
    }
}

/// One upstream as `/api/v1/status/forward` and the metrics show it.
public struct UpstreamStatus: Sendable {
    public var url: String
    /// `idle` (nothing pending), `sending`, `retrying` (the last attempt failed).
    public var state: String
    public var cursor: ForwardCursor
    public var logEnd: ForwardPosition
    public var pendingBytes: Int
    public var pendingSamples: UInt64
    /// Seconds since the oldest unacknowledged record was acknowledged by the
    /// center (0 when nothing is pending).
    public var lagSeconds: Double
    /// Timestamp (ms) of the oldest sample not yet acknowledged upstream.
    public var oldestPendingSampleTime: Int64?
    public var sentSamples: UInt64
    public var sentRequests: UInt64
    public var retries: UInt64
    public var droppedSamples: UInt64
    public var givenUpSamples: UInt64
    public var lastSuccess: Date?
    public var lastError: String?
    public var lastErrorAt: Date?
    public var givenUp: [(gap: ForwardGap, at: Date)]
}

extension UpstreamSender {
    /// This upstream's state now.
    public func status(now: Date = Date()) -> UpstreamStatus {
        let (segments, nextSeq) = log.snapshot()
        let (cursor, oldest) = tracker.withLock { ($0.cursor, $0.oldestPending) }
        var pendingBytes = 0
        for segment in segments where segment.number >= cursor.position.segment {
            pendingBytes += segment.number == cursor.position.segment ? max(0, segment.bytes - cursor.position.offset) : segment.bytes
        }
        let pendingSamples = nextSeq > cursor.sampleSeq ? nextSeq - cursor.sampleSeq : 0
        let stats = stats.withLock { $0 }
        let lag = oldest.map { max(0, now.timeIntervalSince1970 - Double($0.acknowledgedAt) / 1000) } ?? 0
        let state = stats.consecutiveFailures > 0 ? "retrying" : pendingSamples > 0 ? "sending" : "idle"
        let last = segments[segments.count - 1]
        return UpstreamStatus(
            url: url.description, state: state, cursor: cursor,
            logEnd: ForwardPosition(segment: last.number, offset: last.bytes), pendingBytes: pendingBytes,
            pendingSamples: pendingSamples, lagSeconds: pendingSamples > 0 ? lag : 0,
            oldestPendingSampleTime: pendingSamples > 0 ? oldest?.minTime : nil, sentSamples: stats.sentSamples,
            sentRequests: stats.sentRequests, retries: stats.retries, droppedSamples: stats.droppedSamples,
            givenUpSamples: stats.givenUpSamples, lastSuccess: stats.lastSuccess, lastError: stats.lastError,
            lastErrorAt: stats.lastErrorAt, givenUp: stats.givenUp)
    }
}
