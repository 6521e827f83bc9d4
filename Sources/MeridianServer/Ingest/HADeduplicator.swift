import Foundation
import Logging
import MeridianModel
import Synchronization

/// Stores one copy of what an HA pair of Prometheus replicas sends.
///
/// The approach is the Cortex/Mimir HA tracker's, with its two known faults
/// fixed. One replica is elected per (center, cluster); the others' samples
/// are not stored. Failover happens on *sample time*: when a standby's
/// newest sample is more than `failover_timeout` newer than the elected
/// replica's, the standby is elected. Then:
/// - **no gap:** each standby's recent batches are held in memory (up to
///   `max_buffered_samples`), and at failover those newer than the old
///   replica's newest sample are stored at once, so the series continue from
///   where the dead replica stopped instead of from the moment of failover;
/// - **no false counter reset:** the new replica's samples at or before the
///   old replica's newest are never stored, so no series goes back in time
///   and picks up the other replica's slightly different values.
///
/// The trade-off against deduplicating every sample by scrape interval (as
/// VictoriaMetrics does): the state is per cluster, not per series, and the
/// stored data is exactly one replica's scrapes; a standby's data is held in
/// memory for `failover_timeout` (that is the memory cost), and replicas
/// whose clocks differ by more than the timeout would fail over spuriously.
///
/// The replica label (`replica` by default, and Prometheus' `__replica__`)
/// is removed from stored series; the cluster label (`cluster`) is kept.
/// Series without a replica label pass through untouched.
public final class HADeduplicator: Sendable {
    public struct Options: Sendable, Equatable {
        public var replicaLabel = "replica"
        public var clusterLabel = "cluster"
        /// Seconds of sample time the elected replica may fall behind a standby.
        public var failoverTimeout: Double = 15
        /// Samples held per standby replica for a gap-free failover.
        public var maxBufferedSamples = 1_000_000
        public init() {}
    }

    struct Key: Hashable, Sendable {
        var center: String
        var cluster: String
    }

    struct Standby: Sendable {
        var newest: Timestamp = .min
        var buffered: [(batch: SampleBatch, newest: Timestamp)] = []
        var samples = 0
    }

    struct Group: Sendable {
        var elected: String
        var electedNewest: Timestamp = .min
        /// After a failover: the old replica's newest sample; nothing at or before it is stored.
        var fence: Timestamp = .min
        var standbys: [String: Standby] = [:]
        /// Every replica seen, for the metrics.
        var replicas: Set<String> = []
        var failovers = 0
    }

    /// A failover, for the log and the metrics.
    public struct Failover: Sendable {
        public var center: String
        public var cluster: String
        public var from: String
        public var to: String
        /// The old replica's newest sample (ms): the new one continues after it.
        public var fence: Timestamp
        /// Buffered samples of the new replica stored at once.
        public var released: Int
    }

