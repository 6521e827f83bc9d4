import Foundation
import Logging
import MeridianModel
import Scoring
import ServiceLifecycle
import Synchronization

/// The scoring loop: every `scoring.interval` it queries each signal,
/// reads each center's freshness, runs a round of the health feed, and
/// writes the scores, states and weights back into the store as series.
/// An override set or lifted runs a round at once.
struct ScoringService: Service {
    let feed: HealthFeed
    let source: any SignalSource
    /// Each center's freshness at a time (the center tracker, or a query).
    let freshness: @Sendable (Double) async -> [String: CenterFreshness]
    /// Where the scores are written back (the store's append seam); nil: nowhere.
    let appender: (any Appender)?
    let isReady: @Sendable () -> Bool
    let metrics: ScoringMetrics
    let logger: Logger

    /// The thread a round's own work runs on (scoring, the document, the
    /// write-back): off the cooperative threads that serve HTTP, so that a
    /// round of 5,000 services never holds up a probe.
    let worker = WorkPool(name: "meridian-scoring", maxThreads: 1)
    let series = HealthSeries()

    func run() async throws {
        let interval = Duration.milliseconds(Int64(feed.rules.interval * 1000))
        await cancelWhenGracefulShutdown {
            // The first round as soon as the WAL is replayed, not an interval later.
            while !isReady() && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(100)) }
            var seenOverrides = feed.overridesChanged.value
            var next = ContinuousClock.now
            while !Task.isCancelled {
                await round()
                // Rounds keep to a fixed rate; one that overran its interval
                // is followed at once by the next, never by a burst.
                next = max(next + interval, .now)
                let wait = ContinuousClock.now.duration(to: next)
                if await feed.overridesChanged.wait(after: seenOverrides, timeout: wait) { next = .now }
                seenOverrides = feed.overridesChanged.value
            }
        }
        // Event streams end here, before the HTTP server waits for its requests.
        feed.close()
    }

    /// One round: queries, freshness, evaluation, write-back.
    func round(at now: Double = Date().timeIntervalSince1970) async {
        let started = ContinuousClock.now
        let input = await gather(at: now)
        let queried = ContinuousClock.now
        let phases = try? await worker.run { [feed, appender, series, logger] () -> (Duration, Duration) in
            let evaluating = ContinuousClock.now
            let snapshot = feed.evaluate(input)
            let writing = ContinuousClock.now
            // A store with no centers gets no health series at all.
            if let appender, !snapshot.centers.isEmpty {
                do {
                    _ = try appender.append(series.batch(snapshot))
                } catch {
                    logger.error("cannot write the health series back", metadata: ["error": "\(error)"])
                }
            }
            return (evaluating.duration(to: writing), writing.duration(to: .now))
        }
        metrics.finished(
            round: started.duration(to: .now), queries: started.duration(to: queried),
            evaluation: phases?.0 ?? .zero, writeBack: phases?.1 ?? .zero)
    }

    /// The round's input: every enabled signal queried at `now` (one after
    /// another: a round is a handful of queries), and the centers' freshness.
    func gather(at now: Double) async -> RoundInput {
        var input = RoundInput(time: now)
        for signal in feed.rules.signals where signal.enabled {
            do {
                input.add(signal.name, try await source.instant(signal.expr, at: now))
            } catch {
                input.failures[signal.name] = "\(error)"
                metrics.signalFailed(signal.name)
                logger.warning(
                    "a health signal's query failed", metadata: ["signal": "\(signal.name)", "error": "\(error)"])
            }
        }
        input.freshness = await freshness(now)
        return input
    }
}

/// The scores as series, for Grafana and alert rules: per center (no
/// `service` label) and per service, at the round's time. The series are
/// the same round after round (the entities, and which of them have
/// scores, rarely change), so their labels are laid out once and later
/// rounds only put in the samples.
final class HealthSeries: Sendable {
    /// One series' identity; its labels in sorted order.
    struct Key: Equatable {
        let name: String
        var center: String?
        var service: String?
        var state: String?

        var labels: Labels {
            var labels = [Label(name: metricNameLabel, value: name)]
            if let center { labels.append(Label(name: "center", value: center)) }
            if let service { labels.append(Label(name: "service", value: service)) }
            if let state { labels.append(Label(name: "state", value: state)) }
            return Labels(sortedUnchecked: labels)
        }
    }

    /// The last round's series and their batch.
    private let last = Mutex<(keys: [Key], layout: SampleBatch)?>(nil)

    func batch(_ snapshot: HealthSnapshot) -> SampleBatch {
        let t = Int64((snapshot.generatedAt * 1000).rounded())
        var keys: [Key] = []
        var values: [Double] = []
        let entities = snapshot.centers.reduce(0) { $0 + 1 + $1.services.count }
        keys.reserveCapacity(entities * (3 + HealthState.allCases.count) + 1)
        values.reserveCapacity(keys.capacity)
        func add(_ name: String, _ key: EntityKey, _ value: Double, state: String? = nil) {
            keys.append(Key(name: name, center: key.center, service: key.service, state: state))
            values.append(value)
        }
        for center in snapshot.centers {
            for entity in [center.health] + center.services {
                if let health = entity.health { add("meridian_health_score", entity.key, health) }
                if let latency = entity.latency { add("meridian_latency_score", entity.key, latency) }
                add("meridian_traffic_weight", entity.key, Double(entity.weight))
                for state in HealthState.allCases {
                    add("meridian_health_state", entity.key, entity.state == state ? 1 : 0, state: state.rawValue)
                }
            }
        }
        keys.append(Key(name: "meridian_health_fail_open"))
        values.append(snapshot.failOpen == nil ? 0 : 1)
        var batch = last.withLock { last in
            if let last, last.keys == keys { return last.layout }
            let layout = SampleBatch(series: keys.map { ($0.labels, [Sample(t: 0, v: 0)]) })
            last = (keys, layout)
            return layout
        }
        batch.samples = values.map { Sample(t: t, v: $0) }
        return batch
    }
}
