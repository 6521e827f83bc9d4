import Foundation
import MeridianModel
import RemoteWrite
import Testing
import TestSupport

/// The read endpoints answer in Prometheus' JSON shapes.
@Suite(.serialized) struct ReadEndpointTests {
    private func loaded() async throws -> InProcessServer {
        let server = try await InProcessServer.start()
        var input: [(labels: Labels, samples: [Sample])] = []
        for job in ["api", "db"] {
            for i in 0..<2 {
                input.append((Labels(["__name__": "up", "job": job, "instance": "h\(i)"]), [Sample(t: 10_000, v: 1)]))
            }
        }
        input.append((Labels(["__name__": "node_load1", "job": "db", "instance": "h0"]), [Sample(t: 20_000, v: 0.25)]))
        let result = try await server.write(RemoteWriteEncoder.snappyBody(input))
        #expect(result.status == 204)
        return server
    }

    private func data(_ result: HTTPResult) throws -> Any? {
        let object = try result.json() as? [String: Any]
        #expect(object?["status"] as? String == "success")
        return object?["data"]
    }

    @Test func seriesLabelsAndValues() async throws {
        let server = try await loaded()
        let series = try await TestHTTP.get(server.baseURL + "/api/v1/series", [("match[]", #"up{job="db"}"#)])
        #expect(series.status == 200)
        #expect(series.headers["content-type"] == "application/json")
        let list = try data(series) as? [[String: String]]
        #expect(list == [
            ["__name__": "up", "instance": "h0", "job": "db"], ["__name__": "up", "instance": "h1", "job": "db"],
        ])
        let labels = try data(try await TestHTTP.get(server.baseURL + "/api/v1/labels")) as? [String]
        #expect(labels == ["__name__", "instance", "job"])
        let names = try data(try await TestHTTP.get(server.baseURL + "/api/v1/label/__name__/values")) as? [String]
        #expect(names == ["node_load1", "up"])
        let filtered = try await TestHTTP.get(
            server.baseURL + "/api/v1/label/job/values", [("match[]", "node_load1")])
        #expect(try data(filtered) as? [String] == ["db"])
        let post = try await TestHTTP.send(
            "POST", server.baseURL + "/api/v1/series", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Data("match%5B%5D=up%7Bjob%3D~%22a.%2A%22%7D".utf8))
        #expect((try data(post) as? [[String: String]])?.count == 2)
        await server.stop()
    }

    @Test func errorsHavePrometheusShape() async throws {
        let server = try await loaded()
        let missing = try await TestHTTP.get(server.baseURL + "/api/v1/series")
        #expect(missing.status == 400)
        let object = try missing.json() as? [String: String]
        #expect(object == ["status": "error", "errorType": "bad_data", "error": "no match[] parameter provided"])
        let bad = try await TestHTTP.get(server.baseURL + "/api/v1/series", [("match[]", "up{job=")])
        #expect(bad.status == 400)
        #expect(bad.text.contains("parse error"))
        let empty = try await TestHTTP.get(server.baseURL + "/api/v1/series", [("match[]", #"{job=""}"#)])
        #expect(empty.status == 400)
        let badTime = try await TestHTTP.get(server.baseURL + "/api/v1/labels", [("start", "yesterday")])
        #expect(badTime.status == 400)
        #expect(badTime.text.contains("invalid parameter"))
        await server.stop()
    }

    @Test func exportAndTimeRange() async throws {
        let server = try await loaded()
        let all = try await server.export(#"{__name__=~".+"}"#)
        #expect(all.count == 5)
        let late = try await TestHTTP.get(
            server.baseURL + "/api/v1/export", [("match[]", #"{__name__=~".+"}"#), ("start", "15"), ("end", "1970-01-01T00:00:30Z")])
        #expect(try ExportLines.parse(late.body) == [
            Labels(["__name__": "node_load1", "job": "db", "instance": "h0"]): [Sample(t: 20_000, v: 0.25)],
        ])
        await server.stop()
    }

    @Test func statusEndpoints() async throws {
        let server = try await loaded()
        let build = try data(try await TestHTTP.get(server.baseURL + "/api/v1/status/buildinfo")) as? [String: String]
        #expect(build?["version"] == "2.42.0")
        #expect(build?["application"] == "meridian")
        #expect(try await TestHTTP.get(server.baseURL + "/-/healthy").status == 200)
        #expect(try await TestHTTP.get(server.baseURL + "/-/ready").status == 200)
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics").text
        #expect(metrics.contains("meridian_head_series 5"))
        #expect(metrics.contains("meridian_samples_appended_total 5"))
        #expect(metrics.contains("meridian_wal_size_bytes"))
        await server.stop()
    }

    @Test func metadataFromRemoteWrite() async throws {
        let server = try await loaded()
        let none = try await TestHTTP.get(server.baseURL + "/api/v1/metadata")
        #expect(none.text == #"{"status":"success","data":{}}"#)

        var batch = SampleBatch()
        batch.metadata = [
            MetricMetadata(family: "http_requests_total", type: .counter, help: "Requests."),
            MetricMetadata(family: "http_request_duration_seconds", type: .histogram, help: "Latency.", unit: "seconds"),
            MetricMetadata(family: "http_requests_total", type: .counter, help: "Requests \"served\"."),
        ]
        #expect(try await server.write(RemoteWriteEncoder.snappyBody(batch)).status == 204)

        let all = try data(try await TestHTTP.get(server.baseURL + "/api/v1/metadata")) as? [String: [[String: String]]]
        #expect(all == [
            "http_request_duration_seconds": [["type": "histogram", "help": "Latency.", "unit": "seconds"]],
            "http_requests_total": [
                ["type": "counter", "help": "Requests \"served\".", "unit": ""],
                ["type": "counter", "help": "Requests.", "unit": ""],
            ],
        ])
        let one = try data(try await TestHTTP.get(server.baseURL + "/api/v1/metadata", [("metric", "http_requests_total")]))
        #expect((one as? [String: Any])?.keys.sorted() == ["http_requests_total"])
        let limited = try data(try await TestHTTP.get(server.baseURL + "/api/v1/metadata", [("limit", "1")]))
        #expect((limited as? [String: Any])?.count == 1)
        let unlimited = try data(try await TestHTTP.get(server.baseURL + "/api/v1/metadata", [("limit", "-1")]))
        #expect((unlimited as? [String: Any])?.count == 2)
        let bad = try await TestHTTP.get(server.baseURL + "/api/v1/metadata", [("limit", "ten")])
        #expect(bad.status == 400)
        #expect(try bad.json() as? [String: String] == ["status": "error", "errorType": "bad_data", "error": "limit must be a number"])
        await server.stop()
    }
}
