import Foundation
import MeridianModel
import RemoteWrite
import Testing
import TestSupport

/// Every status code of POST /api/v1/write, with the reason in the body, and
/// proof that a refused request neither stops the server nor loses earlier data.
@Suite(.serialized) struct RemoteWriteHTTPTests {
    static let up = Labels(["__name__": "up", "job": "node", "instance": "a:9100"])

    private func body(_ labels: [(String, String)], _ samples: [Sample] = [Sample(t: 1000, v: 1)]) -> [UInt8] {
        RemoteWriteEncoder.snappyBody(.makeUnchecked(labels: labels, samples: samples))
    }

    @Test func acceptsValidWritesWith204() async throws {
        let server = try await InProcessServer.start()
        let result = try await server.write(RemoteWriteEncoder.snappyBody([(Self.up, [Sample(t: 1000, v: 1)])]))
        #expect(result.status == 204)
        #expect(try await server.export("up") == [Self.up: [Sample(t: 1000, v: 1)]])
        await server.stop()
    }

    @Test(arguments: [
        ([("job", "x"), ("__name__", "up")], "not sorted"),
        ([("__name__", "up"), ("job", "x"), ("job", "y")], "duplicate"),
        ([("__name__", "up"), ("", "x")], "empty label name"),
        ([("__name__", "up"), ("job", "")], "empty"),
        ([("__name__", "1up")], "metric name"),
        ([("__name__", "up"), ("bad-name", "x")], "label name"),
        ([("job", "x")], "__name__"),
        ([], "no labels"),
    ])
    func invalidLabelsGet400WithReason(labels: [(String, String)], reason: String) async throws {
        let server = try await InProcessServer.start()
        let result = try await server.write(body(labels))
        #expect(result.status == 400)
        #expect(result.text.lowercased().contains(reason.lowercased()), "reason in \(result.text)")
        await server.stop()
    }

    @Test func malformedBodiesGet400() async throws {
        let server = try await InProcessServer.start()
        let garbage = try await server.write([0xff, 0xfe, 0x01, 0x02, 0x03])
        #expect(garbage.status == 400)
        #expect(garbage.text.contains("snappy"))
        // Valid snappy around bytes that are not a WriteRequest (truncated field).
        let badProto = try await server.write(Snappy.compress([0x0a, 0x50, 0x01]))
        #expect(badProto.status == 400)
        #expect(badProto.text.lowercased().contains("protobuf"))
        await server.stop()
    }

    @Test func wrongEncodingsGet415() async throws {
        let server = try await InProcessServer.start()
        let valid = RemoteWriteEncoder.snappyBody([(Self.up, [Sample(t: 1000, v: 1)])])
        let gzip = try await server.write(valid, headers: ["Content-Encoding": "gzip"])
        #expect(gzip.status == 415)
        #expect(gzip.text.contains("gzip"))
        let json = try await server.write(valid, headers: ["Content-Type": "application/json"])
        #expect(json.status == 415)
        let v2 = try await server.write(
            valid, headers: ["Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request"])
        #expect(v2.status == 415)
        #expect(v2.text.contains("io.prometheus.write.v2.Request"))
        var framed: [UInt8] = [0xff, 0x06, 0x00, 0x00] + Array("sNaPpY".utf8)
        framed += [0x01, 0x05, 0x00, 0x00, 0, 0, 0, 0, 0]
        let framedResult = try await server.write(framed)
        #expect(framedResult.status == 415)
        #expect(framedResult.text.contains("framed"))
        await server.stop()
    }

    @Test func oversizeBodiesGet413() async throws {
        let server = try await InProcessServer.start { config in
            config.remoteWrite.maxBodyBytes = 4096
            config.remoteWrite.maxDecodedBytes = 64 << 10
        }
        let many = (0..<400).map { i in
            (Labels(["__name__": "big", "i": "\(i)", "pad": String(repeating: "x", count: 100 + i)]), [Sample(t: 1, v: 1)])
        }
        let tooBig = try await server.write(RemoteWriteEncoder.snappyBody(many))
        #expect(tooBig.status == 413)
        #expect(tooBig.text.contains("limit"))
        // Small on the wire, large decompressed: the bomb guard answers 413 too.
        let padding = String(repeating: "x", count: 70_000)
        let compressed = RemoteWriteEncoder.snappyBody([(Labels(["__name__": "bomb", "pad": padding]), [Sample(t: 1, v: 0)])])
        #expect(compressed.count < 4096)
        let bomb = try await server.write(compressed)
        #expect(bomb.status == 413)
        #expect(bomb.text.contains("decompress"), "reason in \(bomb.text)")
        await server.stop()
    }

