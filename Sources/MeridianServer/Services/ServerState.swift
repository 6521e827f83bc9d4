import Forwarding
import Foundation
import Logging
import MeridianModel
import PromQL
import Storage
import Synchronization

/// What the HTTP routes share: the store, the config, readiness and metrics.
public final class ServerState: Sendable {
    public let config: MeridianConfig
    public let store: Store
    public var head: Head { store.head }
    public let wal: WAL?
    /// Metric metadata from remote-write requests, for `/api/v1/metadata`.
    public let metadata: MetadataStore
    public let metrics: IngestMetrics
    public let logger: Logger
    /// Runs read queries: bounded concurrency, queue and memory; cancels them at shutdown.
    public let queries: QueryScheduler
    /// Runs the store's blocking work (block writes, checkpoints, compaction,
    /// admin calls) on three threads of its own (a compaction, a cut and an
    /// admin call at once), apart from queries and ingestion.
    public let maintenance: WorkPool
    /// What remote-write requests go through: center labels, local append, forwarding.
    public let ingest: IngestPipeline
    /// The forward log and its senders, when this process has upstreams.
    public let forwarder: Forwarder?
    let forwardMetrics: ForwardMetrics?
    /// Each center's freshness (global and all roles).
    public let centers: CenterRegistry?
    /// The health feed, where scoring runs.
    public let health: HealthFeed?
    private let ready = Atomic<Bool>(false)

    public init(
        config: MeridianConfig, store: Store, wal: WAL?, metadata: MetadataStore, metrics: IngestMetrics, logger: Logger,
        forwarder: Forwarder? = nil, forwardMetrics: ForwardMetrics? = nil, health: HealthFeed? = nil
    ) {
        self.health = health
        self.config = config
        self.store = store
        self.wal = wal
        self.metadata = metadata
        self.metrics = metrics
        self.logger = logger
        queries = QueryScheduler(
            maxConcurrency: config.queryMaxConcurrency, maxQueued: config.queryMaxQueued,
            maxMemory: config.queryMaxMemory.bytes(physicalMemory: ProcessInfo.processInfo.physicalMemory),
            metrics: QueryMetrics(registry: metrics.registry))
        maintenance = WorkPool(name: "meridian-maintenance", maxThreads: 3)
        self.forwarder = forwarder
        self.forwardMetrics = forwardMetrics
        // A global layer takes every center's series as they come; a center
        // (or an all-in-one process given a center name) enforces its own.
        let enforces = config.role != .global && !config.topology.centerName.isEmpty
        // A center only sees itself; the others receive centers' feeds.
        centers = config.role == .center ? nil : CenterRegistry(thresholds: config.topology.centerThresholds)
        ingest = IngestPipeline(
            enforcedLabels: enforces ? config.topology.enforcedLabels : .empty,
            centerName: enforces ? config.topology.centerName : nil, appender: store, forwarder: forwarder,
            centers: centers, ha: config.topology.ha.map { HADeduplicator(options: $0, logger: logger) })
    }

    /// True once the WAL has been replayed: before that, writes and reads get 503.
    public var isReady: Bool { ready.load(ordering: .acquiring) }

    func markReady() { ready.store(true, ordering: .releasing) }

    /// The querier every read endpoint uses: head, data being persisted, and blocks.
    public var querier: any Querier { store }

    /// A context for one read request: the config's timeout (or the
    /// request's, when shorter) and sample limit, memory from the query pool,
    /// and the client's connection to notice when it leaves.
    func queryContext(timeout: Duration? = nil, clientGone: (@Sendable () -> Bool)? = nil) -> QueryContext {
        let options = queryOptions
        return QueryContext(
            timeout: timeout.map { min($0, options.timeout) } ?? options.timeout, maxSamples: options.maxSamples,
            pool: queries.memory, clientGone: clientGone)
    }

    /// The PromQL engine's limits (query timeout, samples per query, lookback), from the config.
    public var queryOptions: EngineOptions {
        var options = EngineOptions()
        options.timeout = .milliseconds(Int64(config.queryTimeout * 1000))
        options.maxSamples = config.queryMaxSamples
        options.lookbackDelta = Int64(config.queryLookbackDelta * 1000)
        return options
    }
}
