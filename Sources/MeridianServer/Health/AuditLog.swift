import Foundation
import Logging
import Scoring
import Synchronization

/// The audit log of the health feed: every served-state change and every
/// override set, lifted or expired, as JSON lines in `data_dir/health/audit.jsonl`,
/// kept across restarts (overrides in force are rebuilt from it).
///
/// Appends of one round are one write and one fsync. The file is rewritten
/// with the most recent ``keep`` events (and the events of overrides still
/// in force) once it passes ``maxBytes``. The most recent ``keep`` events are
/// also held in memory for `GET /api/v1/health/events`.
public final class AuditLog: Sendable {
    /// Events kept in memory, and in the file after it is rewritten.
    public let keep: Int
    /// The size past which the file is rewritten.
    public let maxBytes: Int
    private let path: String?
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var recent: [AuditEvent] = []
        /// The event that set each override in force, by target (a later set
        /// replaces it, a lift or expiry removes it): what rebuilds them.
        var overridesInForce: [EntityKey: AuditEvent] = [:]
        var nextID = 1
        var fileBytes = 0
    }

    /// Opens (or starts) the log at `path`; nil keeps it in memory only.
    /// Lines that do not parse (a torn last line after a crash) are skipped and logged.
    public init(path: String?, keep: Int = 10_000, maxBytes: Int = 16 << 20, logger: Logger) throws {
        self.path = path
        self.keep = keep
        self.maxBytes = maxBytes
        self.logger = logger
        var initial = State()
        if let path {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if let data = FileManager.default.contents(atPath: path) {
                initial.fileBytes = data.count
                var skipped = 0
                for line in data.split(separator: UInt8(ascii: "\n")) {
                    guard let event = Self.decode(Data(line)) else {
                        skipped += 1
                        continue
                    }
                    Self.remember(event, in: &initial, keep: keep)
                    initial.nextID = max(initial.nextID, event.id + 1)
                }
                if skipped > 0 {
                    logger.warning(
                        "skipped unreadable lines of the health audit log",
                        metadata: ["lines": "\(skipped)", "path": "\(path)"])
                }
            }
        }
        state = Mutex(initial)
    }

    /// Appends `events` (assigning their ids) in one write.
    public func append(_ events: [AuditEvent]) {
        guard !events.isEmpty else { return }
        let (lines, rewrite) = state.withLock { state -> ([UInt8], [AuditEvent]?) in
            var lines: [UInt8] = []
            for var event in events {
                event.id = state.nextID
                state.nextID += 1
                Self.remember(event, in: &state, keep: keep)
                lines += Self.encode(event)
            }
            state.fileBytes += lines.count
            guard state.fileBytes > maxBytes else { return (lines, nil) }
            let kept = Self.merged(Array(state.overridesInForce.values), state.recent)
            state.fileBytes = kept.reduce(0) { $0 + Self.encode($1).count }
            return (lines, kept)
        }
        guard let path else { return }
        do {
            if let rewrite {
                let temporary = path + ".tmp"
                try Data(rewrite.flatMap(Self.encode)).write(to: URL(fileURLWithPath: temporary), options: .atomic)
                _ = rename(temporary, path)
            } else {
                try Self.appendDurably(lines, to: path)
            }
        } catch {
            logger.error("cannot write the health audit log", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    public func append(_ event: AuditEvent) { append([event]) }

    /// Every event held, oldest first (overrides' own events included even
    /// when older than the recent window), for rebuilding overrides.
    public func all() -> [AuditEvent] { state.withLock { Self.merged(Array($0.overridesInForce.values), $0.recent) } }

    /// The most recent events, newest first: at most `limit`, none before `since`.
    public func recent(limit: Int, since: Double? = nil) -> [AuditEvent] {
        state.withLock { state in
            Array(state.recent.reversed().prefix { since == nil || $0.time >= since! }.prefix(limit))
        }
    }

    private static func remember(_ event: AuditEvent, in state: inout State, keep: Int) {
        state.recent.append(event)
        if state.recent.count > keep + keep / 4 { state.recent.removeFirst(state.recent.count - keep) }
        switch event.kind {
        case .state: return
        case .overrideSet:
            // One the book would not take (a field missing) changes nothing.
            guard OverrideBook.replaying([event], now: -Double.infinity).active[event.target] != nil else { return }
            state.overridesInForce[event.target] = event
        case .overrideLifted, .overrideExpired: state.overridesInForce[event.target] = nil
        }
    }

    private static func merged(_ a: [AuditEvent], _ b: [AuditEvent]) -> [AuditEvent] {
        var byID: [Int: AuditEvent] = [:]
        for event in a + b { byID[event.id] = event }
        return byID.values.sorted { $0.id < $1.id }
    }

    private static func appendDurably(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            offset += n
        }
        _ = fsync(fd)
    }

    // MARK: - Lines

    /// One JSON line; times are Unix seconds.
    static func encode(_ event: AuditEvent) -> [UInt8] {
        var w = JSONWriter(capacity: 256)
        write(event, &w, isoTimes: false)
        w.raw("\n")
        return w.bytes
    }

    /// An event as JSON: in the file with Unix seconds, in the API with RFC 3339 times.
    static func write(_ event: AuditEvent, _ w: inout JSONWriter, isoTimes: Bool) {
        func time(_ t: Double) {
            if isoTimes { w.string(HealthDocument.iso(t)) } else { HealthDocument.number(t, &w) }
        }
        w.rawString(#"{"id":\#(event.id),"time":"#)
        time(event.time)
        w.raw(#","kind":"#)
        w.string(event.kind.rawValue)
        w.raw(#","target":"#)
        w.string(event.target.description)
        w.raw(#","from":"#)
        HealthDocument.optionalString(event.from, &w)
        w.raw(#","to":"#)
        HealthDocument.optionalString(event.to, &w)
        w.raw(#","reason":"#)
        w.string(event.reason)
        w.raw(#","by":"#)
        HealthDocument.optionalString(event.by, &w)
        w.raw(#","expires_at":"#)
        if let expiresAt = event.expiresAt { time(expiresAt) } else { w.raw("null") }
        w.raw("}")
    }

    static func decode(_ line: Data) -> AuditEvent? {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
            let id = object["id"] as? Int, let time = object["time"] as? Double,
            let kind = (object["kind"] as? String).flatMap(AuditEvent.Kind.init(rawValue:)),
            let target = (object["target"] as? String).flatMap({ EntityKey(parsing: Substring($0)) }),
            let reason = object["reason"] as? String
        else { return nil }
        var event = AuditEvent(
            time: time, kind: kind, target: target, from: object["from"] as? String, to: object["to"] as? String,
            reason: reason, by: object["by"] as? String, expiresAt: object["expires_at"] as? Double)
        event.id = id
        return event
    }
}