    @Test func sampleConflictsGet400AndKeepTheRest() async throws {
        let server = try await InProcessServer.start()
        let other = Labels(["__name__": "other"])
        #expect(try await server.write(RemoteWriteEncoder.snappyBody([(Self.up, [Sample(t: 2000, v: 1)])])).status == 204)
        // Exact duplicate: accepted silently.
        #expect(try await server.write(RemoteWriteEncoder.snappyBody([(Self.up, [Sample(t: 2000, v: 1)])])).status == 204)
        // Same timestamp, different value: 400, like Prometheus.
        let conflict = try await server.write(
            RemoteWriteEncoder.snappyBody([(Self.up, [Sample(t: 2000, v: 5)]), (other, [Sample(t: 1, v: 7)])]))
        #expect(conflict.status == 400)
        #expect(conflict.text.contains("duplicate sample for timestamp"))
        // Older than the newest by less than the out-of-order window: stored.
        #expect(try await server.write(RemoteWriteEncoder.snappyBody([(Self.up, [Sample(t: 1000, v: 1)])])).status == 204)
        // Further back than the window (2 h): 400 out of order.
        let old = try await server.write(RemoteWriteEncoder.snappyBody([(Self.up, [Sample(t: 2000 - 3 * 3_600_000, v: 1)])]))
        #expect(old.status == 400)
        #expect(old.text.contains("out of order sample"))
        #expect(old.text.contains("outside the out-of-order window"))
        // Nothing accepted before was lost, and the valid series of the refused request was kept.
        #expect(try await server.export("up") == [Self.up: [Sample(t: 1000, v: 1), Sample(t: 2000, v: 1)]])
        #expect(try await server.export("other") == [other: [Sample(t: 1, v: 7)]])
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics").text
        #expect(metrics.contains(#"meridian_samples_rejected_total{reason="out_of_order"} 1"#))
        #expect(metrics.contains(#"meridian_samples_rejected_total{reason="duplicate_timestamp"} 1"#))
        await server.stop()
    }

    /// Every limit, tightened so small requests reach it: 400 with the limit's
    /// config key and actual and allowed values, nothing of the request stored
    /// (not even its valid series), the refusal counted by reason, and the
    /// server taking the next request.
    @Test func limitViolationsGet400AndStoreNothing() async throws {
        let server = try await InProcessServer.start { config in
            config.remoteWrite = RemoteWriteLimits(
                maxLabelsPerSeries: 3, maxLabelNameLength: 8, maxLabelValueLength: 10, maxSeriesPerRequest: 4,
                maxSamplesPerRequest: 6, maxMetadataPerRequest: 2)
        }
        let ok = Labels(["__name__": "kept_not", "job": "x"])
        let one = [Sample(t: 1000, v: 1)]
        func series(_ name: String, _ extra: [String: String] = [:]) -> (labels: Labels, samples: [Sample]) {
            (Labels(["__name__": name].merging(extra) { a, _ in a }), one)
        }
        var withMetadata = SampleBatch.makeUnchecked(labels: [("__name__", "kept_not")], samples: one)
        withMetadata.metadata = (0..<3).map { MetricMetadata(family: "m\($0)", type: .gauge, help: "h") }
        let cases: [(body: [UInt8], reason: String, message: String, samples: Int)] = [
            (
                RemoteWriteEncoder.snappyBody([(ok, one), series("a", ["b": "1", "c": "2", "d": "3"])]),
                "too_many_labels", "has 4 labels, over the limit of 3 (remote_write.max_labels_per_series)", 2
            ),
            (
                RemoteWriteEncoder.snappyBody([(ok, one), series("a", ["long_name": "1"])]),
                "label_name_too_long",
                "label name \"long_name\" is 9 bytes long, over the limit of 8 (remote_write.max_label_name_length)", 2
            ),
            (
                RemoteWriteEncoder.snappyBody([(ok, one), series("a", ["b": "12345678901"])]),
                "label_value_too_long",
                "value of label \"b\" is 11 bytes long, over the limit of 10 (remote_write.max_label_value_length), "
                    + "in series {__name__=\"a\", b=\"12345678901\"}", 2
            ),
            (
                RemoteWriteEncoder.snappyBody([(ok, one)] + (0..<4).map { series("s\($0)") }),
                "too_many_series", "request has 5 series, over the limit of 4 (remote_write.max_series_per_request)", 5
            ),
            (
                RemoteWriteEncoder.snappyBody([(ok, (0..<7).map { Sample(t: Int64($0), v: 1) })]),
                "too_many_samples",
                "request has 7 samples, over the limit of 6 (remote_write.max_samples_per_request)", 7
            ),
            (
                RemoteWriteEncoder.snappyBody(withMetadata), "too_many_metadata",
                "request has 3 metadata entries, over the limit of 2 (remote_write.max_metadata_per_request)", 1
            ),
        ]
        for c in cases {
            let result = try await server.write(c.body)
            #expect(result.status == 400, "\(c.reason)")
            #expect(result.text.contains(c.message), "\(c.reason): \(result.text)")
            #expect(try await server.export("kept_not").isEmpty, "\(c.reason) stored part of a refused request")
            // The process keeps accepting, and takes a request at the limits.
            let fine = try await server.write(
                RemoteWriteEncoder.snappyBody([(Labels(["__name__": "fine", "abcdefgh": "1234567890"]), one)]))
            #expect(fine.status == 204, "after \(c.reason): \(fine.text)")
        }
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics").text
        for c in cases {
            #expect(metrics.contains(#"meridian_remote_write_requests_rejected_total{reason="\#(c.reason)"} 1"#))
            #expect(metrics.contains(#"meridian_samples_rejected_total{reason="\#(c.reason)"} \#(c.samples)"#))
        }
        #expect(metrics.contains("# HELP meridian_samples_rejected_total"))
        #expect(try await server.export("fine").count == 1)
        await server.stop()
    }

