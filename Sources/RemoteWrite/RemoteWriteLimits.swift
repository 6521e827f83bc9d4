/// The limits one remote-write request must stay within.
///
/// Two kinds: the body sizes (413, checked before decompressing), and the
/// counts and lengths of what the body holds (400, checked while decoding, see
/// ``Limit``). Every default is far above what a real sender produces, so that
/// a limit only ever stops a misconfigured or hostile sender: a series with a
/// thousand labels or a megabyte label value would otherwise be stored, indexed
/// and held in memory for as long as the head keeps it.
public struct RemoteWriteLimits: Sendable, Equatable {
    /// The largest compressed body accepted (413 past it).
    public var maxBodyBytes: Int
    /// The largest decompressed body accepted (413 past it). Checked against the
    /// length the snappy header declares, before anything is allocated.
    public var maxDecodedBytes: Int
    /// Labels one series may have, `__name__` included (Mimir's
    /// `max_label_names_per_series`, whose default this is).
    public var maxLabelsPerSeries: Int
    /// Bytes of one label name (Mimir's `max_label_name_length`).
    public var maxLabelNameLength: Int
    /// Bytes of one label value, the metric name included (Mimir's
    /// `max_label_value_length`).
    public var maxLabelValueLength: Int
    /// `TimeSeries` entries in one request, those without float samples included.
    public var maxSeriesPerRequest: Int
    /// Float samples in one request, all series together.
    public var maxSamplesPerRequest: Int
    /// `MetricMetadata` entries in one request.
    public var maxMetadataPerRequest: Int

    /// Creates limits. The size defaults (32 MiB compressed, 128 MiB
    /// decompressed) are far above what Prometheus sends (about 100 kB to 1 MB
    /// per request with its default queue settings) and bound what one request
    /// can cost. The count defaults: 30 labels of names up to 1,024 bytes and
    /// values up to 2,048 bytes (Mimir's defaults, which real exporters live
    /// within); 100,000 series and 1,000,000 samples per request, 100 times
    /// vmagent's default batch (10,000 samples) and 500 times Prometheus'
    /// (500 samples in 2.42, 2,000 in later releases), so that a sender tuned
    /// for throughput still fits; 10,000 metadata entries, twice vmagent's
    /// batch (5,000) and 20 times Prometheus' (500).
    public init(
        maxBodyBytes: Int = 32 << 20,
        maxDecodedBytes: Int = 128 << 20,
        maxLabelsPerSeries: Int = 30,
        maxLabelNameLength: Int = 1024,
        maxLabelValueLength: Int = 2048,
        maxSeriesPerRequest: Int = 100_000,
        maxSamplesPerRequest: Int = 1_000_000,
        maxMetadataPerRequest: Int = 10_000
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxDecodedBytes = maxDecodedBytes
        self.maxLabelsPerSeries = maxLabelsPerSeries
        self.maxLabelNameLength = maxLabelNameLength
        self.maxLabelValueLength = maxLabelValueLength
        self.maxSeriesPerRequest = maxSeriesPerRequest
        self.maxSamplesPerRequest = maxSamplesPerRequest
        self.maxMetadataPerRequest = maxMetadataPerRequest
    }

    /// A limit on what a request holds; refusing it is a
    /// ``RemoteWriteError/Code/limitExceeded`` (400) that names the limit.
    ///
    /// The raw value is the key of the limit in the config file's
    /// `remote_write:` section, so that the message a sender logs tells the
    /// operator which setting to raise.
    public enum Limit: String, Sendable, CaseIterable {
        case labelsPerSeries = "max_labels_per_series"
        case labelNameLength = "max_label_name_length"
        case labelValueLength = "max_label_value_length"
        case seriesPerRequest = "max_series_per_request"
        case samplesPerRequest = "max_samples_per_request"
        case metadataPerRequest = "max_metadata_per_request"

        /// The key with its section, as messages print it:
        /// `remote_write.max_labels_per_series`.
        public var configKey: String { "remote_write." + rawValue }
    }

    /// The value of one of the count and length limits.
    public subscript(limit: Limit) -> Int {
        get { self[keyPath: limit.field] }
        set { self[keyPath: limit.field] = newValue }
    }
}

extension RemoteWriteLimits.Limit {
    /// The property of ``RemoteWriteLimits`` that holds this limit's value.
    var field: WritableKeyPath<RemoteWriteLimits, Int> {
        switch self {
        case .labelsPerSeries: \.maxLabelsPerSeries
        case .labelNameLength: \.maxLabelNameLength
        case .labelValueLength: \.maxLabelValueLength
        case .seriesPerRequest: \.maxSeriesPerRequest
        case .samplesPerRequest: \.maxSamplesPerRequest
        case .metadataPerRequest: \.maxMetadataPerRequest
        }
    }
}
