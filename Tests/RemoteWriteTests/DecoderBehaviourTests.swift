import MeridianModel
import TestSupport
import Testing

@testable import RemoteWrite

@Suite struct DecoderBehaviourTests {
    @Test func emptyRequestIsAnEmptyBatch() throws {
        let batch = try RemoteWriteDecoder.decode(protobuf: [])
        #expect(batch.series.isEmpty && batch.samples.isEmpty && batch.labels.isEmpty)
    }

    @Test func samplesKeepRequestOrderAndBits() throws {
        let stale = Double(bitPattern: StaleMarker.bitPattern)
        let payloadNaN = Double(bitPattern: 0x7ff8_dead_beef_0001)
        let input: [(labels: Labels, samples: [Sample])] = [
            (Labels(["__name__": "a"]), [Sample(t: -5, v: stale), Sample(t: .min, v: -.infinity)]),
            (Labels(["__name__": "b", "x": "🚀"]), [Sample(t: .max, v: payloadNaN), Sample(t: 0, v: -0.0)]),
        ]
        let batch = try RemoteWriteDecoder.decode(protobuf: RemoteWriteEncoder.encode(input))
        #expect(batch.samples == input.flatMap(\.samples))
        #expect(StaleMarker.isStale(batch.samples[0].v))
        #expect(batch.samples[2].v.bitPattern == payloadNaN.bitPattern)
        #expect(batch.samples[3].v.sign == .minus)
        for index in batch.series.indices {
            #expect(batch.labelSet(of: index) == input[index].labels)
            #expect(batch.series[index].labelsHash == LabelsHash.of(batch.labelSet(of: index)))
        }
    }

    @Test func ignoredContentIsCountedMetadataKeptAndSeriesWithoutSamplesLeftOut() throws {
        var request = Prometheus_WriteRequest()
        var histogramOnly = Prometheus_TimeSeries()
        var name = Prometheus_Label()
        name.name = "__name__"
        name.value = "h"
        histogramOnly.labels = [name]
        histogramOnly.histograms = [Prometheus_Histogram(), Prometheus_Histogram()]
        var withExemplar = histogramOnly
        withExemplar.histograms = []
        withExemplar.samples = [Prometheus_Sample()]
        withExemplar.exemplars = [Prometheus_Exemplar()]
        request.timeseries = [histogramOnly, withExemplar]
        var metadata = Prometheus_MetricMetadata()
        metadata.type = .histogram
        metadata.metricFamilyName = "h"
        metadata.help = "Latency \u{2014} by route."
        metadata.unit = "seconds"
        request.metadata = [metadata, Prometheus_MetricMetadata()]
        var ignored = RemoteWriteDecoder.Ignored()
        let batch = try RemoteWriteDecoder.decode(protobuf: request.serializedBytes(), ignored: &ignored)
        #expect(batch.series.count == 1)
        #expect(batch.labels.count == 1)
        #expect(batch.series[0].labelStart == 0)
        #expect(ignored.histograms == 2 && ignored.exemplars == 1)
        #expect(batch.metadata == [
            MetricMetadata(family: "h", type: .histogram, help: "Latency \u{2014} by route.", unit: "seconds"),
            MetricMetadata(family: "", type: .unknown, help: ""),
        ])
        #expect(ignored.seriesWithoutSamples == 1)
    }

    @Test(
        arguments: [
            ("snappy", "application/x-protobuf"), ("SNAPPY", "application/x-protobuf; proto=prometheus.WriteRequest"),
            (nil, nil), ("", ""),
        ] as [(String?, String?)])
    func acceptedHeaders(encoding: String?, type: String?) throws {
        let body = RemoteWriteEncoder.snappyBody([(Labels(["__name__": "up"]), [Sample(t: 1, v: 1)])])
        #expect(
            try RemoteWriteDecoder.decodeRequest(body: body, contentEncoding: encoding, contentType: type).sampleCount
                == 1)
    }

    @Test(arguments: [
        ("gzip", "application/x-protobuf", "unsupported Content-Encoding \"gzip\"; remote-write 1.0 requires snappy"),
        (
            "snappy", "application/json",
            "unsupported Content-Type \"application/json\"; remote-write 1.0 requires application/x-protobuf"
        ),
        (
            "snappy", "application/x-protobuf;proto=io.prometheus.write.v2.Request",
            "unsupported message \"io.prometheus.write.v2.Request\" in Content-Type; this receiver speaks remote-write 1.0 (prometheus.WriteRequest)"
        ),
    ])
    func refusedHeaders(encoding: String, type: String, message: String) {
        let error = #expect(throws: RemoteWriteError.self) {
            try RemoteWriteDecoder.decodeRequest(body: [0], contentEncoding: encoding, contentType: type)
        }
        #expect(error == RemoteWriteError(.unsupportedEncoding, message))
        #expect(error?.httpStatus == 415)
    }

    @Test func bodyLimitsAnswer413() throws {
        let body = RemoteWriteEncoder.snappyBody([(Labels(["__name__": "up"]), [Sample(t: 1, v: 1)])])
        let small = RemoteWriteLimits(maxBodyBytes: body.count - 1)
        let error = #expect(throws: RemoteWriteError.self) {
            try RemoteWriteDecoder.decodeRequest(body: body, contentEncoding: "snappy", contentType: nil, limits: small)
        }
        #expect(error?.code == .tooLarge && error?.httpStatus == 413)
        let tight = RemoteWriteLimits(maxDecodedBytes: 10)
        #expect(throws: RemoteWriteError.self) {
            try RemoteWriteDecoder.decodeRequest(body: body, contentEncoding: "snappy", contentType: nil, limits: tight)
        }
    }

    @Test func everyErrorCodeHasAStatus() {
        for code in RemoteWriteError.Code.allCases {
            #expect([400, 413, 415].contains(RemoteWriteError(code, "").httpStatus))
        }
    }

    @Test(arguments: [
        ("", true), ("plain ascii text", true), ("é日本🚀\u{10FFFF}\u{0}", true),
    ])
    func utf8ValidationAcceptsValidText(text: String, expected: Bool) {
        let bytes = Array(text.utf8)
        #expect(
            bytes.withUnsafeBytes {
                UTF8Validation.isValid($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: $0.count)
            } == expected)
    }

    @Test func asciiCheckLooksAtEveryByte() {
        for length in 0...24 {
            for position in 0..<max(length, 1) where length > 0 {
                var bytes = [UInt8](repeating: 0x41, count: length)
                bytes[position] = 0xc3
                #expect(!bytes.withUnsafeBytes { UTF8Validation.isASCII($0.baseAddress!, count: length) })
                bytes[position] = 0x7f
                #expect(bytes.withUnsafeBytes { UTF8Validation.isASCII($0.baseAddress!, count: length) })
            }
        }
    }

    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        var rng = SplitMix64(seed: 3)
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0,
            0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
        ]
        for _ in 0..<200_000 {
            let bytes = (0..<Int.random(in: 1...12, using: &rng)).map { _ in rng.pick(interesting) }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            let actual = bytes.withUnsafeBytes { UTF8Validation.isValid($0.baseAddress!, count: $0.count) }
            #expect(actual == expected, "\(bytes)")
            if actual != expected { break }
        }
    }
}
