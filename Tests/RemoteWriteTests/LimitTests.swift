import MeridianModel
import Testing

@testable import RemoteWrite

/// One test per ``RemoteWriteLimits/Limit``: just under and at the limit the
/// request decodes, one past it the whole request is refused with a 400 whose
/// message names the limit, its config key, the actual and allowed values and,
/// for per-series limits, the series.
@Suite struct LimitTests {
    static let sample = [Sample(t: 1000, v: 1)]

    /// `up` with `extra` labels `a00`, `a01`, … (sorted after `__name__`).
    static func labels(extra: Int, digits: Int = 2) -> [(String, String)] {
        [("__name__", "up")]
            + (0..<extra).map { i in
                let number = String(i)
                return ("a" + String(repeating: "0", count: max(0, digits - number.count)) + number, "v")
            }
    }

    /// The uncompressed request of `series`, each with `samples`, then
    /// `metadata` entries.
    static func request(_ series: [[(String, String)]], samples: [Sample] = sample, metadata: Int = 0) -> [UInt8] {
        var bytes = RemoteWriteEncoder.encode(
            series.map { (Labels(sortedUnchecked: $0.map { Label(name: $0.0, value: $0.1) }), samples) })
        for i in 0..<metadata {
            RemoteWriteEncoder.appendMetadata(
                MetricMetadata(family: "m\(i)", type: .counter, help: "help \(i)"), to: &bytes)
        }
        return bytes
    }

    static func format(_ labels: [(String, String)]) -> String {
        SeriesDescription.format(labels.map { (name: $0.0, value: $0.1) })
    }