    public let options: Options
    let logger: Logger
    private let groups = Mutex<[Key: Group]>([:])
    /// Samples not stored because another replica's copy is.
    public let deduplicated = Atomic<Int>(0)
    private let replicaNames: [[UInt8]]
    private let clusterName: [UInt8]
    private static let centerName = Array("center".utf8)

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
        var names = [Array(options.replicaLabel.utf8)]
        if options.replicaLabel != "__replica__" { names.append(Array("__replica__".utf8)) }
        replicaNames = names
        clusterName = Array(options.clusterLabel.utf8)
    }

    /// The parts of `batch` to store, in order: series without a replica
    /// label, the elected replicas' series (without the replica label), and
    /// at a failover the new replica's buffered batches.
    public func process(_ batch: SampleBatch) -> (store: [SampleBatch], failovers: [Failover]) {
        // Which replica and group each series belongs to (the common case:
        // a whole request from one replica of one cluster).
        var parts: [Key: [String: [Int]]] = [:]
        var plain: [Int] = []
        var lastBytes: [ArraySlice<UInt8>] = []
        var lastKey: (Key, String)?
        for i in batch.series.indices {
            guard let replica = replicaNames.lazy.compactMap({ batch.labelValue(i, named: $0) }).first else {
                plain.append(i)
                continue
            }
            let center = batch.labelValue(i, named: Self.centerName) ?? []
            let cluster = batch.labelValue(i, named: clusterName) ?? []
            let bytes = [replica, center, cluster]
            if lastKey == nil || !zip(bytes, lastBytes).allSatisfy({ $0.elementsEqual($1) }) {
                lastBytes = bytes
                lastKey = (
                    Key(center: String(decoding: center, as: UTF8.self), cluster: String(decoding: cluster, as: UTF8.self)),
                    String(decoding: replica, as: UTF8.self)
                )
            }
            parts[lastKey!.0, default: [:]][lastKey!.1, default: []].append(i)
        }
        if parts.isEmpty { return ([batch], []) }
        var stripped = batch
        stripped.removeLabels(named: replicaNames)
        var store: [SampleBatch] = []
        if !plain.isEmpty { store.append(stripped.selectingSeries(plain)) }
        var failovers: [Failover] = []
        groups.withLock { groups in
            for (key, replicas) in parts {
                for (replica, indices) in Self.byRequestReplica(replicas) {
                    let part = stripped.selectingSeries(indices)
                    let (kept, failover) = decide(part, key: key, replica: replica, groups: &groups)
                    store += kept
                    if let failover { failovers.append(failover) }
                }
            }
        }
        for f in failovers {
            logger.warning(
                "HA failover: the elected replica fell behind; the standby is elected and continues after its newest sample",
                metadata: [
                    "center": "\(f.center)", "cluster": "\(f.cluster)", "from": "\(f.from)", "to": "\(f.to)",
                    "fence_ms": "\(f.fence)", "released_samples": "\(f.released)",
                ])
        }
        return (store, failovers)
    }

    /// A request comes from one replica, whose external label most of its
    /// series carry; a series whose own `replica` label won over the external
    /// one (a scraped metric with such a label: Prometheus applies external
    /// labels only to series without them) still belongs to the request's
    /// replica. Several replicas in one request (a vmagent relaying both)
    /// are only merged when one holds most series.
    static func byRequestReplica(_ replicas: [String: [Int]]) -> [(String, [Int])] {
        guard replicas.count > 1 else { return replicas.map { ($0.key, $0.value) } }
        let total = replicas.values.reduce(0) { $0 + $1.count }
        let (top, indices) = replicas.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }!
        guard indices.count * 2 > total else { return replicas.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
        return [(top, replicas.values.flatMap { $0 }.sorted())]
    }

    /// One replica's part of a batch: stored, buffered, or the trigger of a failover.
    private func decide(_ part: SampleBatch, key: Key, replica: String, groups: inout [Key: Group]) -> ([SampleBatch], Failover?) {
        let newest = part.samples.map(\.t).max() ?? .min
        let timeout = Int64(options.failoverTimeout * 1000)
        var group = groups[key] ?? Group(elected: replica)
        group.replicas.insert(replica)
        defer { groups[key] = group }
        if replica == group.elected {
            group.electedNewest = max(group.electedNewest, newest)
            return ([group.fence == .min ? part : part.keepingSamples(after: group.fence)], nil)
        }
        var standby = group.standbys[replica] ?? Standby()
        standby.newest = max(standby.newest, newest)
        standby.buffered.append((part, newest))
        standby.samples += part.sampleCount
        // Keep what a failover could need: newer than the elected replica's
        // newest minus the timeout, within the sample budget.
        while let first = standby.buffered.first,
            first.newest < group.electedNewest &- timeout || standby.samples > options.maxBufferedSamples
        {
            standby.samples -= first.batch.sampleCount
            deduplicated.add(first.batch.sampleCount, ordering: .relaxed)
            standby.buffered.removeFirst()
        }
        guard group.electedNewest != .min, standby.newest &- group.electedNewest > timeout else {
            group.standbys[replica] = standby
            return ([], nil)
        }
        let fence = group.electedNewest
        let released = standby.buffered.map { $0.batch.keepingSamples(after: fence) }.filter { $0.sampleCount > 0 }
        let failover = Failover(
            center: key.center, cluster: key.cluster, from: group.elected, to: replica, fence: fence,
            released: released.reduce(0) { $0 + $1.sampleCount })
        group.standbys[replica] = nil
        group.elected = replica
        group.electedNewest = standby.newest
        group.fence = fence
        group.failovers += 1
        return (released, failover)
    }

    /// Every replica seen per (center, cluster), and whether it is the elected one.
    public func replicas() -> [(center: String, cluster: String, replica: String, elected: Bool)] {
        groups.withLock { groups in
            groups.flatMap { key, group in
                group.replicas.map { (key.center, key.cluster, $0, $0 == group.elected) }
            }
        }
    }
}
