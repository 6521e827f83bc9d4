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
    private let ready = Atomic<Bool>(false)

    public init(
        config: MeridianConfig, store: Store, wal: WAL?, metadata: MetadataStore, metrics: IngestMetrics, logger: Logger
    ) {
        self.config = config
        self.store = store
        self.wal = wal
        self.metadata = metadata
        self.metrics = metrics
        self.logger = logger
    }

    /// True once the WAL has been replayed: before that, writes and reads get 503.
    public var isReady: Bool { ready.load(ordering: .acquiring) }

    func markReady() { ready.store(true, ordering: .releasing) }

    /// The querier every read endpoint uses: head, data being persisted, and blocks.
    public var querier: any Querier { store }

    /// The PromQL engine's limits (query timeout, samples per query, lookback), from the config.
    public var queryOptions: EngineOptions {
        var options = EngineOptions()
        options.timeout = .milliseconds(Int64(config.queryTimeout * 1000))
        options.maxSamples = config.queryMaxSamples
        options.lookbackDelta = Int64(config.queryLookbackDelta * 1000)
        return options
    }
}