    /// The issue's examples, at the default limits: 1,000 labels on a series,
    /// a 1 MiB label value. A series at exactly every per-series default (30
    /// labels, a 1,024-byte name, a 2,048-byte value) is still stored.
    @Test func defaultLimitsRefuseTheIssueExamples() async throws {
        let server = try await InProcessServer.start()
        var atLimit = ["__name__": "at_limit", String(repeating: "n", count: 1024): "v"]
        for i in 0..<27 { atLimit["l\(i)"] = "v" }
        atLimit["value"] = String(repeating: "x", count: 2048)
        #expect(atLimit.count == 30)
        let accepted = try await server.write(
            RemoteWriteEncoder.snappyBody([(Labels(atLimit), [Sample(t: 1, v: 1)])]))
        #expect(accepted.status == 204, "\(accepted.text)")
        #expect(try await server.export("at_limit").count == 1)
        var many = ["__name__": "wide"]
        for i in 0..<999 { many["l\(i)"] = "v" }
        let wide = try await server.write(RemoteWriteEncoder.snappyBody([(Labels(many), [Sample(t: 1, v: 1)])]))
        #expect(wide.status == 400)
        #expect(wide.text.contains("has 1000 labels, over the limit of 30 (remote_write.max_labels_per_series)"))
        #expect(wide.text.contains("… 960 more}"), "the series is cut in the message: \(wide.text.prefix(200))")
        let blob = Labels(["__name__": "blob", "payload": String(repeating: "x", count: 1 << 20)])
        let big = try await server.write(RemoteWriteEncoder.snappyBody([(blob, [Sample(t: 1, v: 1)])]))
        #expect(big.status == 400)
        #expect(
            big.text.contains("is 1048576 bytes long, over the limit of 2048 (remote_write.max_label_value_length)"))
        #expect(big.text.utf8.count < 1000, "the value is cut in the message")
        #expect(try await server.export("{__name__=~\"wide|blob\"}").isEmpty)
        await server.stop()
    }

    @Test func staleMarkersAreStoredAsStaleness() async throws {
        let server = try await InProcessServer.start()
        let samples = [Sample(t: 1000, v: 3), Sample(t: 2000, v: StaleMarker.value), Sample(t: 3000, v: .nan)]
        #expect(try await server.write(RemoteWriteEncoder.snappyBody([(Self.up, samples)])).status == 204)
        let raw = try await TestHTTP.get(server.baseURL + "/api/v1/export", [("match[]", "up")]).text
        #expect(raw.contains(#""values":[3,"StaleNaN","NaN"]"#))
        let stored = try await server.export("up")[Self.up]!
        #expect(stored.map(\.v.bitPattern) == samples.map(\.v.bitPattern))
        await server.stop()
    }
}
