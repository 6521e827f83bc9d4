import Benchmark
import RemoteWrite
import SwiftProtobuf

/// The ingestion hot path, one remote-write request of 2000 series per
/// iteration: the generated SwiftProtobuf decoder against the hand-written
/// one on the same bytes, and snappy alone. Samples per second is 2000 times
/// the throughput figure (iterations per second).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .cpuTotal, .mallocCountTotal, .instructions],
        warmupIterations: 10,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )

    let protobuf = RequestFixture.protobuf
    let body = RequestFixture.body

    Benchmark("SwiftProtobuf decode (2000 series)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Prometheus_WriteRequest(serializedBytes: protobuf))
        }
    }

    Benchmark("RemoteWriteDecoder decode (2000 series)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try RemoteWriteDecoder.decode(protobuf: protobuf))
        }
    }

    Benchmark("Snappy decompress (2000 series)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Snappy.decompress(body, maxDecodedSize: 1 << 26))
        }
    }

    Benchmark("Snappy + RemoteWriteDecoder (2000 series)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try RemoteWriteDecoder.decodeRequest(
                    body: body, contentEncoding: "snappy", contentType: "application/x-protobuf"))
        }
    }
}