    static func expectRefusal(
        _ bytes: [UInt8], limits: RemoteWriteLimits = RemoteWriteLimits(), _ expected: RemoteWriteError,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = #expect(throws: RemoteWriteError.self, sourceLocation: sourceLocation) {
            try RemoteWriteDecoder.decode(protobuf: bytes, limits: limits)
        }
        #expect(error == expected, sourceLocation: sourceLocation)
        #expect(error?.httpStatus == 400, sourceLocation: sourceLocation)
    }

    @Test func defaultsAreDocumented() {
        let limits = RemoteWriteLimits()
        #expect(limits.maxLabelsPerSeries == 30)
        #expect(limits.maxLabelNameLength == 1024)
        #expect(limits.maxLabelValueLength == 2048)
        #expect(limits.maxSeriesPerRequest == 100_000)
        #expect(limits.maxSamplesPerRequest == 1_000_000)
        #expect(limits.maxMetadataPerRequest == 10_000)
        #expect(RemoteWriteLimits.Limit.labelsPerSeries.configKey == "remote_write.max_labels_per_series")
    }

    @Test(arguments: [29, 30])
    func labelsPerSeriesUpToTheLimitPass(count: Int) throws {
        let batch = try RemoteWriteDecoder.decode(protobuf: Self.request([Self.labels(extra: count - 1)]))
        #expect(batch.series.first?.labelCount == UInt32(count))
    }

    @Test func labelsPerSeriesPastTheLimitFail() {
        let labels = Self.labels(extra: 30)
        Self.expectRefusal(
            Self.request([[("__name__", "ok")], labels]),
            RemoteWriteError(
                limit: .labelsPerSeries,
                "series \(Self.format(labels)) has 31 labels, over the limit of 30 (remote_write.max_labels_per_series)",
                refusedSamples: 2))
    }

    @Test func aThousandLabelsAreRefusedWithATruncatedSeries() {
        let labels = Self.labels(extra: 999, digits: 3)
        let error = #expect(throws: RemoteWriteError.self) {
            try RemoteWriteDecoder.decode(protobuf: Self.request([labels]))
        }
        #expect(error?.limit == .labelsPerSeries)
        #expect(error?.message.hasPrefix(#"series {__name__="up", a000="v", "#) == true)
        #expect(
            error?.message.hasSuffix(
                #"a038="v", … 960 more} has 1000 labels, over the limit of 30 (remote_write.max_labels_per_series)"#)
                == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [1023, 1024])
    func labelNamesUpToTheLimitPass(length: Int) throws {
        let name = String(repeating: "n", count: length)
        #expect(
            try RemoteWriteDecoder.decode(protobuf: Self.request([[("__name__", "up"), (name, "v")]])).series.count == 1
        )
    }

    @Test func labelNamesPastTheLimitFail() {
        let name = String(repeating: "n", count: 1025)
        let cut = String(repeating: "n", count: 120) + "…"
        Self.expectRefusal(
            Self.request([[("__name__", "up"), (name, "v")]]),
            RemoteWriteError(
                limit: .labelNameLength,
                "label name \"\(cut)\" is 1025 bytes long, over the limit of 1024 (remote_write.max_label_name_length), "
                    + "in series {__name__=\"up\", \(cut)=\"v\"}", refusedSamples: 1))
    }

    @Test(arguments: [2047, 2048])
    func labelValuesUpToTheLimitPass(length: Int) throws {
        let value = String(repeating: "é", count: length / 2) + (length % 2 == 1 ? "x" : "")
        #expect(value.utf8.count == length)
        #expect(
            try RemoteWriteDecoder.decode(protobuf: Self.request([[("__name__", "up"), ("v", value)]])).series.count
                == 1)
    }

    /// Bytes count, not characters: 1,025 two-byte characters are 2,050 bytes.
    @Test func labelValuesPastTheLimitFail() {
        let value = String(repeating: "é", count: 1025)
        Self.expectRefusal(
            Self.request([[("__name__", "up"), ("job", "x"), ("path", value)]]),
            RemoteWriteError(
                limit: .labelValueLength,
                "value of label \"path\" is 2050 bytes long, over the limit of 2048 "
                    + "(remote_write.max_label_value_length), in series {__name__=\"up\", job=\"x\", path=\""
                    + String(repeating: "é", count: 120) + "…\"}", refusedSamples: 1))
    }

    @Test func aMebibyteValueIsRefused() {
        let value = String(repeating: "x", count: 1 << 20)
        let error = #expect(throws: RemoteWriteError.self) {
            try RemoteWriteDecoder.decode(protobuf: Self.request([[("__name__", "up"), ("blob", value)]]))
        }
        #expect(error?.limit == .labelValueLength)
        #expect(error?.message.contains("is 1048576 bytes long, over the limit of 2048") == true)
    }

    @Test func metricNamesCountAsValues() {
        let name = String(repeating: "m", count: 2049)
        let error = #expect(throws: RemoteWriteError.self) {
            try RemoteWriteDecoder.decode(protobuf: Self.request([[("__name__", name)]]))
        }
        #expect(error?.limit == .labelValueLength)
        #expect(error?.message.hasPrefix("value of label \"__name__\" is 2049 bytes long") == true)
    }

    /// A rule of the protocol is reported before a limit of this receiver.
    @Test func labelRulesComeBeforeLengthLimits() {
        let name = "1" + String(repeating: "n", count: 2000)
        let error = #expect(throws: RemoteWriteError.self) {
            try RemoteWriteDecoder.decode(protobuf: Self.request([[("__name__", "up"), (name, "v")]]))
        }
        #expect(error?.code == .invalidLabels)
    }

    static let small = RemoteWriteLimits(maxSeriesPerRequest: 5, maxSamplesPerRequest: 10, maxMetadataPerRequest: 3)

    @Test(arguments: [4, 5])
    func seriesUpToTheLimitPass(count: Int) throws {
        let series = (0..<count).map { [("__name__", "s\($0)")] }
        #expect(try RemoteWriteDecoder.decode(protobuf: Self.request(series), limits: Self.small).series.count == count)
    }

    @Test func seriesPastTheLimitFail() {
        let series = (0..<6).map { [("__name__", "s\($0)")] }
        Self.expectRefusal(
            Self.request(series), limits: Self.small,
            RemoteWriteError(
                limit: .seriesPerRequest,
                "request has 6 series, over the limit of 5 (remote_write.max_series_per_request)",
                refusedSamples: 6))
    }

    @Test func seriesPastTheDefaultFail() throws {
        let series = (0..<100_001).map { [("__name__", "s\($0)")] }
        Self.expectRefusal(
            Self.request(series),
            RemoteWriteError(
                limit: .seriesPerRequest,
                "request has 100001 series, over the limit of 100000 (remote_write.max_series_per_request)",
                refusedSamples: 100_001))
        #expect(try RemoteWriteDecoder.decode(protobuf: Self.request(Array(series.dropLast()))).series.count == 100_000)
    }

    @Test(arguments: [9, 10])
    func samplesUpToTheLimitPass(count: Int) throws {
        let samples = (0..<count).map { Sample(t: Int64($0), v: 1) }
        let batch = try RemoteWriteDecoder.decode(
            protobuf: Self.request([[("__name__", "up")]], samples: samples), limits: Self.small)
        #expect(batch.samples.count == count)
    }

    @Test func samplesPastTheLimitFail() {
        // Three series of four: the third one crosses the limit.
        let series = (0..<3).map { [("__name__", "s\($0)")] }
        let samples = (0..<4).map { Sample(t: Int64($0), v: 1) }
        Self.expectRefusal(
            Self.request(series, samples: samples), limits: Self.small,
            RemoteWriteError(
                limit: .samplesPerRequest,
                "request has 12 samples, over the limit of 10 (remote_write.max_samples_per_request)",
                refusedSamples: 12))
    }

    @Test func samplesPastTheDefaultFail() {
        let samples = (0..<1_000_001).map { Sample(t: Int64($0), v: 1) }
        Self.expectRefusal(
            Self.request([[("__name__", "up")]], samples: samples),
            RemoteWriteError(
                limit: .samplesPerRequest,
                "request has 1000001 samples, over the limit of 1000000 (remote_write.max_samples_per_request)",
                refusedSamples: 1_000_001))
    }

    @Test(arguments: [2, 3])
    func metadataUpToTheLimitPass(count: Int) throws {
        let batch = try RemoteWriteDecoder.decode(
            protobuf: Self.request([[("__name__", "up")]], metadata: count), limits: Self.small)
        #expect(batch.metadata.count == count)
    }

    @Test func metadataPastTheLimitFail() {
        Self.expectRefusal(
            Self.request([[("__name__", "up")]], metadata: 4), limits: Self.small,
            RemoteWriteError(
                limit: .metadataPerRequest,
                "request has 4 metadata entries, over the limit of 3 (remote_write.max_metadata_per_request)",
                refusedSamples: 1))
    }

    /// Through the whole path a receiver calls, snappy included.
    @Test func decodeRequestAppliesTheLimits() {
        let body = Snappy.compress(Self.request([[("__name__", "up"), ("a", "v")]]))
        let error = #expect(throws: RemoteWriteError.self) {
            try RemoteWriteDecoder.decodeRequest(
                body: body, contentEncoding: "snappy", contentType: nil,
                limits: RemoteWriteLimits(maxLabelsPerSeries: 1))
        }
        #expect(error?.limit == .labelsPerSeries)
        #expect(error?.code == .limitExceeded)
    }

    @Test func otherErrorsCarryNoLimit() {
        let error = #expect(throws: RemoteWriteError.self) {
            try RemoteWriteDecoder.decode(protobuf: Self.request([[("job", "x")]]))
        }
        #expect(error?.code == .invalidLabels)
        #expect(error?.limit == nil && error?.refusedSamples == 0)
    }
}
