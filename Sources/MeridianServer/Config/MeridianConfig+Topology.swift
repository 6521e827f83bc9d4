import Forwarding
import MeridianModel
import Yams

/// The multi-center settings: `center:` (who this receiver is and the labels
/// it enforces) and `forward:` (where a center sends what it accepted, and
/// how much disk the backlog may take).
public struct TopologyConfig: Sendable, Equatable {
    /// This center's name: the `center` label of every series it accepts.
    public var centerName = ""
    /// Labels added to every series that lacks them (besides `center`); a
    /// series' own value wins, as with Prometheus' external labels.
    public var externalLabels: [String: String] = [:]
    /// Seconds of data a center keeps locally (role center; nil:
    /// `storage.retention`). Shorter than the global layer's: the center only
    /// needs to answer on its own while its link is down.
    public var centerRetention: Double? = 2 * 86400
    /// How often a center writes its heartbeat series (forwarded with its
    /// data), from which the global layer tells a down link from a silent center.
    public var heartbeatInterval: Double = 5
    /// When the global layer calls a center lagging, silent, or cut off.
    public var centerThresholds = CenterTracker.Thresholds()
    /// `ha:`: HA replica pairs (nil: `replica_label` set empty, no dedup).
    public var ha: HADeduplicator.Options? = HADeduplicator.Options()
    /// Remote-write URLs a center forwards to, each independently.
    public var upstreams: [String] = []
    /// The forward log and the senders.
    public var forward = ForwardOptions()

    public init() {}

    /// Every label a center adds: the external labels and `center`.
    public var enforcedLabels: Labels {
        var all = externalLabels
        if !centerName.isEmpty { all["center"] = centerName }
        return Labels(all)
    }
}

extension ConfigReader {
    mutating func readCenter(_ node: Node, _ config: inout MeridianConfig) {
        guard let map = mapping(node, "center") else { return }
        for (key, value) in map {
            switch key.string {
            case "name":
                if let s = string(value, "center.name") { config.topology.centerName = s }
            case "external_labels":
                guard let labels = mapping(value, "center.external_labels") else { continue }
                for (name, labelValue) in labels {
                    guard let n = name.string, NameValidation.isValidLabelName(n), !n.hasPrefix("__") else {
                        problem(name, "center.external_labels: \"\(name.string ?? "?")\" is not a valid label name")
                        continue
                    }
                    if n == "center" {
                        problem(name, "center.external_labels must not set center: it is center.name")
                        continue
                    }
                    if let v = string(labelValue, "center.external_labels.\(n)"), !v.isEmpty {
                        config.topology.externalLabels[n] = v
                    }
                }
            case "retention":
                if let d = duration(value, "center.retention") { config.topology.centerRetention = d > 0 ? d : nil }
            case "heartbeat_interval":
                if let d = positiveDuration(value, "center.heartbeat_interval") { config.topology.heartbeatInterval = d.seconds }
            default: unknown(key, in: "center")
            }
        }
    }

    /// `centers:`: the thresholds of `/api/v1/centers` on a layer that receives centers' feeds.
    mutating func readCenters(_ node: Node, _ config: inout MeridianConfig) {
        guard let map = mapping(node, "centers") else { return }
        for (key, value) in map {
            switch key.string {
            case "lagging_after":
                if let d = positiveDuration(value, "centers.lagging_after") { config.topology.centerThresholds.laggingAfter = d.seconds }
            case "silent_after":
                if let d = positiveDuration(value, "centers.silent_after") { config.topology.centerThresholds.silentAfter = d.seconds }
            case "link_timeout":
                if let d = positiveDuration(value, "centers.link_timeout") { config.topology.centerThresholds.linkTimeout = d.seconds }
            default: unknown(key, in: "centers")
            }
        }
    }

