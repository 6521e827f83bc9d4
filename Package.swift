// swift-tools-version:6.2
import PackageDescription

/// One target per layer; dependencies point one way (see STYLE.md):
/// CRE2 <- MeridianModel <- Encoding <- Storage <- RemoteWrite <- Forwarding <- MeridianServer <- meridian,
/// and MeridianModel <- PromQL <- Scoring <- MeridianServer.
let package = Package(
    name: "meridian",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meridian", targets: ["meridian"]),
        // For the Benchmarks/ package, which measures the decoder on its own.
        .library(name: "RemoteWrite", targets: ["RemoteWrite", "MeridianModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSnappy",
            providers: [.apt(["libsnappy-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // <malloc.h> (malloc_trim), which the Glibc module does not export.
        .target(name: "CMalloc"),
        // RE2 (Debian's libre2-dev) behind a few C functions: label regexes
        // must match in linear time, as Prometheus' Go regexp does.
        .target(
            name: "CRE2",
            linkerSettings: [.linkedLibrary("re2")]
        ),
        // The model's only dependency: label matchers compile their regexes
        // with RE2, and PromQL's label_replace shares that compiled form and
        // its cache, so both live with LabelMatcher rather than in a layer above.
        .target(name: "MeridianModel", dependencies: ["CRE2"]),
        // CRC-32C with the processor's instruction (SSE 4.2, ARMv8 CRC32).
        .target(name: "CCRC32C"),
        .target(name: "Encoding", dependencies: ["CCRC32C"]),
        .target(
            name: "Storage",
            dependencies: [
                "MeridianModel", "Encoding", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Sees MeridianModel's Querier seam only, never Storage.
        .target(name: "PromQL", dependencies: ["MeridianModel"]),
        // The health feed's core: rules, scores, hysteresis, fail-open,
        // weights and overrides, as values driven by the rounds they are
        // given. Reads metrics through its SignalSource seam (PromQL, or a
        // remote query API the server provides); knows nothing of HTTP or disk.
        .target(name: "Scoring", dependencies: ["MeridianModel", "PromQL"]),
        .target(
            name: "RemoteWrite",
            dependencies: [
                "MeridianModel", "Encoding", "CSnappy",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // A center's durable forward log and the senders that drain it to
        // upstream remote-write receivers. Sees the model and the codecs,
        // never the store: what it forwards comes through the write pipeline.
        .target(
            name: "Forwarding",
            dependencies: [
                "MeridianModel", "Encoding", "RemoteWrite",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MeridianServer",
            dependencies: [
                "MeridianModel", "Storage", "RemoteWrite", "Forwarding", "PromQL", "Scoring", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // The HTTP parts the probes' fast path reads and writes.
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "meridian",
            dependencies: [
                "MeridianServer", "Forwarding",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["MeridianModel", "Storage", "RemoteWrite"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "MeridianModelTests", dependencies: ["MeridianModel"]),
        .testTarget(name: "EncodingTests", dependencies: ["Encoding", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport"]),
        .testTarget(name: "ScoringTests", dependencies: ["Scoring", "PromQL", "MeridianModel", "TestSupport"]),
        .testTarget(name: "PromQLTests", dependencies: ["PromQL", "MeridianModel", "Storage", "TestSupport"]),
        .testTarget(
            name: "RemoteWriteTests",
            dependencies: [
                "RemoteWrite", "MeridianModel", "TestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(name: "ForwardingTests", dependencies: ["Forwarding", "RemoteWrite", "MeridianModel", "TestSupport"]),
        .testTarget(
            name: "MeridianServerTests",
            dependencies: [
                "MeridianServer", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Start the built `meridian` binary and a real Prometheus as child processes.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TestSupport", "RemoteWrite", "MeridianModel", "Storage", .product(name: "Logging", package: "swift-log"),
            ],
            // The PromQL differential suite reads its queries from here, relative to its source.
            exclude: ["promql-cases"]
        ),
    ],
    // RE2's headers need C++17 (CRE2's shim.cpp is the only C++ here).
    cxxLanguageStandard: .cxx17
)
