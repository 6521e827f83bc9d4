import MeridianModel
import RemoteWrite

/// A request shaped like one Prometheus sends with its default queue settings:
/// 2000 series of 8 labels (sorted: `__name__`, center, cluster, code,
/// instance, job, method, service), one sample each. Built deterministically
/// so that runs compare.
enum RequestFixture {
    static let seriesCount = 2000

    static let series: [(labels: Labels, samples: [Sample])] = {
        let metrics = [
            "http_requests_total", "http_request_duration_seconds_bucket", "http_request_duration_seconds_sum",
            "http_request_duration_seconds_count", "grpc_server_handled_total", "process_cpu_seconds_total",
            "process_resident_memory_bytes", "go_goroutines", "up", "node_network_receive_bytes_total",
        ]
        let centers = ["bj", "sh", "gz"]
        let codes = ["200", "201", "204", "301", "400", "404", "429", "500", "502", "503"]
        let methods = ["GET", "POST", "PUT", "DELETE"]
        var state: UInt64 = 0x5eed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        return (0..<seriesCount).map { i in
            let center = centers[i % centers.count]
            let labels = Labels(sortedUnchecked: [
                Label(name: "__name__", value: metrics[i % metrics.count]),
                Label(name: "center", value: center),
                Label(name: "cluster", value: "\(center)-prod-\(i % 4 + 1)"),
                Label(name: "code", value: codes[(i / 10) % codes.count]),
                Label(name: "instance", value: "10.\(i % 7).\(i / 256 % 256).\(i % 256):9090"),
                Label(name: "job", value: "kubernetes-pods"),
                Label(name: "method", value: methods[(i / 100) % methods.count]),
                Label(name: "service", value: "checkout-api-\(i / 200)"),
            ])
            let value = Double(next() % 1_000_000) / 10
            return (labels, [Sample(t: 1_700_000_000_000 + Int64(i % 15) * 1000, v: value)])
        }
    }()

    /// The uncompressed protobuf.
    static let protobuf: [UInt8] = RemoteWriteEncoder.encode(series)
    /// The body as sent: snappy-compressed.
    static let body: [UInt8] = Snappy.compress(protobuf)
}