    /// `ha:`: which labels mark HA replicas and clusters, and when to fail over.
    mutating func readHA(_ node: Node, _ config: inout MeridianConfig) {
        guard let map = mapping(node, "ha") else { return }
        var options = HADeduplicator.Options()
        var enabled = true
        for (key, value) in map {
            switch key.string {
            case "replica_label":
                guard let s = string(value, "ha.replica_label") else { continue }
                if s.isEmpty {
                    enabled = false
                } else if NameValidation.isValidLabelName(s) {
                    options.replicaLabel = s
                } else {
                    problem(value, "ha.replica_label: \"\(s)\" is not a valid label name")
                }
            case "cluster_label":
                guard let s = string(value, "ha.cluster_label") else { continue }
                if NameValidation.isValidLabelName(s) {
                    options.clusterLabel = s
                } else {
                    problem(value, "ha.cluster_label: \"\(s)\" is not a valid label name")
                }
            case "failover_timeout":
                if let d = positiveDuration(value, "ha.failover_timeout") { options.failoverTimeout = d.seconds }
            case "max_buffered_samples":
                if let n = positiveInteger(value, "ha.max_buffered_samples") { options.maxBufferedSamples = n }
            default: unknown(key, in: "ha")
            }
        }
        config.topology.ha = enabled ? options : nil
    }

    mutating func readForward(_ node: Node, _ config: inout MeridianConfig) {
        guard let map = mapping(node, "forward") else { return }
        for (key, value) in map {
            switch key.string {
            case "upstreams":
                guard let seq = value.sequence else {
                    problem(value, "forward.upstreams must be a list of remote-write URLs")
                    continue
                }
                var urls: [String] = []
                for item in seq {
                    guard let s = string(item, "forward.upstreams[]") else { continue }
                    do {
                        _ = try UpstreamURL(parsing: s)
                    } catch {
                        problem(item, "forward.upstreams: \(error.message)")
                    }
                    urls.append(s)
                }
                config.topology.upstreams = urls
            case "max_disk_bytes":
                if let n = size(value, "forward.max_disk_bytes", min: 0) { config.topology.forward.maxDiskBytes = n }
            case "segment_size":
                if let n = size(value, "forward.segment_size", min: 1 << 20) { config.topology.forward.segmentSize = n }
            case "shards":
                guard let n = positiveInteger(value, "forward.shards") else { continue }
                if n > ForwardRecord.maxShards {
                    problem(value, "forward.shards must be at most \(ForwardRecord.maxShards) (got \(n))")
                } else {
                    config.topology.forward.shards = n
                }
            case "max_samples_per_send":
                if let n = positiveInteger(value, "forward.max_samples_per_send") { config.topology.forward.maxSamplesPerSend = n }
            case "max_pending_samples_per_shard":
                if let n = positiveInteger(value, "forward.max_pending_samples_per_shard") {
                    config.topology.forward.maxPendingSamplesPerShard = n
                }
            case "request_timeout":
                if let d = positiveDuration(value, "forward.request_timeout") { config.topology.forward.requestTimeout = d }
            case "min_backoff":
                if let d = positiveDuration(value, "forward.min_backoff") { config.topology.forward.minBackoff = d }
            case "max_backoff":
                if let d = positiveDuration(value, "forward.max_backoff") { config.topology.forward.maxBackoff = d }
            default: unknown(key, in: "forward")
            }
        }
    }

    mutating func positiveDuration(_ node: Node, _ what: String) -> Duration? {
        guard let d = duration(node, what) else { return nil }
        guard d > 0 else {
            problem(node, "\(what) must be positive")
            return nil
        }
        return .milliseconds(Int64((d * 1000).rounded()))
    }
}

extension MeridianConfig {
    /// The checks across sections, once the file and flags are merged: a
    /// center needs a name and an upstream. `roleLine` is where the role was
    /// set in the file, for the message.
    public func topologyProblems(roleLine: Int?) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if role == .center && topology.centerName.isEmpty {
            problems.append(
                ConfigProblem(line: roleLine, message: "role center needs center.name (or --center NAME): the center label it enforces"))
        }
        if role == .center && topology.upstreams.isEmpty {
            problems.append(
                ConfigProblem(
                    line: roleLine, message: "role center needs at least one forward.upstreams URL (or --upstream URL) to forward to"))
        }
        if topology.forward.minBackoff > topology.forward.maxBackoff {
            problems.append(ConfigProblem(line: nil, message: "forward.min_backoff must not exceed forward.max_backoff"))
        }
        return problems
    }
}
