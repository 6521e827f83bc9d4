/// Tuning of the in-memory head.
public struct HeadOptions: Sendable {
    /// Lock stripes for series (a power of two). More stripes, less contention
    /// between concurrent remote-write requests.
    public var stripeCount: Int = 16
    /// A chunk is closed after this many samples (Prometheus uses 120: about
    /// 30 minutes at a 15 s scrape interval, where XOR compression has paid off).
    public var samplesPerChunk: Int = 120
    /// Chunks never straddle a multiple of this range (milliseconds); it equals
    /// the block span so a block cut never splits a chunk.
    public var chunkRange: Int64 = 2 * 3600 * 1000
    /// How far (milliseconds) behind the head's newest sample an out-of-order
    /// sample may be and still be accepted: a center's queue replaying a backlog
    /// after a partition heals lands here. 0 refuses every out-of-order sample.
    public var outOfOrderWindow: Int64 = 2 * 3600 * 1000

    /// The defaults.
    public init() {}
}
