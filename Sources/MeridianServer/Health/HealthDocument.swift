import Foundation
import Scoring

/// The JSON of `GET /api/v1/health` (the `data` of the usual envelope): one
/// pass of ``JSONWriter`` per round, served as is until the next.
///
/// Times are RFC 3339 strings, scores and values JSON numbers (null when
/// missing or not finite), field names snake_case.
enum HealthDocument {
    static func render(_ snapshot: HealthSnapshot, version: Int) -> [UInt8] {
        var w = JSONWriter(capacity: 1024 + 2048 * snapshot.centers.count)
        w.raw(#"{"version":"#)
        w.rawString(String(version))
        w.raw(#","round":"#)
        w.rawString(String(snapshot.round))
        w.raw(#","generated_at":"#)
        w.string(iso(snapshot.generatedAt))
        w.raw(#","stale_after":"#)
        w.string(iso(snapshot.staleAfter))
        w.raw(#","fail_open":"#)
        w.raw(snapshot.failOpen == nil ? "false" : "true")
        w.raw(#","fail_open_reason":"#)
        optionalString(snapshot.failOpen, &w)
        w.raw(#","centers":["#)
        for (i, center) in snapshot.centers.enumerated() {
            if i > 0 { w.raw(",") }
            entity(center.health, &w)
            w.raw(#","capacity":"#)
            number(center.capacity, &w)
            w.raw(#","answers":"#)
            w.stringArray(center.answers)
            w.raw(#","serves":"#)
            w.stringArray(center.serves)
            w.raw(#","services":["#)
            for (j, service) in center.services.enumerated() {
                if j > 0 { w.raw(",") }
                entity(service, &w)
                w.raw("}")
            }
            w.raw("]}")
        }
        w.raw(#"],"regions":["#)
        for (i, region) in snapshot.regions.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw(#"{"name":"#)
            w.string(region.name)
            w.raw(#","answer":"#)
            optionalString(region.answer, &w)
            w.raw(#","answers":"#)
            w.stringArray(region.answers)
            w.raw(#","centers":"#)
            w.stringArray(region.centers)
            w.raw("}")
        }
        w.raw(#"],"signal_failures":{"#)
        for (i, (name, error)) in snapshot.failures.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { w.raw(",") }
            w.string(name)
            w.raw(":")
            w.string(error)
        }
        w.raw("}}")
        return w.bytes
    }

    /// An entity's fields, leaving its object open for the caller's own.
    private static func entity(_ e: EntityHealth, _ w: inout JSONWriter) {
        w.raw(#"{"name":"#)
        w.string(e.key.service ?? e.key.center)
        if e.key.service != nil {
            w.raw(#","center":"#)
            w.string(e.key.center)
        }
        w.raw(#","state":"#)
        w.string(e.state.rawValue)
        w.raw(#","evaluated_state":"#)
        w.string(e.evaluated.rawValue)
        w.raw(#","routable":"#)
        w.raw(e.routable ? "true" : "false")
        w.raw(#","weight":"#)
        w.rawString(String(e.weight))
        w.raw(#","health_score":"#)
        optionalNumber(e.health, &w)
        w.raw(#","latency_score":"#)
        optionalNumber(e.latency, &w)
        w.raw(#","since":"#)
        w.string(iso(e.since))
        w.raw(#","reasons":"#)
        w.stringArray(e.reasons)
        w.raw(#","fail_open":"#)
        optionalString(e.failOpen, &w)
        w.raw(#","override":"#)
        if let o = e.override { override(o, &w) } else { w.raw("null") }
        w.raw(#","hysteresis":{"raw_state":"#)
        w.string(e.hysteresis.raw.rawValue)
        w.rawString(
            #","bad_streak":\#(e.hysteresis.badStreak),"fall":\#(e.hysteresis.fall),"#
                + #""good_streak":\#(e.hysteresis.goodStreak),"rise":\#(e.hysteresis.rise)}"#)
        w.raw(#","signals":["#)
        for (i, s) in e.signals.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw(#"{"name":"#)
            w.string(s.name)
            w.raw(#","value":"#)
            optionalNumber(s.value, &w)
            w.raw(#","good":"#)
            number(s.good, &w)
            w.raw(#","bad":"#)
            number(s.bad, &w)
            w.raw(#","weight":"#)
            number(s.weight, &w)
            w.raw(#","score":"#)
            optionalNumber(s.score, &w)
            w.raw(#","veto":"#)
            optionalString(s.veto, &w)
            w.raw(#","detail":"#)
            optionalString(s.detail, &w)
            w.raw("}")
        }
        w.raw("]")
    }

    /// An override as the feed and `GET /api/v1/overrides` show it.
    static func override(_ o: Override, _ w: inout JSONWriter) {
        w.raw(#"{"target":"#)
        w.string(o.target.description)
        w.raw(#","action":"#)
        w.string(o.action.rawValue)
        w.raw(#","reason":"#)
        w.string(o.reason)
        w.raw(#","by":"#)
        w.string(o.by)
        w.raw(#","set_at":"#)
        w.string(iso(o.setAt))
        w.raw(#","expires_at":"#)
        w.string(iso(o.expiresAt))
        w.raw("}")
    }

    static func number(_ v: Double, _ w: inout JSONWriter) {
        guard v.isFinite else { return w.raw("null") }
        w.rawString(v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v))
    }

    static func optionalNumber(_ v: Double?, _ w: inout JSONWriter) {
        if let v { number(v, &w) } else { w.raw("null") }
    }

    static func optionalString(_ s: String?, _ w: inout JSONWriter) {
        if let s { w.string(s) } else { w.raw("null") }
    }

    /// RFC 3339 with milliseconds, UTC (`2026-12-07T19:55:23.125Z`); hand
    /// made, since a document of 5,000 entities writes as many times a round.
    static func iso(_ seconds: Double) -> String {
        let ms = Int64((seconds * 1000).rounded())
        let (days, msOfDay) = ms.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, msInDay) = msOfDay < 0 ? (days - 1, msOfDay + 86_400_000) : (days, msOfDay)
        // Howard Hinnant's days-to-civil: the proleptic Gregorian date of a day number.
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ n: Int64, _ width: Int) -> String {
            let text = String(n)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let secondOfDay = msInDay / 1000
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):"
            + "\(pad(secondOfDay % 60, 2)).\(pad(msInDay % 1000, 3))Z"
    }
}
