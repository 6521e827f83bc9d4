import Foundation
import Logging
import MeridianServer
import Scoring
import TestSupport
import Testing

/// The health audit log keeps what rebuilds the overrides in force across
/// rewrites and restarts, however many times they were set.
@Suite struct AuditLogTests {
    @Test func overridesInForceOutliveRewritesAndRestarts() throws {
        let dir = try TemporaryDirectory("audit")
        let path = dir.appending("health/audit.jsonl")
        let logger = Logger(label: "test")
        let now = Date().timeIntervalSince1970
        let log = try AuditLog(path: path, keep: 10, maxBytes: 4096, logger: logger)
        func set(_ target: String, _ action: String, _ reason: String) -> AuditEvent {
            AuditEvent(
                time: now, kind: .overrideSet, target: EntityKey(center: target), to: action, reason: reason, by: "test",
                expiresAt: now + 3600)
        }
        // bj set again and again (the last one counts), sh set then lifted, gz
        // set once, and a set the book refuses (no expiry) that must not count.
        for i in 0..<2_000 { log.append(set("bj", "drain", "window \(i)")) }
        log.append(set("sh", "down", "broken"))
        log.append(AuditEvent(time: now, kind: .overrideLifted, target: EntityKey(center: "sh"), reason: "fixed"))
        log.append(set("gz", "up", "trust it"))
        log.append(AuditEvent(time: now, kind: .overrideSet, target: EntityKey(center: "gz"), to: "down", reason: "bad"))
        // Enough state changes to push every override event out of the recent window.
        for i in 0..<100 {
            log.append(
                AuditEvent(
                    time: now, kind: .state, target: EntityKey(center: "xx"), from: "up", to: "down", reason: "\(i)"))
        }

        let reopened = try AuditLog(path: path, keep: 10, maxBytes: 4096, logger: logger)
        let book = OverrideBook.replaying(reopened.all(), now: now)
        #expect(Set(book.active.keys.map(\.description)) == ["bj", "gz"])
        #expect(book.active[EntityKey(center: "bj")]?.reason == "window 1999")
        #expect(book.active[EntityKey(center: "gz")]?.action == .up)
        // Rewritten whenever past 4 KiB: of bj's 2,000 sets only the one in force is kept.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.utf8.count < 2 * 4096, "\(text.utf8.count) bytes kept")
        let bjSets = text.split(separator: "\n").filter { $0.contains("window ") }
        #expect(bjSets.count == 1 && bjSets.first?.contains("window 1999") == true, "\(bjSets)")
    }
}
