import Prometheus
import RemoteWrite
import MeridianModel

/// Meridian's own ingestion metrics, exposed on `/metrics`.
public final class IngestMetrics: Sendable {
    /// The registry `/metrics` renders (also the swift-metrics backend in `meridian serve`).
    public let registry: PrometheusCollectorRegistry

    let samplesAppended: Counter
    let duplicateSamples: Counter
    let outOfOrderAccepted: Counter
    let seriesCreated: Counter
    let writeRequests: Counter
    let headSeries: Gauge
    let walBytes: Gauge
    let walReplaySeconds: Gauge

    /// Reasons a sample or a whole request can be refused; each is a label value
    /// of `meridian_samples_rejected_total` and `meridian_remote_write_requests_rejected_total`.
    public enum RejectReason: String, CaseIterable, Sendable {
        case outOfOrder = "out_of_order"
        case duplicateTimestamp = "duplicate_timestamp"
        case invalidLabels = "invalid_labels"
        case malformedSnappy = "malformed_snappy"
        case malformedProtobuf = "malformed_protobuf"
        case tooLarge = "too_large"
        case unsupportedEncoding = "unsupported_encoding"
        case notReady = "not_ready"
        case storageError = "storage_error"
        /// Series claiming another center than the receiver's.
        case foreignCenter = "foreign_center"
        // One reason per RemoteWriteLimits.Limit: the whole request and all its
        // samples are refused, so an operator sees which limit to look at.
        case tooManyLabels = "too_many_labels"
        case labelNameTooLong = "label_name_too_long"
        case labelValueTooLong = "label_value_too_long"
        case tooManySeries = "too_many_series"
        case tooManySamples = "too_many_samples"
        case tooManyMetadata = "too_many_metadata"

        /// The reason a request refused for `limit` is counted under.
        init(_ limit: RemoteWriteLimits.Limit) {
            switch limit {
            case .labelsPerSeries: self = .tooManyLabels
            case .labelNameLength: self = .labelNameTooLong
            case .labelValueLength: self = .labelValueTooLong
            case .seriesPerRequest: self = .tooManySeries
            case .samplesPerRequest: self = .tooManySamples
            case .metadataPerRequest: self = .tooManyMetadata
            }
        }
    }

    private let rejectedSamples: [RejectReason: Counter]
    private let rejectedRequests: [RejectReason: Counter]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        samplesAppended = registry.makeCounter(
            name: "meridian_samples_appended_total", help: "Samples stored by remote-write (duplicates excluded).")
        duplicateSamples = registry.makeCounter(
            name: "meridian_samples_duplicate_total",
            help: "Samples identical to a stored one (same series, time and value), accepted and not stored again.")
        outOfOrderAccepted = registry.makeCounter(
            name: "meridian_samples_out_of_order_total",
            help: "Samples stored although older than their series' newest (inside the out-of-order window).")
        seriesCreated = registry.makeCounter(
            name: "meridian_series_created_total", help: "Series created in the head.")
        writeRequests = registry.makeCounter(
            name: "meridian_remote_write_requests_total", help: "Remote-write requests received.")
        headSeries = registry.makeGauge(name: "meridian_head_series", help: "Series held in the in-memory head.")
        walBytes = registry.makeGauge(
            name: "meridian_wal_size_bytes", help: "Bytes of the write-ahead log on disk, checkpoint included.")
        walReplaySeconds = registry.makeGauge(
            name: "meridian_wal_replay_duration_seconds", help: "How long the WAL replay at start-up took.")
        var samples: [RejectReason: Counter] = [:]
        var requests: [RejectReason: Counter] = [:]
        for reason in RejectReason.allCases {
            samples[reason] = registry.makeCounter(
                name: "meridian_samples_rejected_total", labels: [("reason", reason.rawValue)],
                help: "Samples refused by remote-write, by reason.")
            requests[reason] = registry.makeCounter(
                name: "meridian_remote_write_requests_rejected_total", labels: [("reason", reason.rawValue)],
                help: "Remote-write requests answered with an error, by reason.")
        }
        rejectedSamples = samples
        rejectedRequests = requests
    }

    func rejected(_ reason: RejectReason, samples: Int, request: Bool = true) {
        if samples > 0 { rejectedSamples[reason]!.increment(by: Int64(samples)) }
        if request { rejectedRequests[reason]!.increment() }
    }

    /// Counts a failover of an HA pair.
    func haFailover(center: String, cluster: String) {
        registry.makeCounter(
            name: "meridian_ha_failovers_total", labels: [("center", center), ("cluster", cluster)],
            help: "Times the elected replica of an HA pair changed."
        ).increment()
    }

    func record(_ outcome: AppendOutcome) {
        samplesAppended.increment(by: Int64(outcome.appended))
        if outcome.appendedOutOfOrder > 0 { outOfOrderAccepted.increment(by: Int64(outcome.appendedOutOfOrder)) }
        if outcome.duplicates > 0 { duplicateSamples.increment(by: Int64(outcome.duplicates)) }
        if outcome.newSeries > 0 { seriesCreated.increment(by: Int64(outcome.newSeries)) }
        if outcome.outOfOrder > 0 { rejected(.outOfOrder, samples: outcome.outOfOrder, request: false) }
        if outcome.conflicting > 0 { rejected(.duplicateTimestamp, samples: outcome.conflicting, request: false) }
    }
}
