import Hummingbird
import Scoring

/// What `GET /probe/{center}[/{service}]` answers, for HTTP monitors (Route
/// 53, GTMs, F5, Consul): the status carries the verdict for monitors that
/// read only the status, the body's first word for those that match text.
///
/// - `up`: 200 `UP`; `drain`: 200 `DRAIN` (stays in service for what it has;
///   monitors that match `UP` take it out); `degraded`: 429 `DEGRADED`;
///   `down`: 503 `DOWN`.
/// - `unknown` inside its grace answers as its last known state routes (200
///   `UP`, or 503 `DOWN`), past the grace it is `down`.
/// - An entity kept in by fail-open answers 200 `UP`, the body saying so.
public struct ProbeAnswer: Sendable, Equatable {
    public var status: Int
    public var body: String

    /// The headers of every answer, from the router or the fast path.
    static let headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache"]

    init(_ entity: EntityHealth) {
        let word: String
        switch entity.state {
        case .up: (status, word) = (200, "UP")
        case .drain: (status, word) = (200, "DRAIN")
        case .degraded: (status, word) = (429, "DEGRADED")
        case .down: (status, word) = entity.routable ? (200, "UP") : (503, "DOWN")
        case .unknown: (status, word) = entity.routable ? (200, "UP") : (503, "DOWN")
        }
        var lines = ["\(word) \(entity.key) state=\(entity.state.rawValue) weight=\(entity.weight)"]
        if let health = entity.health { lines[0] += " health=\(FloatText.short(health))" }
        if let failOpen = entity.failOpen { lines.append(failOpen) }
        lines += entity.reasons.prefix(3)
        body = lines.joined(separator: "\n") + "\n"
    }
}

/// The line the HAProxy agent-check responder sends back, in HAProxy 2.6's
/// agent grammar: `up ready 63%` (routable, with its weight as a share of
/// the server's configured weight), `drain`, or `down ready #reason`.
///
/// `ready` is there because only the agent can lift a drain it set: without
/// it, a server once drained would stay drained after the override ends.
enum AgentReply {
    static func reply(_ entity: EntityHealth) -> String {
        if entity.state == .drain { return "drain" }
        if entity.routable { return "up ready \(entity.weight)%" }
        return "down ready #\(clean(entity.reasons.first ?? entity.state.rawValue))"
    }

    /// `text` fit for one agent line: printable ASCII, at most 200 bytes.
    static func clean(_ text: String) -> String {
        String(
            String.UnicodeScalarView(text.unicodeScalars.map { (0x20..<0x7f).contains($0.value) ? $0 : "?" }).prefix(
                200))
    }
}

/// Numbers in the probe body: up to three decimals.
enum FloatText {
    static func short(_ v: Double) -> String {
        let rounded = (v * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
