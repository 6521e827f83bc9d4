import Forwarding
import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Storage

/// Builds and runs one Meridian process from a config: the store, the HTTP
/// server, and their life cycle (SIGTERM / SIGINT shut down gracefully and
/// flush the WAL).
public enum MeridianService {
    /// Runs until a shutdown signal.
    public static func run(
        config: MeridianConfig, logger: Logger, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) async throws {
        try await serviceGroup(config: config, logger: logger, registry: registry).run()
    }

    /// Builds every service of a Meridian process, ready to `run()`;
    /// `triggerGracefulShutdown()` stops it as SIGTERM would.
    ///
    /// What each role runs, in one place:
    /// - every role: the store (WAL, blocks, compaction), remote-write and the
    ///   query API — a center answers queries on its own while its link is down;
    /// - a process with upstreams (role center, or all with `forward.upstreams`):
    ///   the forward log and its senders, and `/api/v1/status/forward`;
    ///   and the center's heartbeat;
    /// - a center enforces its `center` and external labels (``IngestPipeline``);
    ///   a global layer accepts every center's series and tracks each center's
    ///   freshness (`/api/v1/centers`), as does an all-in-one process;
    /// - the global layer and an all-in-one process (or any role with
    ///   `scoring.query_url`) score centers and services and serve the health
    ///   feed (`/api/v1/health`, probes, overrides, the agent check).
    /// Each connection's own handlers, between the HTTP codec and the router.
    static func channelHandlers(_ state: ServerState) -> [any RemovableChannelHandler] {
        var handlers: [any RemovableChannelHandler] = [ClientDisconnectHandler()]
        if let feed = state.health { handlers.append(ProbeFastPath(feed: feed)) }
        return handlers
    }

    public static func serviceGroup(
        config: MeridianConfig, logger: Logger, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws -> ServiceGroup {
        try config.validate()
        let (host, port) = try config.hostAndPort()
        let walDirectory = (config.dataDir as NSString).appendingPathComponent("wal")
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        let wal = try WAL(directory: walDirectory, segmentSize: config.walSegmentSize, logger: logger)
        let store = try Store(dataDirectory: config.dataDir, options: storeOptions(config), wal: wal, logger: logger)
        let forwardMetrics = ForwardMetrics(registry: registry)
        let forwarder = try forwarder(config: config, observer: forwardMetrics, logger: logger)
        let state = ServerState(
            config: config, store: store, wal: wal,
            metadata: MetadataStore(dataDirectory: config.dataDir, logger: logger),
            metrics: IngestMetrics(registry: registry), logger: logger, forwarder: forwarder,
            forwardMetrics: forwardMetrics, health: try healthFeed(config: config, logger: logger))
        let app = Application(
            router: MeridianRoutes.router(state: state),
            server: .http1(configuration: .init(additionalChannelHandlers: channelHandlers(state))),
            configuration: .init(address: .hostname(host, port: port), serverName: "Meridian"),
            logger: logger)
        var services: [any Service] = [StorageService(state: state, walDirectory: walDirectory), CompactionService(state: state)]
        if let forwarder {
            services.append(ForwardService(forwarder: forwarder))
            services.append(
                HeartbeatService(
                    state: state, forwarder: forwarder,
                    interval: .milliseconds(Int64(config.topology.heartbeatInterval * 1000))))
        }
        services.append(app)
        if let feed = state.health {
            services += try healthServices(feed: feed, state: state, registry: registry, logger: logger)
        }
        services.append(QueryService(state: state))
        logger.info(
            "starting Meridian",
            metadata: [
                "listen": "\(config.listen)", "data_dir": "\(config.dataDir)", "role": "\(config.role.rawValue)",
                "center": "\(config.topology.centerName)", "upstreams": "\(config.topology.upstreams)",
            ])
        // Services stop in reverse order: running queries are cancelled first,
        // then the agent-check responder and the scoring loop (which ends the
        // health event streams), then the HTTP server finishes its requests, then the forwarder saves
        // its cursors (no append can reach the log any more), then compaction
        // stops, then the store closes the WAL.
        return ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }

    /// The store's settings; a center keeps its own, shorter retention.
    static func storeOptions(_ config: MeridianConfig) -> StoreOptions {
        var options = StoreOptions()
        options.head.outOfOrderWindow = Int64(config.outOfOrderWindow * 1000)
        options.blockRange = Int64(config.blockRange * 1000)
        let retention = config.role == .center ? config.topology.centerRetention ?? config.retention : config.retention
        options.retention = Int64(retention * 1000)
        options.maxDiskBytes = Int64(config.maxDiskBytes)
        return options
    }

    /// The forward log and a sender per upstream, in `data_dir/forward`; nil without upstreams.
    static func forwarder(config: MeridianConfig, observer: ForwardMetrics, logger: Logger) throws -> Forwarder? {
        guard !config.topology.upstreams.isEmpty else { return nil }
        let urls = try config.topology.upstreams.map { try UpstreamURL(parsing: $0) }
        return try Forwarder(
            directory: (config.dataDir as NSString).appendingPathComponent("forward"), upstreams: urls,
            options: config.topology.forward, observer: observer, logger: logger)
    }
}
