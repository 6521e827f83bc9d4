import Foundation
import Hummingbird
import Logging
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
    public static func serviceGroup(
        config: MeridianConfig, logger: Logger, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws -> ServiceGroup {
        let (host, port) = try config.hostAndPort()
        let walDirectory = (config.dataDir as NSString).appendingPathComponent("wal")
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        let wal = try WAL(directory: walDirectory, segmentSize: config.walSegmentSize, logger: logger)
        var options = StoreOptions()
        options.head.outOfOrderWindow = Int64(config.outOfOrderWindow * 1000)
        options.blockRange = Int64(config.blockRange * 1000)
        options.retention = Int64(config.retention * 1000)
        options.maxDiskBytes = Int64(config.maxDiskBytes)
        let store = try Store(dataDirectory: config.dataDir, options: options, wal: wal, logger: logger)
        let state = ServerState(
            config: config, store: store, wal: wal,
            metadata: MetadataStore(dataDirectory: config.dataDir, logger: logger),
            metrics: IngestMetrics(registry: registry), logger: logger)
        if config.role != .all || !config.upstreams.isEmpty {
            logger.warning(
                "role and upstreams are accepted but not acted on yet: this build runs every role as 'all' and does not forward",
                metadata: ["role": "\(config.role.rawValue)", "upstreams": "\(config.upstreams)"])
        }
        let app = Application(
            router: MeridianRoutes.router(state: state),
            server: .http1(configuration: .init(additionalChannelHandlers: [ClientDisconnectHandler()])),
            configuration: .init(address: .hostname(host, port: port), serverName: "Meridian"),
            logger: logger)
        let storage = StorageService(state: state, walDirectory: walDirectory)
        let compaction = CompactionService(state: state)
        let queries = QueryService(state: state)
        logger.info(
            "starting Meridian",
            metadata: ["listen": "\(config.listen)", "data_dir": "\(config.dataDir)", "role": "\(config.role.rawValue)"])
        // Services stop in reverse order: running queries are cancelled first,
        // then the HTTP server finishes its requests, then compaction stops,
        // then the store closes the WAL.
        return ServiceGroup(
            configuration: .init(
                services: [storage, compaction, app, queries], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
    }
}
