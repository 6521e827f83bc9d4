import Foundation
import Logging
import MeridianModel
import PromQL
import Prometheus
import Scoring
import ServiceLifecycle

/// The health feed's part of a Meridian process: the feed itself, the
/// scoring loop and the agent-check responder.
extension MeridianService {
    /// The feed, with its audit log in `data_dir/health`; nil when scoring is
    /// off, or on a center without `scoring.query_url` (a center's own store
    /// holds only its own data; the global layer scores every center).
    static func healthFeed(config: MeridianConfig, logger: Logger) throws -> HealthFeed? {
        guard config.scoring.enabled, config.role != .center || config.scoring.queryURL != nil else { return nil }
        let path = (config.dataDir as NSString).appendingPathComponent("health/audit.jsonl")
        return HealthFeed(rules: config.scoring.rules, audit: try AuditLog(path: path, logger: logger), logger: logger)
    }

    /// The scoring loop and, when `scoring.agent_listen` is set, the agent-check responder.
    static func healthServices(
        feed: HealthFeed, state: ServerState, registry: PrometheusCollectorRegistry, logger: Logger
    ) throws -> [any Service] {
        let scoring = state.config.scoring
        let source: any SignalSource
        let freshness: @Sendable (Double) async -> [String: CenterFreshness]
        if let queryURL = scoring.queryURL {
            let remote = try PrometheusAPISource(
                baseURL: queryURL, timeout: .milliseconds(Int64(max(1, scoring.rules.interval) * 1000)))
            source = remote
            freshness = { now in await remoteFreshness(remote, now: now, logger: logger) }
        } else {
            // The scorer's queries run on a thread of their own, not in the
            // user queries' pool and queue: they neither take a user's place
            // nor wait behind one. Their memory counts in the same budget.
            let pool = WorkPool(name: "meridian-scoring-query", maxThreads: 1)
            let options = state.queryOptions
            let timeout = Duration.milliseconds(Int64(max(1, scoring.rules.interval) * 1000))
            source = PromQLSignalSource(
                engine: PromQLEngine(querier: state.querier, options: options),
                run: { evaluate in
                    let context = QueryContext(
                        timeout: timeout, maxSamples: options.maxSamples, pool: state.queries.memory)
                    return try await pool.run { try evaluate(context) }
                })
            let centers = state.centers
            freshness = { now in
                var out: [String: CenterFreshness] = [:]
                for report in centers?.reports(now: now) ?? [] {
                    out[report.center.name] = CenterFreshness(
                        newestSampleAge: report.newestSampleAge, linkDown: report.link == "down")
                }
                return out
            }
        }
        var services: [any Service] = [
            ScoringService(
                feed: feed, source: source, freshness: freshness, appender: state.store, isReady: { state.isReady },
                metrics: ScoringMetrics(registry: registry), logger: logger)
        ]
        if let listen = scoring.agentListen {
            let (host, port) = try MeridianConfig.hostAndPort(listen)
            services.append(
                AgentCheckServer(host: host, port: port, reply: { feed.agentReply($0) }, logger: logger))
        }
        return services
    }

    /// The query a remote source's freshness comes from: each center's newest `up` sample.
    static let remoteFreshnessQuery = "max by (center) (timestamp(up))"

    /// Each center's freshness on a remote query API: the age of its newest
    /// `up` sample (a center whose `up` is older than the lookback is absent,
    /// so it has no data).
    static func remoteFreshness(_ source: any SignalSource, now: Double, logger: Logger) async -> [String:
        CenterFreshness]
    {
        do {
            var out: [String: CenterFreshness] = [:]
            for (labels, value) in try await source.instant(remoteFreshnessQuery, at: now) {
                guard let center = labels["center"] else { continue }
                out[center] = CenterFreshness(newestSampleAge: max(0, now - value))
            }
            return out
        } catch {
            logger.warning("the freshness query failed", metadata: ["error": "\(error)"])
            return [:]
        }
    }
}
