import Logging
import MeridianModel
import Synchronization

/// The in-memory part of the store: every series with its recent samples in
/// compressed chunks, an inverted index, and the WAL that makes appends durable.
///
/// Series live in stripes chosen by their labels hash; a remote-write request
/// locks each stripe it touches once. The index has its own lock; the lock
/// order is always stripe, then index, then the WAL's.
public final class Head: Sendable {
    let options: HeadOptions
    let stripes: [Stripe]
    let index = Mutex(HeadIndex())
    /// The label order of recent selections (see ``SelectionOrders``).
    let selectionOrders = SelectionOrders()
    let wal: WAL?
    let logger: Logger
    private let stripeShift: UInt64

    /// Creates an empty head. With a `wal`, appends are logged to it and
    /// acknowledged only once written; call ``replay(from:)`` first to recover.
    public init(options: HeadOptions = HeadOptions(), wal: WAL?, logger: Logger) {
        precondition(options.stripeCount > 0 && options.stripeCount & (options.stripeCount - 1) == 0)
        self.options = options
        self.stripes = (0..<options.stripeCount).map { _ in Stripe() }
        self.wal = wal
        self.logger = logger
        self.stripeShift = UInt64(64 - options.stripeCount.trailingZeroBitCount)
    }

    /// The stripe of a labels hash: its top bits (the slot table uses the low ones).
    @inline(__always)
    func stripeIndex(of hash: UInt64) -> Int {
        stripeShift == 64 ? 0 : Int(truncatingIfNeeded: hash >> stripeShift)
    }

    /// The number of series in the head.
    public var seriesCount: Int { index.withLock { $0.postings.all.count } }

    /// Series in the head with label `name` = `value` (say, one center's).
    /// - Complexity: O(1).
    public func seriesCount(label name: String, value: String) -> Int {
        index.withLock { $0.postings.postings(name, value).count }
    }

    /// Oldest and newest sample time in the head, nil when empty.
    public var timeRange: ClosedRange<Timestamp>? {
        index.withLock { state in
            state.minTime <= state.maxTime ? state.minTime...state.maxTime : nil
        }
    }
}

/// One lock stripe: the series whose labels hash falls in it.
final class Stripe: Sendable {
    let state = Mutex(StripeState())
}

struct StripeState {
    var slots = HashSlots()
    var series: [MemSeries] = []

    /// The slot of the series with exactly the labels of `batch.series[i]`.
    func find(batch: SampleBatch, series i: Int) -> Int32? {
        slots.first(of: batch.series[i].labelsHash) { series[Int($0)].labels.equals(batch: batch, series: i) }
    }

    /// The slot of the series with these packed labels.
    func find(hash: UInt64, labels: PackedLabels) -> Int32? {
        slots.first(of: hash) { series[Int($0)].labels == labels }
    }

    mutating func insert(_ s: MemSeries) -> Int32 {
        let slot = Int32(series.count)
        series.append(s)
        slots.insert(s.hash, slot)
        return slot
    }
}

/// Where a series lives: its stripe and its slot in that stripe.
struct SeriesLocation {
    let stripe: UInt16
    let slot: Int32
}

/// The head's index: postings, ref -> location, and the time range.
struct HeadIndex {
    var postings = MemPostings()
    /// Indexed by ref; ref 0 is never used.
    var locations: [SeriesLocation?] = [nil]
    var minTime: Timestamp = .max
    var maxTime: Timestamp = .min

    var nextRef: SeriesRef { SeriesRef(locations.count) }

    mutating func register(_ ref: SeriesRef, labels: Labels, at location: SeriesLocation) {
        let i = Int(ref)
        if i >= locations.count { locations.append(contentsOf: repeatElement(nil, count: i - locations.count + 1)) }
        locations[i] = location
        postings.add(ref, labels)
    }

    mutating func observe(_ mint: Timestamp, _ maxt: Timestamp) {
        if mint < minTime { minTime = mint }
        if maxt > maxTime { maxTime = maxt }
    }
}
