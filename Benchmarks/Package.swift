// swift-tools-version:6.1
import PackageDescription

/// Meridian's benchmarks, kept out of the main package so that its build stays
/// lean. Run from this directory: `swift package --disable-sandbox benchmark`.
let package = Package(
    name: "MeridianBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named explicitly: a path dependency's identity would otherwise be the
        // name of the checkout's directory, which differs between machines.
        .package(name: "meridian", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        .executableTarget(
            name: "RemoteWriteDecode",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RemoteWrite", package: "meridian"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "RemoteWriteDecode",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
