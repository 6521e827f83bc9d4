import Foundation
import Hummingbird

/// `GET /api/v1/centers`: each center's freshness and state, as the global
/// layer sees it (see ``CenterTracker`` for what the states mean).
struct CentersRoutes: Sendable {
    let registry: CenterRegistry
    let head: @Sendable (String) -> Int

    func centers() -> Response {
        let now = Date().timeIntervalSince1970
        let reports = registry.reports(now: now)
        return .success(capacity: 512 * max(1, reports.count)) { w in
            w.raw(#"{"centers":["#)
            for (i, r) in reports.enumerated() {
                if i > 0 { w.raw(",") }
                let c = r.center
                w.raw(#"{"center":"#)
                w.string(c.name)
                w.raw(#","state":"#)
                w.string(r.state)
                w.raw(#","link":"#)
                w.string(r.link)
                w.raw(#","reason":"#)
                w.string(r.reason)
                w.raw(#","newestSampleTime":"#)
                if c.newestSample != .min { w.string(ForwardRoutes.iso(Double(c.newestSample) / 1000)) } else { w.raw("null") }
                w.raw(#","newestSampleAgeSeconds":"#)
                w.rawString(r.newestSampleAge.map { String(format: "%.3f", $0) } ?? "null")
                w.raw(#","lastWriteTime":"#)
                w.string(ForwardRoutes.iso(c.lastWrite))
                w.rawString(#","lastWriteAgeSeconds":\#(String(format: "%.3f", r.lastWriteAge))"#)
                w.raw(#","lastHeartbeatTime":"#)
                if let h = c.lastHeartbeat { w.string(ForwardRoutes.iso(h)) } else { w.raw("null") }
                w.raw(#","reportedForwardLagSeconds":"#)
                w.rawString(c.reportedForwardLag.map { String(format: "%.3f", $0) } ?? "null")
                w.rawString(#","samplesPerSecond":\#(String(format: "%.1f", r.samplesPerSecond))"#)
                w.rawString(#","samplesReceived":\#(c.samplesReceived),"headSeries":\#(head(c.name))}"#)
            }
            w.raw("]}")
        }
    }
}
