import Foundation
import Hummingbird
import Logging
import MeridianServer
import Storage
import TestSupport
import Testing

/// A known path asked with the wrong method gets what Prometheus 2.42 answers:
/// 405 and `Allow` listing the path's methods plus OPTIONS (sorted). The body
/// is Prometheus' plain text `Method Not Allowed`, except on `/api/` paths,
/// where it is the API's JSON error shape. Unknown paths stay 404.
@Suite(.serialized) struct MethodNotAllowedTests {
    /// The HTTP contract (DESIGN.md): each path and the methods it answers.
    /// `{name}` is a path parameter.
    static let contract: [String: Set<String>] = [
        "/api/v1/write": ["POST"],
        "/api/v1/query": ["GET", "POST"],
        "/api/v1/query_range": ["GET", "POST"],
        "/api/v1/series": ["GET", "POST"],
        "/api/v1/labels": ["GET", "POST"],
        "/api/v1/label/{name}/values": ["GET", "POST"],
        "/api/v1/metadata": ["GET", "POST"],
        "/api/v1/export": ["GET", "POST"],
        "/api/v1/status/buildinfo": ["GET"],
        "/api/v1/admin/flush": ["POST"],
        "/api/v1/admin/compact": ["POST"],
        // Role all tracks centers; /api/v1/status/forward needs upstreams (TopologyTests).
        "/api/v1/centers": ["GET"],
        "/-/healthy": ["GET", "HEAD"],
        "/-/ready": ["GET", "HEAD"],
        "/metrics": ["GET"],
    ]

