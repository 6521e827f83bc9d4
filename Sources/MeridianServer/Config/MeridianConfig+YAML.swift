import Yams

extension MeridianConfig {
    /// Parses a YAML config. Unknown keys, wrong types and bad values are all
    /// reported at once, each with its line, so one run of `meridian check config`
    /// shows everything to fix.
    /// `validating` false leaves out the checks across sections
    /// (``validate()``), for a caller that applies flags first.
    public static func parse(yaml text: String, validating: Bool = true) throws(ConfigError) -> MeridianConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError([ConfigProblem(line: error.line, message: "not valid YAML: \(error)")])
        } catch {
            throw ConfigError([ConfigProblem(line: nil, message: "not valid YAML: \(error)")])
        }
        var reader = ConfigReader()
        var config = MeridianConfig()
        if let root { reader.read(root, into: &config) }
        var problems = reader.problems
        if validating { problems += config.topologyProblems(roleLine: reader.roleLine) }
        if !problems.isEmpty { throw ConfigError(problems) }
        return config
    }

    /// The embedded default configuration.
    public static func embeddedDefault() -> MeridianConfig {
        // The embedded text is checked by a test to parse and to equal config/meridian.yaml.
        (try? parse(yaml: embeddedDefaultYAML)) ?? MeridianConfig()
    }
}

extension YamlError {
    /// The 1-based line of the error, when Yams reports one.
    var line: Int? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}

/// Walks the YAML tree, filling a config and collecting problems with line
/// numbers. Sections with their own file (`MeridianConfig+RemoteWrite.swift`)
/// extend it there, with the typed readers below.
struct ConfigReader {
    var problems: [ConfigProblem] = []
    /// Where `server.role` was set, for the checks across sections.
    var roleLine: Int?

    mutating func read(_ root: Node, into config: inout MeridianConfig) {
        guard let top = mapping(root, "the top level") else { return }
        for (key, value) in top {
            switch key.string {
            case "server": readServer(value, &config)
            case "storage": readStorage(value, &config)
            case "remote_write": readRemoteWrite(value, &config)
            case "center": readCenter(value, &config)
            case "forward": readForward(value, &config)
            case "centers": readCenters(value, &config)
            case "ha": readHA(value, &config)
            case "query": readQuery(value, &config)
            case "scoring": readScoring(value, &config)
            default: unknown(key, in: "the top level")
            }
        }
    }

    private mutating func readServer(_ node: Node, _ config: inout MeridianConfig) {
        guard let map = mapping(node, "server") else { return }
        for (key, value) in map {
            switch key.string {
            case "listen": if let s = string(value, "server.listen") { config.listen = s }
            case "role":
                if let s = string(value, "server.role") {
                    if let role = MeridianConfig.Role(rawValue: s) {
                        config.role = role
                        roleLine = value.mark?.line
                    } else {
                        problem(value, "server.role must be one of all, center, global (got \"\(s)\")")
                    }
                }
            default: unknown(key, in: "server")
            }
        }
    }

    private mutating func readStorage(_ node: Node, _ config: inout MeridianConfig) {
        guard let map = mapping(node, "storage") else { return }
        for (key, value) in map {
            switch key.string {
            case "data_dir": if let s = string(value, "storage.data_dir") { config.dataDir = s }
            case "out_of_order_window":
                if let d = duration(value, "storage.out_of_order_window") { config.outOfOrderWindow = d }
            case "block_range":
                if let d = duration(value, "storage.block_range") {
                    if d >= 60 && d.truncatingRemainder(dividingBy: 60) == 0 {
                        config.blockRange = d
                    } else {
                        problem(value, "storage.block_range must be a whole number of minutes, at least 1m")
                    }
                }
            case "retention": if let d = duration(value, "storage.retention") { config.retention = d }
            case "max_disk_bytes":
                if let n = size(value, "storage.max_disk_bytes", min: 0) { config.maxDiskBytes = n }
            case "wal":
                guard let wal = mapping(value, "storage.wal") else { continue }
                for (k, v) in wal {
                    switch k.string {
                    case "segment_size": if let n = size(v, "storage.wal.segment_size", min: 1 << 20) { config.walSegmentSize = n }
                    case "checkpoint_after":
                        if let n = size(v, "storage.wal.checkpoint_after", min: 1 << 20) { config.walCheckpointAfter = n }
                    case "fsync_interval":
                        if let d = duration(v, "storage.wal.fsync_interval") { config.walFsyncInterval = d }
                    default: unknown(k, in: "storage.wal")
                    }
                }
            default: unknown(key, in: "storage")
            }
        }
    }

    private mutating func readQuery(_ node: Node, _ config: inout MeridianConfig) {
        guard let map = mapping(node, "query") else { return }
        for (key, value) in map {
            switch key.string {
            case "timeout":
                if let d = duration(value, "query.timeout") {
                    if d > 0 { config.queryTimeout = d } else { problem(value, "query.timeout must be positive") }
                }
            case "max_samples":
                if let n = size(value, "query.max_samples", min: 1) { config.queryMaxSamples = n }
            case "lookback_delta":
                if let d = duration(value, "query.lookback_delta") {
                    if d > 0 { config.queryLookbackDelta = d } else { problem(value, "query.lookback_delta must be positive") }
                }
            case "max_concurrency":
                if let n = positiveInteger(value, "query.max_concurrency") { config.queryMaxConcurrency = n }
            case "max_queued":
                if let n = positiveInteger(value, "query.max_queued") { config.queryMaxQueued = n }
            case "max_memory":
                guard let s = string(value, "query.max_memory") else { continue }
                if let limit = MemoryLimit.parse(s), limit.bytes(physicalMemory: 1 << 40) > 0 {
                    config.queryMaxMemory = limit
                } else {
                    problem(value, "query.max_memory: \"\(s)\" is neither a share of RAM (1% to 100%) nor a size (e.g. 2GiB)")
                }
            default: unknown(key, in: "query")
            }
        }
    }

    // MARK: - Typed readers

    mutating func mapping(_ node: Node, _ what: String) -> Node.Mapping? {
        if node.null != nil { return nil }
        guard let map = node.mapping else {
            problem(node, "\(what) must be a mapping of keys to values")
            return nil
        }
        return map
    }

    mutating func string(_ node: Node, _ what: String) -> String? {
        guard let s = node.scalar?.string else {
            problem(node, "\(what) must be a string")
            return nil
        }
        return s
    }

    mutating func size(_ node: Node, _ what: String, min: Int) -> Int? {
        guard let s = string(node, what) else { return nil }
        guard let n = ByteSize.parse(s) else {
            problem(node, "\(what): \"\(s)\" is not a size (e.g. 512KiB, 64MiB, 1GiB, or bytes)")
            return nil
        }
        guard n >= min else {
            problem(node, "\(what) must be at least \(ByteSize.format(min)) (got \(s))")
            return nil
        }
        return n
    }

    mutating func duration(_ node: Node, _ what: String) -> Double? {
        guard let s = string(node, what) else { return nil }
        guard let d = DurationText.parseSeconds(s), d >= 0 else {
            problem(node, "\(what): \"\(s)\" is not a duration (e.g. 500ms, 1s, 5m)")
            return nil
        }
        return d
    }

    mutating func unknown(_ key: Node, in section: String) {
        problem(key, "unknown key \"\(key.string ?? "?")\" in \(section)")
    }

    mutating func problem(_ node: Node, _ message: String) {
        problems.append(ConfigProblem(line: node.mark?.line, message: message))
    }
}
