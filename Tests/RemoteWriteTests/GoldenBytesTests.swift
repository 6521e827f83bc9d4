import MeridianModel
import SwiftProtobuf
import Testing

@testable import RemoteWrite

/// A small request written out by hand, byte by byte, against the encoder,
/// SwiftProtobuf and the decoder.
@Suite struct GoldenBytesTests {
    /// `up{job="x"} 1 @ 1000ms`.
    static let golden: [UInt8] = [
        0x0a, 0x28,  // WriteRequest.timeseries (1), 40 bytes
        0x0a, 0x0e,  //   TimeSeries.labels (1), 14 bytes
        0x0a, 0x08, 0x5f, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f,  //     name = "__name__"
        0x12, 0x02, 0x75, 0x70,  //     value = "up"
        0x0a, 0x08,  //   TimeSeries.labels (1), 8 bytes
        0x0a, 0x03, 0x6a, 0x6f, 0x62,  //     name = "job"
        0x12, 0x01, 0x78,  //     value = "x"
        0x12, 0x0c,  //   TimeSeries.samples (2), 12 bytes
        0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f,  //     value = 1.0 (fixed64, little-endian)
        0x10, 0xe8, 0x07,  //     timestamp = 1000 (varint)
    ]

    static let labels = Labels(["__name__": "up", "job": "x"])

    @Test func encoderWritesTheGoldenBytes() {
        #expect(RemoteWriteEncoder.encode([(Self.labels, [Sample(t: 1000, v: 1)])]) == Self.golden)
    }

    @Test func swiftProtobufWritesTheGoldenBytes() throws {
        var request = Prometheus_WriteRequest()
        var series = Prometheus_TimeSeries()
        for (name, value) in [("__name__", "up"), ("job", "x")] {
            var label = Prometheus_Label()
            label.name = name
            label.value = value
            series.labels.append(label)
        }
        var sample = Prometheus_Sample()
        sample.value = 1
        sample.timestamp = 1000
        series.samples = [sample]
        request.timeseries = [series]
        #expect(try request.serializedBytes() == Self.golden)
    }

    @Test func decoderReadsTheGoldenBytes() throws {
        let batch = try RemoteWriteDecoder.decode(protobuf: Self.golden)
        #expect(batch.bytes == Self.golden)
        #expect(
            batch.labels == [
                LabelRange(nameStart: 6, nameLength: 8, valueStart: 16, valueLength: 2),
                LabelRange(nameStart: 22, nameLength: 3, valueStart: 27, valueLength: 1),
            ])
        #expect(
            batch.series == [
                BatchSeries(
                    labelStart: 0, labelCount: 2, sampleStart: 0, sampleCount: 1, labelsHash: LabelsHash.of(Self.labels)
                )
            ])
        #expect(batch.samples == [Sample(t: 1000, v: 1)])
        #expect(batch.labelSet(of: 0) == Self.labels)
    }

    @Test func requestBodyRoundTrips() throws {
        let body = RemoteWriteEncoder.snappyBody([(Self.labels, [Sample(t: 1000, v: 1)])])
        let batch = try RemoteWriteDecoder.decodeRequest(
            body: body, contentEncoding: "snappy", contentType: "application/x-protobuf")
        #expect(batch.bytes == Self.golden)
        #expect(RemoteWriteEncoder.snappyBody(batch) == body)
    }
}
