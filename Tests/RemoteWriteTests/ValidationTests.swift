import Testing

@testable import RemoteWrite

/// One test per reason a series is refused with 400, with the exact message
/// the sender gets.
@Suite struct ValidationTests {
    static func body(_ series: [[(String, String)]]) throws -> [UInt8] {
        var request = Prometheus_WriteRequest()
        request.timeseries = series.map { labels in
            var entry = Prometheus_TimeSeries()
            entry.labels = labels.map {
                var label = Prometheus_Label()
                label.name = $0.0
                label.value = $0.1
                return label
            }
            var sample = Prometheus_Sample()
            sample.value = 1
            sample.timestamp = 1000
            entry.samples = [sample]
            return entry
        }
        return try request.serializedBytes()
    }

    static func expectRefusal(
        _ labels: [(String, String)], _ message: String, code: RemoteWriteError.Code = .invalidLabels,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        // The bad series comes second, so the index in messages is checked too.
        let bytes = try body([[("__name__", "ok")], labels])
        let error = #expect(throws: RemoteWriteError.self, sourceLocation: sourceLocation) {
            try RemoteWriteDecoder.decode(protobuf: bytes)
        }
        #expect(error == RemoteWriteError(code, message), sourceLocation: sourceLocation)
        #expect(error?.httpStatus == 400, sourceLocation: sourceLocation)
    }

    @Test func unsortedNames() throws {
        try Self.expectRefusal(
            [("__name__", "up"), ("job", "x"), ("instance", "a:1")],
            "label names not sorted in series {__name__=\"up\", job=\"x\", instance=\"a:1\"}: \"instance\" after \"job\""
        )
    }

    @Test func namesSortByBytesNotByCase() throws {
        // "Z" (0x5a) sorts before "_" (0x5f) and "a" (0x61).
        try Self.expectRefusal(
            [("__name__", "up"), ("Zone", "x")],
            "label names not sorted in series {__name__=\"up\", Zone=\"x\"}: \"Zone\" after \"__name__\"")
        #expect(
            try RemoteWriteDecoder.decode(protobuf: Self.body([[("Zone", "x"), ("__name__", "up")]])).series.count == 1)
    }

    @Test func duplicateName() throws {
        try Self.expectRefusal(
            [("__name__", "up"), ("job", "x"), ("job", "y")],
            "duplicate label name \"job\" in series {__name__=\"up\", job=\"x\", job=\"y\"}")
    }

    @Test func emptyName() throws {
        try Self.expectRefusal(
            [("", "x"), ("__name__", "up")], "empty label name in series {=\"x\", __name__=\"up\"}")
    }

    @Test func emptyValue() throws {
        try Self.expectRefusal(
            [("__name__", "up"), ("job", "")], "empty value for label \"job\" in series {__name__=\"up\", job=\"\"}")
    }

    @Test(arguments: ["1abc", "a-b", "a.b", "é", "a b"])
    func invalidLabelName(name: String) throws {
        try Self.expectRefusal(
            [("__name__", "up"), (name, "x")],
            "invalid label name \"\(name)\" in series {__name__=\"up\", \(name)=\"x\"}")
    }

    @Test func missingMetricName() throws {
        try Self.expectRefusal(
            [("instance", "a:1"), ("job", "x")],
            "missing metric name (label __name__) in series {instance=\"a:1\", job=\"x\"}")
    }

    @Test(arguments: ["1up", "up-time", "up time", "ü"])
    func invalidMetricName(name: String) throws {
        try Self.expectRefusal(
            [("__name__", name), ("job", "x")],
            "invalid metric name \"\(name)\" in series {__name__=\"\(name)\", job=\"x\"}")
    }

    @Test func metricNamesMayHaveColons() throws {
        let bytes = try Self.body([[("__name__", ":job:rate5m"), ("le", "+Inf")]])
        #expect(try RemoteWriteDecoder.decode(protobuf: bytes).series.count == 1)
    }

    @Test func noLabels() throws {
        try Self.expectRefusal([], "series at index 1 has no labels")
    }

    @Test func invalidUTF8InValue() throws {
        // Hand-built: the generated types cannot hold invalid UTF-8.
        let label1: [UInt8] = [0x0a, 0x08] + Array("__name__".utf8) + [0x12, 0x02] + Array("up".utf8)
        let label2: [UInt8] = [0x0a, 0x03] + Array("job".utf8) + [0x12, 0x02, 0xc3, 0x28]
        let series: [UInt8] = [0x0a, UInt8(label1.count)] + label1 + [0x0a, UInt8(label2.count)] + label2
        let bytes: [UInt8] = [0x0a, UInt8(series.count)] + series
        let error = #expect(throws: RemoteWriteError.self) { try RemoteWriteDecoder.decode(protobuf: bytes) }
        #expect(error?.code == .invalidUTF8)
        #expect(
            error?.message == "value of label \"job\" is not valid UTF-8 in series {__name__=\"up\", job=\"\u{FFFD}(\"}"
        )
        #expect(error?.httpStatus == 400)
    }

    @Test func longValuesAreCutInMessages() throws {
        let long = String(repeating: "v", count: 2000)
        try Self.expectRefusal(
            [("__name__", "up"), ("a", long), ("a", "x")],
            "duplicate label name \"a\" in series {__name__=\"up\", a=\"\(String(repeating: "v", count: 120))…\", a=\"x\"}"
        )
    }

    @Test func valuesAreEscapedInMessages() throws {
        try Self.expectRefusal(
            [("__name__", "up"), ("path", "a\"b\\c\nd"), ("path", "x")],
            "duplicate label name \"path\" in series {__name__=\"up\", path=\"a\\\"b\\\\c\\nd\", path=\"x\"}")
    }

    @Test func theFirstBadSeriesIsReported() throws {
        let bytes = try Self.body([[("__name__", "up")], [("job", "x")], [("__name__", "")]])
        #expect(throws: RemoteWriteError(.invalidLabels, "missing metric name (label __name__) in series {job=\"x\"}"))
        {
            try RemoteWriteDecoder.decode(protobuf: bytes)
        }
    }
}
