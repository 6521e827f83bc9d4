import Logging
import Storage
import Synchronization

/// What the HTTP routes share: the store, the config, readiness and metrics.
public final class ServerState: Sendable {
    public let config: MeridianConfig
    public let store: Store
    public var head: Head { store.head }
    public let wal: WAL?
    public let metrics: IngestMetrics
    public let logger: Logger
    private let ready = Atomic<Bool>(false)

    public init(config: MeridianConfig, store: Store, wal: WAL?, metrics: IngestMetrics, logger: Logger) {
        self.config = config
        self.store = store
        self.wal = wal
        self.metrics = metrics
        self.logger = logger
    }

    /// True once the WAL has been replayed: before that, writes and reads get 503.
    public var isReady: Bool { ready.load(ordering: .acquiring) }

    func markReady() { ready.store(true, ordering: .releasing) }

    /// The querier every read endpoint uses: head, data being persisted, and blocks.
    public var querier: any Querier { store }
}
