import Foundation
import Logging
import MeridianModel
import Synchronization

/// The metric metadata senders have sent (type, help, unit per metric
/// family), for `/api/v1/metadata`.
///
/// Like Prometheus, which gathers it from its scrape targets, it keeps every
/// distinct (type, help, unit) a family was described with, up to
/// ``maxPerFamily`` (the newest win). It lives in memory and in
/// `metadata.json` in the data directory, rewritten by ``saveIfChanged()``
/// when something new arrived, so a restart still knows it. Losing the last
/// few seconds of it in a crash is harmless: Prometheus re-sends all of its
/// metadata every minute.
public final class MetadataStore: Sendable {
    /// Distinct descriptions kept per family.
    public static let maxPerFamily = 10
    /// Families kept; past it, new families are ignored (with one warning),
    /// so a sender cannot grow this without bound.
    public static let maxFamilies = 1_000_000

    private struct State {
        /// Per family, its distinct descriptions, oldest first.
        var families: [String: [MetricMetadata]] = [:]
        var changed = false
        var warnedFull = false
    }

    private let state = Mutex(State())
    private let file: String?
    private let logger: Logger

    /// Loads `metadata.json` from `dataDirectory` if it exists; with nil, it
    /// keeps everything in memory only. An unreadable file is logged and
    /// replaced at the next save.
    public init(dataDirectory: String?, logger: Logger) {
        self.file = dataDirectory.map { ($0 as NSString).appendingPathComponent("metadata.json") }
        self.logger = logger
        guard let file, FileManager.default.fileExists(atPath: file) else { return }
        do {
            let entries = try JSONDecoder().decode([MetricMetadata].self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            record(entries)
            state.withLock { $0.changed = false }
        } catch {
            logger.warning(
                "cannot read the stored metric metadata; starting without it (senders re-send it)",
                metadata: ["file": "\(file)", "error": "\(error)"])
        }
    }

    /// Adds what a request carried. Entries without a family name are ignored.
    public func record(_ entries: [MetricMetadata]) {
        guard !entries.isEmpty else { return }
        state.withLock { s in
            for entry in entries where !entry.family.isEmpty {
                if var known = s.families[entry.family] {
                    if let at = known.firstIndex(of: entry) {
                        // Already known; it becomes the newest.
                        guard at != known.count - 1 else { continue }
                        known.remove(at: at)
                    } else if known.count == Self.maxPerFamily {
                        known.removeFirst()
                    }
                    known.append(entry)
                    s.families[entry.family] = known
                } else if s.families.count < Self.maxFamilies {
                    s.families[entry.family] = [entry]
                } else {
                    if !s.warnedFull {
                        s.warnedFull = true
                        logger.warning(
                            "metric metadata is full; new metric families are not recorded",
                            metadata: ["families": "\(Self.maxFamilies)"])
                    }
                    continue
                }
                s.changed = true
            }
        }
    }

    /// The metadata of `metric` (every family when nil), at most `limit`
    /// families (all when nil), sorted by family name; each family's
    /// descriptions newest first.
    public func lookup(metric: String?, limit: Int?) -> [(family: String, metadata: [MetricMetadata])] {
        state.withLock { s in
            if let metric {
                guard let known = s.families[metric], limit != 0 else { return [] }
                return [(metric, known.reversed())]
            }
            var names = s.families.keys.sorted()
            if let limit, limit < names.count { names = Array(names.prefix(limit)) }
            return names.map { ($0, s.families[$0]!.reversed()) }
        }
    }

    /// Writes `metadata.json` (to a temporary file, then renamed over the old
    /// one) if anything new arrived since the last save.
    public func saveIfChanged() throws {
        guard let file else { return }
        let entries: [MetricMetadata]? = state.withLock { s in
            guard s.changed else { return nil }
            s.changed = false
            return s.families.keys.sorted().flatMap { s.families[$0]! }
        }
        guard let entries else { return }
        do {
            try JSONEncoder().encode(entries).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            state.withLock { $0.changed = true }
            throw error
        }
    }
}
