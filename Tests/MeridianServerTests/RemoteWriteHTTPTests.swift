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
            config.maxBodySize = 4096
            config.maxDecodedSize = 64 << 10
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
