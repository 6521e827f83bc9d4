import Foundation
import Hummingbird
import NIOCore
import Scoring

/// The health feed's HTTP side: the document (with ETag and long poll), its
/// event stream, the audit log, the probes and the overrides. Every answer
/// comes from what the last round published.
struct HealthRoutes: Sendable {
    let feed: HealthFeed
    /// Bearer token of the read-only feed; nil: open.
    let feedToken: String?
    /// Bearer token of the overrides API; nil: overrides cannot be changed.
    let overrideToken: String?
    /// The longest `?wait=` honoured.
    static let maxWait: Double = 300

    /// `GET /api/v1/health[?wait=30s]`: the document, `ETag: W/"<version>"`.
    /// With `If-None-Match` naming the current version: 304, or with `wait`
    /// the document as soon as the version changes (304 if it does not
    /// within the wait). With `wait` and no `If-None-Match`: the document at
    /// the next change, or the current one when the wait ends.
    func health(_ request: Request, _ context: MeridianRequestContext) async throws -> Response {
        try authorize(request, feedToken)
        let params = try await RequestParameters.from(request)
        var published = feed.current
        let wait = try params["wait"].map { text -> Double in
            guard let seconds = DurationText.parseSeconds(text) ?? Double(text), seconds >= 0 else {
                throw APIError(.badData, "invalid parameter \"wait\": \"\(text)\" is not a duration (e.g. 30s)")
            }
            return min(seconds, Self.maxWait)
        }
        let clientHas = request.headers[.ifNoneMatch].map { Self.versions(in: $0) } ?? []
        if let wait, clientHas.isEmpty || clientHas.contains(published.version) {
            let seen = published.version
            if await feed.waitForChange(after: seen, timeout: .milliseconds(Int64(wait * 1000))) {
                published = feed.current
            }
        }
        guard published.snapshot != nil else {
            throw APIError(.unavailable, "the health feed has not evaluated its first round yet")
        }
        var headers = HTTPFields()
        headers[.eTag] = Self.etag(published.version)
        headers[.cacheControl] = "no-cache"
        if clientHas.contains(published.version) {
            return Response(status: .notModified, headers: headers)
        }
        var response = Response.success(capacity: published.document.count) { $0.bytes += published.document }
        for field in headers { response.headers.append(field) }
        return response
    }

