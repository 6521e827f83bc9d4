import MeridianModel

/// The head's handle for a series: dense, allocated in increasing order as series
/// are created, never reused while the process runs.
public typealias SeriesRef = UInt64

/// A series as the WAL records it: its ref and labels.
public struct RefSeries: Sendable, Equatable {
    public var ref: SeriesRef
    public var labels: Labels

    public init(ref: SeriesRef, labels: Labels) {
        self.ref = ref
        self.labels = labels
    }
}

/// A sample of a series, by ref, as the WAL records it.
public struct RefSample: Sendable, Equatable {
    public var ref: SeriesRef
    public var t: Timestamp
    public var v: Double

    public init(ref: SeriesRef, t: Timestamp, v: Double) {
        self.ref = ref
        self.t = t
        self.v = v
    }

    /// Equal when ref and timestamp match and the values have the same bits.
    public static func == (lhs: RefSample, rhs: RefSample) -> Bool {
        lhs.ref == rhs.ref && lhs.t == rhs.t && lhs.v.bitPattern == rhs.v.bitPattern
    }
}

/// A whole encoded chunk of a series, as a checkpoint records it: the checkpoint
/// keeps the head's compressed chunks instead of replaying every sample.
public struct RefChunk: Sendable, Equatable {
    public var ref: SeriesRef
    /// Time of the first and last sample in the chunk.
    public var minTime: Timestamp
    public var maxTime: Timestamp
    /// Number of samples encoded in `bytes`.
    public var sampleCount: Int
    /// The chunk encoding (1 = XOR, see docs/format/chunk.md).
    public var encoding: UInt8
    /// The encoded chunk.
    public var bytes: [UInt8]

    public init(ref: SeriesRef, minTime: Timestamp, maxTime: Timestamp, sampleCount: Int, encoding: UInt8, bytes: [UInt8]) {
        self.ref = ref
        self.minTime = minTime
        self.maxTime = maxTime
        self.sampleCount = sampleCount
        self.encoding = encoding
        self.bytes = bytes
    }
}
