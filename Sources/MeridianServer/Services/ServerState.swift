import Logging
import Storage
import Synchronization

/// What the HTTP routes share: the store, the config, readiness and metrics.
public final class ServerState: Sendable {
    public let config: MeridianConfig
    public let head: Head
    public let wal: WAL?
    public let metrics: IngestMetrics
    public let logger: Logger
    private let ready = Atomic<Bool>(false)

    public init(config: MeridianConfig, head: Head, wal: WAL?, metrics: IngestMetrics, logger: Logger) {
        self.config = config
        self.head = head
        self.wal = wal
        self.metrics = metrics
        self.logger = logger
    }

    /// True once the WAL has been replayed: before that, writes and reads get 503.
    public var isReady: Bool { ready.load(ordering: .acquiring) }

    func markReady() { ready.store(true, ordering: .releasing) }

    /// The querier every read endpoint uses (the head, for now; head and blocks later).
    public var querier: any Querier { head }
}
