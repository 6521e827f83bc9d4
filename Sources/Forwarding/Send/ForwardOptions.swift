/// How a center forwards: the log's size and segments, and how each
/// upstream is sent to. Built from the config's `forward:` section.
public struct ForwardOptions: Sendable, Equatable {
    /// Bytes of one log segment file.
    public var segmentSize = 64 << 20
    /// Bytes the log may take on disk; past it the oldest segments are
    /// deleted and what upstreams had not received is reported as given up.
    /// 0: no limit but the disk.
    public var maxDiskBytes = 10 << 30
    /// Connections (and sender threads) per upstream; each series always goes
    /// through the same one, so its samples arrive in order.
    public var shards = 4
    /// Samples in one request at most (a record bigger than this is split at series boundaries).
    public var maxSamplesPerSend = 5_000
    /// Samples read ahead and waiting per shard; the reader stops there.
    public var maxPendingSamplesPerShard = 50_000
    public var connectTimeout: Duration = .seconds(5)
    public var requestTimeout: Duration = .seconds(30)
    public var minBackoff: Duration = .milliseconds(100)
    public var maxBackoff: Duration = .seconds(5)
    /// How often cursors are saved and acknowledged segments deleted.
    public var cursorSaveInterval: Duration = .seconds(1)

    public init() {}
}

/// Receives what the senders do, for metrics: the Forwarding target stays
/// free of a metrics library, and the server maps these to its registry.
public protocol ForwardObserver: Sendable {
    /// A request was accepted (2xx) after `seconds`; its oldest record had
    /// been acknowledged by the center `delaySeconds` before.
    func sent(upstream: String, samples: Int, seconds: Double, delaySeconds: Double)
    /// An attempt failed and will be retried (`reason`: `http_503`, `http_429`, `connect`, `io`, ...).
    func retried(upstream: String, reason: String)
    /// Samples that will never reach the upstream (`reason`: `http_400` and
    /// the other refusals of ``UpstreamSender/refusals``, `disk_budget`,
    /// `corrupt_record`).
    func dropped(upstream: String, samples: Int, reason: String)
}
