import Prometheus

extension CenterRegistry {
    /// The states the metrics report, one series each per center.
    static let states = ["live", "lagging", "silent"]

    /// Sets the `meridian_center_*` gauges from every center's report (at scrape time).
    func updateMetrics(in registry: PrometheusCollectorRegistry, headSeries: (String) -> Int) {
        for report in reports() {
            let center = [("center", report.center.name)]
            for state in Self.states {
                registry.makeGauge(
                    name: "meridian_center_state", labels: center + [("state", state)],
                    help: "1 for the state each center is in (live, lagging, silent), 0 for the others."
                ).set(to: report.state == state ? 1 : 0)
            }
            registry.makeGauge(
                name: "meridian_center_link_up", labels: center,
                help: "1 while the center receiver's heartbeats arrive, 0 when nothing has arrived for centers.link_timeout; absent for centers without a receiver."
            ).set(to: report.link == "down" ? 0 : 1)
            registry.makeGauge(
                name: "meridian_center_newest_sample_age_seconds", labels: center,
                help: "Age of the newest sample received from the center (heartbeats excluded)."
            ).set(to: report.newestSampleAge ?? -1)
            registry.makeGauge(
                name: "meridian_center_last_write_age_seconds", labels: center,
                help: "Seconds since the last write carrying the center's series arrived."
            ).set(to: report.lastWriteAge)
            registry.makeGauge(
                name: "meridian_center_reported_forward_lag_seconds", labels: center,
                help: "The forward lag the center receiver reported in its last heartbeat."
            ).set(to: report.center.reportedForwardLag ?? 0)
            registry.makeGauge(
                name: "meridian_center_samples_per_second", labels: center,
                help: "Samples received from the center per second, over the last 10 seconds."
            ).set(to: report.samplesPerSecond)
            registry.makeGauge(
                name: "meridian_center_head_series", labels: center, help: "Series of the center in the head."
            ).set(to: Double(headSeries(report.center.name)))
        }
    }
}
