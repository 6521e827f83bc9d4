import MeridianModel
import Prometheus

/// Meridian's own query metrics, exposed on `/metrics`: how many queries run
/// and wait, how much memory they hold, and how many were refused or stopped.
public final class QueryMetrics: Sendable {
    let running: Gauge
    let queued: Gauge
    let refused: Counter
    let memoryHeld: Gauge
    private let abortedByReason: [QueryAbort.Code: Counter]

    public init(registry: PrometheusCollectorRegistry) {
        running = registry.makeGauge(
            name: "meridian_queries_running", help: "Read queries running now on the query pool.")
        queued = registry.makeGauge(
            name: "meridian_queries_queued", help: "Read queries waiting for a thread of the query pool.")
        refused = registry.makeCounter(
            name: "meridian_queries_refused_total",
            help: "Read queries refused before they ran: queue or query memory full, or shutting down.")
        memoryHeld = registry.makeGauge(
            name: "meridian_query_memory_bytes",
            help: "Bytes that running queries hold, as the engine estimates them (points, series, responses); set when scraped.")
        var aborted: [QueryAbort.Code: Counter] = [:]
        let reasons: [(QueryAbort.Code, String)] = [
            (.timeout, "timeout"), (.canceled, "canceled"), (.tooManySamples, "too_many_samples"),
            (.memoryLimit, "memory_limit"),
        ]
        for (code, reason) in reasons {
            aborted[code] = registry.makeCounter(
                name: "meridian_queries_aborted_total", labels: [("reason", reason)],
                help: "Read queries stopped before their end, by reason.")
        }
        abortedByReason = aborted
    }

    func aborted(_ code: QueryAbort.Code) { abortedByReason[code]?.increment() }
}