    static let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]

    /// Every registration of the real router, by path.
    static func registeredRoutes() throws -> [String: Set<String>] {
        let directory = try TemporaryDirectory("routes")
        defer { directory.remove() }
        let logger = Logger(label: "routes")
        let state = ServerState(
            config: MeridianConfig(), store: try Store(dataDirectory: directory.path, wal: nil, logger: logger),
            wal: nil,
            metadata: MetadataStore(dataDirectory: nil, logger: logger), metrics: IngestMetrics(), logger: logger)
        var table: [String: Set<String>] = [:]
        for route in MeridianRoutes.router(state: state).routes {
            table[route.path.description, default: []].insert(route.method.rawValue)
        }
        return table
    }

    /// The contract and the router agree, so the loop below covers every route.
    @Test func everyRouteIsInTheContract() throws {
        #expect(try Self.registeredRoutes() == Self.contract)
    }

    @Test func wrongMethodsGet405WithAllow() async throws {
        let routes = try Self.registeredRoutes()
        let server = try await InProcessServer.start()
        for (path, allowed) in routes.sorted(by: { $0.key < $1.key }) {
            let url = server.baseURL + path.replacingOccurrences(of: "{name}", with: "job")
            let allow = (allowed.union(["OPTIONS"])).sorted().joined(separator: ", ")
            for method in Self.methods where !allowed.contains(method) {
                let result = try await TestHTTP.send(method, url)
                #expect(result.status == 405, "\(method) \(path)")
                #expect(result.headers["allow"] == allow, "\(method) \(path)")
                #expect(result.headers["x-content-type-options"] == "nosniff", "\(method) \(path)")
                if method == "HEAD" {
                    #expect(result.body.isEmpty, "\(method) \(path)")
                } else if path.hasPrefix("/api/") {
                    #expect(result.headers["content-type"] == "application/json", "\(method) \(path)")
                    #expect(
                        result.text.hasPrefix(#"{"status":"error","errorType":"bad_data","error":"method \#(method) "#),
                        "\(method) \(path)")
                } else {
                    #expect(result.text == "Method Not Allowed\n", "\(method) \(path)")
                    #expect(result.headers["content-type"] == "text/plain; charset=utf-8", "\(method) \(path)")
                }
            }
            // Prometheus: 204 (its CORS preflight answer) on the API, 200 elsewhere.
            let options = try await TestHTTP.send("OPTIONS", url)
            #expect(options.status == (path.hasPrefix("/api/") ? 204 : 200), "OPTIONS \(path)")
            #expect(options.headers["allow"] == allow, "OPTIONS \(path)")
        }
        await server.stop()
    }

    /// The examples checked against Prometheus 2.42: its status and headers,
    /// and on the API the JSON error in place of its plain text.
    @Test func examplesAnswerAsPrometheus() async throws {
        let server = try await InProcessServer.start()
        let query = try await TestHTTP.send("DELETE", server.baseURL + "/api/v1/query")
        #expect(query.status == 405)
        #expect(query.headers["allow"] == "GET, OPTIONS, POST")
        #expect(query.headers["x-content-type-options"] == "nosniff")
        #expect(
            query.text
                == #"{"status":"error","errorType":"bad_data","error":"method DELETE is not allowed for /api/v1/query "#
                + #"(allowed: GET, OPTIONS, POST)"}"#)
        let write = try await TestHTTP.send("PUT", server.baseURL + "/api/v1/write")
        #expect(write.status == 405)
        #expect(write.headers["allow"] == "OPTIONS, POST")
        #expect(write.headers["content-type"] == "application/json")
        let healthy = try await TestHTTP.send("POST", server.baseURL + "/-/healthy")
        #expect(healthy.status == 405)
        #expect(healthy.headers["allow"] == "GET, HEAD, OPTIONS")
        #expect(healthy.headers["x-content-type-options"] == "nosniff")
        #expect(healthy.text == "Method Not Allowed\n")
        let flush = try await TestHTTP.send("GET", server.baseURL + "/api/v1/admin/flush")
        #expect(flush.status == 405)
        #expect(flush.headers["allow"] == "OPTIONS, POST")
        // A path parameter matches any value; a trailing slash is the same path.
        let values = try await TestHTTP.send("PUT", server.baseURL + "/api/v1/label/instance/values/")
        #expect(values.status == 405)
        #expect(values.headers["allow"] == "GET, OPTIONS, POST")
        await server.stop()
    }

    @Test func unknownPathsStay404() async throws {
        let server = try await InProcessServer.start()
        for (method, path) in [
            ("GET", "/api/v1/nonexistent"), ("DELETE", "/api/v1/nonexistent"), ("OPTIONS", "/nonexistent"),
            ("GET", "/api/v1/label/job"), ("POST", "/api/v1/label/job/values/extra"), ("GET", "/api"),
        ] {
            let result = try await TestHTTP.send(method, server.baseURL + path)
            #expect(result.status == 404, "\(method) \(path)")
            #expect(result.headers["allow"] == nil, "\(method) \(path)")
        }
        await server.stop()
    }

    /// HEAD answers on the health endpoints as GET does, without a body (load
    /// balancers probe with it); elsewhere it is a 405, as in Prometheus.
    @Test func headOnHealthEndpoints() async throws {
        let server = try await InProcessServer.start()
        for path in ["/-/healthy", "/-/ready"] {
            let result = try await TestHTTP.send("HEAD", server.baseURL + path)
            #expect(result.status == 200, "\(path)")
            #expect(result.body.isEmpty, "\(path)")
        }
        #expect(try await TestHTTP.send("HEAD", server.baseURL + "/metrics").status == 405)
        #expect(try await TestHTTP.send("HEAD", server.baseURL + "/api/v1/query").status == 405)
        await server.stop()
    }

    /// Right methods still reach their handlers (the middleware sees only misses).
    @Test func rightMethodsAreUntouched() async throws {
        let server = try await InProcessServer.start()
        #expect(try await TestHTTP.send("GET", server.baseURL + "/api/v1/query?query=1").status == 200)
        #expect(try await TestHTTP.send("POST", server.baseURL + "/api/v1/labels").status == 200)
        #expect(try await TestHTTP.send("GET", server.baseURL + "/api/v1/label/job/values").status == 200)
        #expect(try await TestHTTP.send("GET", server.baseURL + "/-/healthy").text == "Meridian is Healthy.\n")
        await server.stop()
    }
}
