import Forwarding
import Foundation
import Hummingbird

/// `GET /api/v1/status/forward`: each upstream's backlog, lag, counts and
/// anything given up, so "the link is down" can be read on the center itself.
struct ForwardRoutes: Sendable {
    let forwarder: Forwarder

    func status() -> Response {
        let now = Date()
        let upstreams = forwarder.status(now: now)
        return .success(capacity: 1024 * max(1, upstreams.count)) { w in
            w.raw(#"{"upstreams":["#)
            for (i, u) in upstreams.enumerated() {
                if i > 0 { w.raw(",") }
                Self.write(u, to: &w)
            }
            w.raw("]}")
        }
    }

    private static func write(_ u: UpstreamStatus, to w: inout JSONWriter) {
        w.raw(#"{"url":"#)
        w.string(u.url)
        w.raw(#","state":"#)
        w.string(u.state)
        w.rawString(#","pendingBytes":\#(u.pendingBytes),"pendingSamples":\#(u.pendingSamples)"#)
        w.rawString(#","lagSeconds":\#(seconds(u.lagSeconds))"#)
        w.raw(#","oldestPendingSampleTime":"#)
        if let t = u.oldestPendingSampleTime { w.string(iso(Double(t) / 1000)) } else { w.raw("null") }
        w.rawString(#","cursor":"\#(u.cursor.position)","logEnd":"\#(u.logEnd)""#)
        w.rawString(#","sentSamples":\#(u.sentSamples),"sentRequests":\#(u.sentRequests),"retries":\#(u.retries)"#)
        w.rawString(#","droppedSamples":\#(u.droppedSamples),"givenUpSamples":\#(u.givenUpSamples)"#)
        w.raw(#","lastSuccess":"#)
        optionalDate(u.lastSuccess, &w)
        w.raw(#","lastError":"#)
        if let e = u.lastError { w.string(e) } else { w.raw("null") }
        w.raw(#","lastErrorAt":"#)
        optionalDate(u.lastErrorAt, &w)
        w.raw(#","givenUp":["#)
        for (i, entry) in u.givenUp.enumerated() {
            if i > 0 { w.raw(",") }
            let gap = entry.gap
            w.raw(#"{"at":"#)
            w.string(iso(entry.at.timeIntervalSince1970))
            w.rawString(#","samples":\#(gap.samples),"from":"\#(gap.from)","to":"\#(gap.to)""#)
            w.raw(#","minTime":"#)
            if let t = gap.minTime { w.string(iso(Double(t) / 1000)) } else { w.raw("null") }
            w.raw(#","maxTime":"#)
            if let t = gap.maxTime { w.string(iso(Double(t) / 1000)) } else { w.raw("null") }
            w.raw(#","reason":"#)
            w.string(gap.reason)
            w.raw("}")
        }
        w.raw("]}")
    }

    private static func optionalDate(_ date: Date?, _ w: inout JSONWriter) {
        if let date { w.string(iso(date.timeIntervalSince1970)) } else { w.raw("null") }
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// RFC 3339 with milliseconds, UTC.
    static func iso(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