    /// `GET /api/v1/health/stream`: Server-Sent Events, one `health` event
    /// (the whole document, `id` its version) per change, and a comment every
    /// 15 s to keep proxies from closing the stream. A client sending
    /// `Last-Event-ID` (or `?last_event_id=`) of the current version waits
    /// for the next change; any older id gets the current document first.
    func stream(_ request: Request, _ context: MeridianRequestContext) async throws -> Response {
        try authorize(request, feedToken)
        let params = try await RequestParameters.from(request)
        let header = request.headers.first { $0.name.canonicalName == "last-event-id" }?.value
        let lastID = (header ?? params["last_event_id"]).flatMap { Int($0) }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let feed = feed
        let body = ResponseBody { writer in
            var sent = lastID ?? -1
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            while !feed.isClosed {
                let published = feed.current
                if published.snapshot != nil && published.version > sent {
                    var event = Array("id: \(published.version)\nevent: health\ndata: ".utf8)
                    event += published.document
                    event += Array("\n\n".utf8)
                    try await writer.write(ByteBuffer(bytes: event))
                    sent = published.version
                    continue
                }
                if !(await feed.waitForChange(after: max(sent, published.version), timeout: .seconds(15))) {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `GET /api/v1/health/events?limit=100&since=<time>`: the audit log, newest first.
    func events(_ request: Request, _ context: MeridianRequestContext) async throws -> Response {
        try authorize(request, feedToken)
        let params = try await RequestParameters.from(request)
        let limit =
            try params["limit"].map { text -> Int in
                guard let n = Int(text), n > 0 else {
                    throw APIError(.badData, "invalid parameter \"limit\": \"\(text)\" is not a positive integer")
                }
                return min(n, feed.audit.keep)
            } ?? 100
        let since = try params["since"].map { Double(try TimeParameter.parse($0, parameter: "since")) / 1000 }
        let events = feed.audit.recent(limit: limit, since: since)
        return .success(capacity: 256 * events.count) { w in
            w.raw(#"{"events":["#)
            for (i, event) in events.enumerated() {
                if i > 0 { w.raw(",") }
                AuditLog.write(event, &w, isoTimes: true)
            }
            w.raw("]}")
        }
    }

    /// `GET /probe/{center}[/{service}]`: the precomputed answer (see ``ProbeAnswer``); 404 for an unknown name.
    func probe(_ name: String) -> Response {
        guard let answer = feed.probe(name) else {
            if feed.current.snapshot == nil {
                return .text("UNKNOWN no evaluation yet", status: .serviceUnavailable)
            }
            return .text("NOT FOUND no center or service \"\(name)\" in the health feed", status: .notFound)
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: ProbeAnswer.headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }

    // MARK: - Overrides

    /// `GET /api/v1/overrides`: the overrides in force.
    func listOverrides(_ request: Request) throws -> Response {
        try authorize(request, feedToken)
        let overrides = feed.overrides
        return .success(capacity: 256 * overrides.count) { w in
            w.raw(#"{"overrides":["#)
            for (i, o) in overrides.enumerated() {
                if i > 0 { w.raw(",") }
                HealthDocument.override(o, &w)
            }
            w.raw("]}")
        }
    }

    /// `POST /api/v1/overrides` with `target`, `action` (drain, down, up),
    /// `reason`, `by`, and `ttl` (a duration) or `expires_at` (a time), as a
    /// form, query parameters or a JSON object. Replaces any override on the target.
    func setOverride(_ request: Request) async throws -> Response {
        try authorizeChange(request)
        let params = try await Self.parameters(request)
        let now = Date().timeIntervalSince1970
        let target = try Self.target(params)
        guard let actionText = params["action"], let action = Override.Action(rawValue: actionText) else {
            throw APIError(.badData, "parameter \"action\" must be one of drain, down, up")
        }
        guard let reason = params["reason"], !reason.isEmpty else {
            throw APIError(.badData, "parameter \"reason\" is required: say why, for the audit log")
        }
        guard let by = params["by"], !by.isEmpty else {
            throw APIError(.badData, "parameter \"by\" is required: who sets the override, for the audit log")
        }
        let expiresAt: Double
        if let ttl = params["ttl"] {
            guard let seconds = DurationText.parseSeconds(ttl), seconds > 0 else {
                throw APIError(.badData, "invalid parameter \"ttl\": \"\(ttl)\" is not a positive duration (e.g. 30m)")
            }
            expiresAt = now + seconds
        } else if let text = params["expires_at"] {
            expiresAt = Double(try TimeParameter.parse(text, parameter: "expires_at")) / 1000
        } else {
            throw APIError(
                .badData, "parameter \"ttl\" (e.g. 30m) or \"expires_at\" is required: every override expires")
        }
        guard expiresAt > now, expiresAt - now <= Self.maxOverride else {
            throw APIError(.badData, "an override must expire in the future and within 30 days")
        }
        let override = Override(
            target: target, action: action, reason: reason, by: by, setAt: now, expiresAt: expiresAt)
        feed.set(override)
        return .success { w in HealthDocument.override(override, &w) }
    }

    /// `DELETE /api/v1/overrides?target=bj&by=alice[&reason=…]`: lifts it; 404 when none is set.
    func liftOverride(_ request: Request) async throws -> Response {
        try authorizeChange(request)
        let params = try await Self.parameters(request)
        let target = try Self.target(params)
        guard let by = params["by"], !by.isEmpty else {
            throw APIError(.badData, "parameter \"by\" is required: who lifts the override, for the audit log")
        }
        let lifted = feed.lift(
            target, by: by, reason: params["reason"] ?? "lifted", now: Date().timeIntervalSince1970)
        guard lifted else { throw APIError(.notFound, "no override is set on \(target)") }
        return .success { w in
            w.raw(#"{"lifted":"#); w.string(target.description); w.raw("}")
        }
    }

    /// The longest an override may last.
    static let maxOverride: Double = 30 * 86400

    private static func target(_ params: RequestParameters) throws -> EntityKey {
        guard let text = params["target"], let target = EntityKey(parsing: Substring(text)) else {
            throw APIError(.badData, "parameter \"target\" must name a center (bj) or a service in one (bj/checkout)")
        }
        return target
    }

    /// Query and form parameters, or the string fields of a JSON object body.
    private static func parameters(_ request: Request) async throws -> RequestParameters {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            return try await RequestParameters.from(request)
        }
        let body = try await request.body.collect(upTo: 64 << 10)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw APIError(.badData, "the body is not a JSON object")
        }
        let pairs = object.compactMap { key, value -> String? in
            let text = value as? String ?? (value as? NSNumber).map { "\($0)" }
            return text.map { RequestParameters.formEncode(key) + "=" + RequestParameters.formEncode($0) }
        }
        var query = RequestParameters(urlEncoded: request.uri.query ?? "")
        query.merge(RequestParameters(urlEncoded: pairs.joined(separator: "&")))
        return query
    }

    // MARK: - Tokens

    private func authorize(_ request: Request, _ token: String?) throws {
        guard let token else { return }
        guard Self.bearer(request).map({ Self.same($0, token) }) == true else {
            throw APIError(.unauthorized, "this endpoint needs Authorization: Bearer <token>")
        }
    }

    private func authorizeChange(_ request: Request) throws {
        guard let overrideToken else {
            throw APIError(
                .forbidden, "overrides are off: set scoring.override_token (or override_token_file) to enable them")
        }
        try authorize(request, overrideToken)
    }

    private static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// Compares in time independent of where the strings differ.
    private static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = x.count ^ y.count
        for i in 0..<max(x.count, y.count) { difference |= Int((i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)) }
        return difference == 0
    }

    static func etag(_ version: Int) -> String { "W/\"\(version)\"" }

    /// The versions an `If-None-Match` header names (`W/"12"`, `"12"`, lists).
    static func versions(in header: String) -> [Int] {
        header.split(separator: ",").compactMap { item in
            var text = item.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("W/") { text.removeFirst(2) }
            return Int(text.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
    }
}
