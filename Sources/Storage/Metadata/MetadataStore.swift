import Foundation
import Logging
import MeridianModel
import Synchronization

/// The metric metadata senders have sent (type, help, unit per metric
/// family), for `/api/v1/metadata`.
///
/// Prometheus answers that endpoint from the targets it scrapes now; a
/// receiver's closest equivalent is what its senders sent lately, since
/// Prometheus re-sends all of its metadata every minute. So each distinct
/// (type, help, unit) of a family is kept, up to ``maxPerFamily`` (the most
/// recently sent win), and shown until nobody has sent it for ``expiry``:
/// a metric that no longer exists stops being described, as it does in
/// Prometheus (Cortex and Mimir expire theirs the same way).
///
/// It lives in memory and in `metadata.json` in the data directory,
/// rewritten by ``saveIfChanged()``, so a restart still knows it. Losing
/// the last seconds of it in a crash is harmless: senders re-send it.
public final class MetadataStore: Sendable {
    /// Distinct descriptions kept per family.
    public static let maxPerFamily = 10
    /// Families kept; past it, new families are ignored (with one warning),
    /// so a sender cannot grow this without bound.
    public static let maxFamilies = 1_000_000
    /// How long a description stays after it was last sent: long enough to
    /// ride out a sender's restart or a network outage.
    public static let expiry: Int64 = 3_600_000

    /// A description and when it was last sent (Unix ms).
    private struct Entry: Codable, Equatable {
        var metadata: MetricMetadata
        var lastSeen: Int64
    }

    private struct State {
        /// Per family, its distinct descriptions, least recently sent first.
        var families: [String: [Entry]] = [:]
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
            let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            state.withLock { s in
                for entry in entries { s.families[entry.metadata.family, default: []].append(entry) }
            }
        } catch {
            logger.warning(
                "cannot read the stored metric metadata; starting without it (senders re-send it)",
                metadata: ["file": "\(file)", "error": "\(error)"])
        }
    }

    /// Adds what a request carried, sent at `now` (Unix ms). Entries without
    /// a family name are ignored.
    public func record(_ entries: [MetricMetadata], now: Int64 = MetadataStore.now()) {
        guard !entries.isEmpty else { return }
        state.withLock { s in
            for metadata in entries where !metadata.family.isEmpty {
                let entry = Entry(metadata: metadata, lastSeen: now)
                if var known = s.families[metadata.family] {
                    if let at = known.firstIndex(where: { $0.metadata == metadata }) {
                        known.remove(at: at)
                    } else if known.count == Self.maxPerFamily {
                        known.removeFirst()
                    }
                    known.append(entry)
                    s.families[metadata.family] = known
                } else if s.families.count < Self.maxFamilies {
                    s.families[metadata.family] = [entry]
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

    /// The current metadata of `metric` (every family when nil), at most
    /// `limit` families (all when nil), sorted by family name; each family's
    /// descriptions most recently sent first.
    public func lookup(metric: String?, limit: Int?, now: Int64 = MetadataStore.now())
        -> [(family: String, metadata: [MetricMetadata])]
    {
        state.withLock { s in
            func current(_ family: String) -> [MetricMetadata] {
                (s.families[family] ?? []).reversed().filter { now - $0.lastSeen < Self.expiry }.map(\.metadata)
            }
            let names = metric.map { [$0] } ?? s.families.keys.sorted()
            var found: [(family: String, metadata: [MetricMetadata])] = []
            for name in names {
                if let limit, found.count >= limit { break }
                let metadata = current(name)
                if !metadata.isEmpty { found.append((name, metadata)) }
            }
            return found
        }
    }

    /// Forgets what expired, and writes `metadata.json` (to a temporary file,
    /// then renamed over the old one) if anything changed since the last save.
    public func saveIfChanged(now: Int64 = MetadataStore.now()) throws {
        guard let file else { return }
        let entries: [Entry]? = state.withLock { s in
            // This runs every second: look before building anything.
            func expired(_ entry: Entry) -> Bool { now - entry.lastSeen >= Self.expiry }
            for (family, known) in s.families where known.contains(where: expired) {
                let kept = known.filter { !expired($0) }
                s.families[family] = kept.isEmpty ? nil : kept
                s.changed = true
            }
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

    /// The wall clock in Unix ms.
    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
