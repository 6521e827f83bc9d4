import MeridianModel
import SwiftProtobuf
import Testing

@testable import RemoteWrite

/// The hand-written decoder against SwiftProtobuf's generated one, on seeded
/// random requests: both must read the same series, labels and sample bits.
@Suite struct DifferentialTests {
    /// Decodes `bytes` with both decoders and checks that they agree, given
    /// that the hand-written one also enforces the label rules and `limits`
    /// and refuses known fields with the wrong wire type. Returns whether it
    /// accepted.
    @discardableResult
    static func checkAgreement(
        _ bytes: [UInt8], limits: RemoteWriteLimits = RemoteWriteLimits(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let reference = try? Prometheus_WriteRequest(serializedBytes: bytes)
        var ignored = RemoteWriteDecoder.Ignored()
        let mine = Result { () throws(RemoteWriteError) in
            try RemoteWriteDecoder.decode(protobuf: bytes, limits: limits, ignored: &ignored)
        }
        guard let reference else {
            if case .success = mine {
                Issue.record("accepted bytes SwiftProtobuf refuses: \(bytes)", sourceLocation: sourceLocation)
            }
            return false
        }
        if ReferenceModel.hasMisTypedKnownField(reference) {
            if case .success = mine {
                Issue.record(
                    "accepted a known field with the wrong wire type: \(bytes)", sourceLocation: sourceLocation)
            }
            return false
        }
        if let violation = ReferenceModel.firstViolation(reference, limits: limits) {
            #expect(mine.error == violation, sourceLocation: sourceLocation)
            return false
        }
        switch mine {
        case .failure(let error):
            Issue.record("refused a valid request: \(error.message)", sourceLocation: sourceLocation)
            return false
        case .success(let batch):
            expectEqual(batch, ReferenceModel.expected(reference), ignored: ignored, sourceLocation: sourceLocation)
            return true
        }
    }

    static func expectEqual(
        _ batch: SampleBatch, _ expected: ReferenceModel.Expected, ignored: RemoteWriteDecoder.Ignored,
        sourceLocation: SourceLocation
    ) {
        #expect(ignored == expected.ignored, sourceLocation: sourceLocation)
        #expect(batch.metadata == expected.metadata, sourceLocation: sourceLocation)
        guard batch.series.count == expected.series.count else {
            Issue.record(
                "\(batch.series.count) series, expected \(expected.series.count)", sourceLocation: sourceLocation)
            return
        }
        #expect(
            batch.samples.count == expected.series.reduce(0) { $0 + $1.samples.count }, sourceLocation: sourceLocation)
        var nextSample: UInt32 = 0
        for (index, entry) in batch.series.enumerated() {
            let labels = batch.labelSet(of: index)
            #expect(labels.labels == expected.series[index].labels, sourceLocation: sourceLocation)
            #expect(entry.labelsHash == LabelsHash.of(labels), sourceLocation: sourceLocation)
            #expect(entry.sampleStart == nextSample, sourceLocation: sourceLocation)
            nextSample += entry.sampleCount
            let samples = Array(batch.samples[Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount)])
            // Sample's == compares value bit patterns, so NaN payloads count.
            #expect(samples == expected.series[index].samples, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: 0..<40)
    func generatedRequestsDecodeIdentically(seed: UInt64) throws {
        var generator = RequestGenerator(seed: seed)
        for _ in 0..<25 {
            let request = generator.request()
            let bytes: [UInt8] = try request.serializedBytes()
            #expect(Self.checkAgreement(bytes))
        }
    }

    @Test(arguments: 0..<40)
    func wireVariationsDecodeIdentically(seed: UInt64) throws {
        var generator = RequestGenerator(seed: seed &+ 1000)
        var variations = WireVariations(seed: seed)
        for _ in 0..<25 {
            let request = generator.request()
            let bytes = try variations.request(request)
            #expect(Self.checkAgreement(bytes))
            // Unknown fields aside, the variation carries the same request
            // (compared as bytes: messages compare NaN values as unequal).
            let reread = try Prometheus_WriteRequest(serializedBytes: bytes, options: Self.discardUnknown)
            #expect(try reread.serializedBytes() as [UInt8] == request.serializedBytes())
        }
    }

    @Test(arguments: 0..<20)
    func invalidSeriesGetTheReferenceError(seed: UInt64) throws {
        var generator = RequestGenerator(seed: seed &+ 5000)
        generator.invalidSeriesRate = 0.3
        var refused = 0
        for _ in 0..<25 {
            let bytes: [UInt8] = try generator.request().serializedBytes()
            if !Self.checkAgreement(bytes) { refused += 1 }
        }
        #expect(refused > 0)
    }

    /// Tight limits on generated requests, so that every limit is hit, alone
    /// and alongside label-rule violations: the decoder must refuse exactly
    /// what the reference model refuses, with the same message and count.
    @Test func limitsGetTheReferenceError() throws {
        // Tight per-series limits on even seeds, tight request limits on odd
        // ones: with all of them tight, label lengths would hide the rest.
        let perSeries = RemoteWriteLimits(maxLabelsPerSeries: 6, maxLabelNameLength: 10, maxLabelValueLength: 24)
        let perRequest = RemoteWriteLimits(maxSeriesPerRequest: 6, maxSamplesPerRequest: 16, maxMetadataPerRequest: 2)
        var hits: [RemoteWriteLimits.Limit: Int] = [:]
        var accepted = 0
        for seed in 0..<20 as Range<UInt64> {
            var generator = RequestGenerator(seed: seed &+ 7000)
            generator.invalidSeriesRate = 0.05
            let limits = seed % 2 == 0 ? perSeries : perRequest
            for _ in 0..<40 {
                let request = generator.request()
                if Self.checkAgreement(try request.serializedBytes(), limits: limits) { accepted += 1 }
                if let limit = ReferenceModel.firstViolation(request, limits: limits)?.limit {
                    hits[limit, default: 0] += 1
                }
            }
        }
        #expect(accepted > 0)
        #expect(Set(hits.keys) == Set(RemoteWriteLimits.Limit.allCases), "limits hit: \(hits)")
    }

    @Test func encoderMatchesSwiftProtobufByteForByte() throws {
        var generator = RequestGenerator(seed: 77)
        for _ in 0..<200 {
            var request = Prometheus_WriteRequest()
            request.timeseries = (0..<Int.random(in: 0...8, using: &generator.rng)).map { _ in
                var series = Prometheus_TimeSeries()
                series.labels = generator.validLabels()
                series.samples = (0..<Int.random(in: 0...4, using: &generator.rng)).map { _ in
                    var sample = Prometheus_Sample()
                    sample.value = generator.value()
                    sample.timestamp = generator.timestamp()
                    return sample
                }
                return series
            }
            let input = request.timeseries.map { series in
                (
                    labels: Labels(sortedUnchecked: series.labels.map { Label(name: $0.name, value: $0.value) }),
                    samples: series.samples.map { Sample(t: $0.timestamp, v: $0.value) }
                )
            }
            let expected: [UInt8] = try request.serializedBytes()
            #expect(RemoteWriteEncoder.encode(input) == expected)
            // Re-encoding a decoded batch gives the same bytes back, metadata
            // included, less the series without samples, which the batch leaves out.
            if generator.rng.chance(0.5) {
                request.metadata = (0..<Int.random(in: 1...3, using: &generator.rng)).map { _ in generator.metadata() }
            }
            var withSamples = request
            withSamples.timeseries.removeAll { $0.samples.isEmpty }
            let batch = try RemoteWriteDecoder.decode(protobuf: try request.serializedBytes())
            #expect(RemoteWriteEncoder.encode(batch) == (try withSamples.serializedBytes()))
        }
    }

    /// The encoder copies labels that still lie in a decoded body in their
    /// canonical form in runs; a body another sender encoded differently
    /// (padded varints, unknown fields, fields out of order) and labels a
    /// center added must come out the same as SwiftProtobuf writes them.
    @Test func encodingADecodedBatchWithAddedLabelsMatchesSwiftProtobuf() throws {
        var generator = RequestGenerator(seed: 91)
        var variations = WireVariations(seed: 92)
        let added = Labels(["center": "bj", "zone": "z1"])
        for round in 0..<200 {
            var request = Prometheus_WriteRequest()
            request.timeseries = (0..<Int.random(in: 1...8, using: &generator.rng)).map { _ in
                var series = Prometheus_TimeSeries()
                series.labels = generator.validLabels().filter { $0.name != "center" && $0.name != "zone" }
                series.samples = [Prometheus_Sample.with { $0.value = 1; $0.timestamp = 1000 }]
                return series
            }
            let body = round % 2 == 0 ? try request.serializedBytes() : try variations.request(request)
            var batch = try RemoteWriteDecoder.decode(protobuf: body)
            batch.addMissingLabels(added)
            var expected = request
            for i in expected.timeseries.indices {
                expected.timeseries[i].labels += added.map { label in
                    Prometheus_Label.with {
                        $0.name = label.name
                        $0.value = label.value
                    }
                }
                expected.timeseries[i].labels.sort {
                    Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8))
                }
            }
            #expect(RemoteWriteEncoder.encode(batch) == (try expected.serializedBytes()), "round \(round)")
        }
    }

    /// Labels added while decoding are the labels ``SampleBatch/addMissingLabels(_:)``
    /// adds afterwards: same label sets, same hashes, a series' own value
    /// kept; and the limits count only the labels the sender sent.
    @Test func labelsAddedWhileDecodingMatchAddingThemAfterwards() throws {
        var generator = RequestGenerator(seed: 93)
        var variations = WireVariations(seed: 94)
        let added = Labels(["center": "bj", "zone": "z1", "__aaa": "first"])
        for round in 0..<200 {
            var request = Prometheus_WriteRequest()
            request.timeseries = (0..<Int.random(in: 1...8, using: &generator.rng)).map { n in
                var series = Prometheus_TimeSeries()
                series.labels = generator.validLabels()
                if n % 3 == 0 {
                    // A series with its own center keeps it.
                    series.labels.removeAll { $0.name == "center" }
                    series.labels.append(Prometheus_Label.with { $0.name = "center"; $0.value = "own" })
                    series.labels.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
                }
                series.samples = [Prometheus_Sample.with { $0.value = Double(n); $0.timestamp = 1000 }]
                return series
            }
            let protobuf = round % 2 == 0 ? try request.serializedBytes() : try variations.request(request)
            let body = Snappy.compress(protobuf)
            var ignored = RemoteWriteDecoder.Ignored()
            let merged = try body.withUnsafeBytes { raw in
                try RemoteWriteDecoder.decodeRequest(
                    body: raw, contentEncoding: "snappy", contentType: nil, ignored: &ignored, adding: added)
            }
            var expected = try RemoteWriteDecoder.decode(protobuf: protobuf)
            expected.addMissingLabels(added)
            #expect(merged.series.count == expected.series.count)
            for i in expected.series.indices {
                #expect(merged.labelSet(of: i) == expected.labelSet(of: i), "round \(round)")
                #expect(merged.series[i].labelsHash == expected.series[i].labelsHash)
                #expect(merged.series[i].labelsHash == LabelsHash.of(merged.labelSet(of: i)))
            }
            #expect(merged.samples == expected.samples)
            #expect(RemoteWriteEncoder.encode(merged) == RemoteWriteEncoder.encode(expected))
        }
        // A series at the label limit is still accepted with the added labels.
        var limits = RemoteWriteLimits()
        limits.maxLabelsPerSeries = 2
        let body = RemoteWriteEncoder.snappyBody([(Labels(["__name__": "m", "job": "j"]), [Sample(t: 1, v: 1)])])
        var ignored = RemoteWriteDecoder.Ignored()
        let batch = try body.withUnsafeBytes { raw in
            try RemoteWriteDecoder.decodeRequest(
                body: raw, contentEncoding: "snappy", contentType: nil, limits: limits, ignored: &ignored,
                adding: added)
        }
        #expect(batch.labelSet(of: 0).count == 5)
    }

    static let discardUnknown: BinaryDecodingOptions = {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        return options
    }()
}

extension Result {
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
