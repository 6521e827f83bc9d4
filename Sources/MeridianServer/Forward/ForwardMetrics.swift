import Forwarding
import Foundation
import Prometheus
import Synchronization

/// The forwarder's metrics, per upstream: counters fed by the senders
/// (``ForwardObserver``) and gauges set from their status when scraped.
public final class ForwardMetrics: ForwardObserver, Sendable {
    let registry: PrometheusCollectorRegistry
    /// Upper bounds of the request and delivery-delay histograms, seconds.
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

    public init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    private func labels(_ upstream: String) -> [(String, String)] { [("upstream", upstream)] }

    public func sent(upstream: String, samples: Int, seconds: Double, delaySeconds: Double) {
        registry.makeCounter(
            name: "meridian_forward_sent_samples_total", labels: labels(upstream),
            help: "Samples an upstream acknowledged."
        ).increment(by: Int64(samples))
        registry.makeCounter(
            name: "meridian_forward_requests_total", labels: labels(upstream),
            help: "Remote-write requests an upstream acknowledged."
        ).increment()
        registry.makeValueHistogram(
            name: "meridian_forward_request_duration_seconds", labels: labels(upstream), buckets: Self.buckets,
            help: "Time from sending a request to an upstream to its successful answer."
        ).record(seconds)
        registry.makeValueHistogram(
            name: "meridian_forward_delivery_delay_seconds", labels: labels(upstream), buckets: Self.buckets,
            help: "Time from the center acknowledging a write to the upstream acknowledging it (oldest record of each request)."
        ).record(delaySeconds)
    }

    public func retried(upstream: String, reason: String) {
        registry.makeCounter(
            name: "meridian_forward_retries_total", labels: labels(upstream) + [("reason", reason)],
            help: "Failed attempts to send to an upstream that are retried, by reason."
        ).increment()
    }

    public func dropped(upstream: String, samples: Int, reason: String) {
        registry.makeCounter(
            name: "meridian_forward_given_up_samples_total", labels: labels(upstream) + [("reason", reason)],
            help: "Samples that will never reach an upstream: refused by it (400, 409, 413, 415, 422), deleted by the forward disk budget, or corrupt on disk."
        ).increment(by: Int64(samples))
    }

    /// Sets the per-upstream gauges from the senders' status (at scrape time).
    func update(from forwarder: Forwarder) {
        let (segments, _) = forwarder.log.snapshot()
        registry.makeGauge(
            name: "meridian_forward_log_size_bytes", help: "Bytes of the forward log on disk."
        ).set(to: Double(segments.reduce(0) { $0 + $1.bytes }))
        for status in forwarder.status() {
            let l = labels(status.url)
            registry.makeGauge(
                name: "meridian_forward_pending_bytes", labels: l,
                help: "Bytes of the forward log an upstream has not acknowledged."
            ).set(to: Double(status.pendingBytes))
            registry.makeGauge(
                name: "meridian_forward_pending_samples", labels: l,
                help: "Samples an upstream has not acknowledged."
            ).set(to: Double(status.pendingSamples))
            registry.makeGauge(
                name: "meridian_forward_lag_seconds", labels: l,
                help: "How long the oldest sample an upstream has not acknowledged has waited since the center acknowledged it (0 when nothing is pending)."
            ).set(to: status.lagSeconds)
            registry.makeGauge(
                name: "meridian_forward_upstream_up", labels: l,
                help: "1 when the last attempt to send to the upstream succeeded (or nothing needed sending), 0 while retrying."
            ).set(to: status.state == "retrying" ? 0 : 1)
        }
    }
}
