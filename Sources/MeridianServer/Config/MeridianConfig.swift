import RemoteWrite

/// Every setting of a Meridian process, from the config file with flags applied on top.
public struct MeridianConfig: Sendable, Equatable {
    /// Which parts of Meridian a process runs.
    public enum Role: String, Sendable, CaseIterable {
        case all, center, global
    }

    /// `host:port` to listen on.
    public var listen = "127.0.0.1:9280"
    public var role = Role.all
    /// `center:` and `forward:`: this center's name and labels, its upstreams
    /// and forward log (`MeridianConfig+Topology.swift`).
    public var topology = TopologyConfig()

    /// Directory of the WAL and, later, blocks.
    public var dataDir = "./data"
    /// Seconds behind the newest sample within which out-of-order samples are accepted.
    public var outOfOrderWindow: Double = 7200
    /// Seconds spanned by a block cut from the head.
    public var blockRange: Double = 7200
    /// Seconds of data kept (behind the newest sample); 0 keeps everything.
    public var retention: Double = 15 * 86400
    /// Bytes of blocks kept at most (oldest deleted first); 0: no limit.
    public var maxDiskBytes = 0
    public var walSegmentSize = 64 << 20
    public var walCheckpointAfter = 256 << 20
    /// Seconds between WAL fsyncs; 0 syncs only at shutdown and checkpoints.
    public var walFsyncInterval: Double = 1

    /// Seconds a query may run (Prometheus' `--query.timeout`).
    public var queryTimeout: Double = 120
    /// Samples one query may hold in memory (Prometheus' `--query.max-samples`).
    public var queryMaxSamples = 50_000_000
    /// Seconds a selector looks back for a sample (Prometheus' `--query.lookback-delta`).
    public var queryLookbackDelta: Double = 300
    /// Queries that run at once (Prometheus' `--query.max-concurrency`); more wait.
    public var queryMaxConcurrency = 20
    /// Queries that may wait for one of those; more are refused with 503.
    public var queryMaxQueued = 200
    /// The memory all running queries together may hold; past it, queries fail with 503.
    public var queryMaxMemory = MemoryLimit.fractionOfRAM(0.25)

    /// The `remote_write:` section: body sizes and the counts and lengths a
    /// request may hold (see `MeridianConfig+RemoteWrite.swift`).
    public var remoteWrite = RemoteWriteLimits()

    /// The `scoring:` section: the health engine's rules, where its signals
    /// are queried, and the feed, agent and overrides it serves
    /// (`MeridianConfig+Scoring.swift`).
    public var scoring = ScoringConfig()

    /// The defaults (equal to the embedded `config/meridian.yaml`).
    public init() {}

    /// The checks across sections, run on a parsed file and again once flags
    /// are applied on top; `roleLine` is where the file set the role.
    public func validate(roleLine: Int? = nil) throws(ConfigError) {
        let problems = topologyProblems(roleLine: roleLine)
        if !problems.isEmpty { throw ConfigError(problems) }
    }

    /// The host and port of ``listen``.
    public func hostAndPort() throws(ConfigError) -> (host: String, port: Int) {
        try Self.hostAndPort(listen)
    }

    /// The host and port of a `HOST:PORT` address (an empty host: every interface).
    public static func hostAndPort(_ listen: String) throws(ConfigError) -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ConfigError([ConfigProblem(line: nil, message: "listen address \"\(listen)\" is not HOST:PORT")])
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

/// A memory limit: a share of the machine's physical memory, or bytes.
public enum MemoryLimit: Sendable, Equatable, CustomStringConvertible {
    case fractionOfRAM(Double)
    case bytes(Int)

    /// Parses `25%` or a size (`2GiB`, bytes); nil for anything else.
    public static func parse(_ text: String) -> MemoryLimit? {
        let trimmed = String(text.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        if trimmed.hasSuffix("%") {
            guard let percent = Double(trimmed.dropLast()), percent > 0, percent <= 100 else { return nil }
            return .fractionOfRAM(percent / 100)
        }
        return ByteSize.parse(trimmed).map { .bytes($0) }
    }

    /// The limit in bytes on a machine with `physicalMemory` bytes.
    public func bytes(physicalMemory: UInt64) -> Int {
        switch self {
        case .fractionOfRAM(let fraction): return Int(Double(physicalMemory) * fraction)
        case .bytes(let n): return n
        }
    }

    public var description: String {
        switch self {
        case .fractionOfRAM(let fraction):
            let percent = fraction * 100
            return percent == percent.rounded() ? "\(Int(percent))% of RAM" : "\(percent)% of RAM"
        case .bytes(let n): return ByteSize.format(n)
        }
    }
}

/// One thing wrong with a config, with the line it is on when known.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public let line: Int?
    public let message: String

    public init(line: Int?, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}

/// A config that cannot be used, with every problem found.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let problems: [ConfigProblem]

    public init(_ problems: [ConfigProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
