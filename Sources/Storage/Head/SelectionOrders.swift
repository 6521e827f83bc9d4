import Synchronization

/// The label order of the head's recent selections, by the refs they
/// selected. Scoring rounds, dashboard refreshes and rules select the same
/// series every few seconds, and sorting tens of thousands of label sets
/// costs more than the rest of such a selection. The same refs always sort
/// the same way (a ref is never reused for other labels); a selection whose
/// series differ by one is sorted again.
final class SelectionOrders: Sendable {
    /// Selections smaller than this sort faster than they are looked up.
    static let minSeries = 256
    /// At most this many selections are kept, the least recently used dropped first...
    static let maxEntries = 16
    /// ...and at most this many series in all (16 bytes each).
    static let maxSeries = 1 << 20

    private struct Entry {
        let refs: [SeriesRef]
        let order: [Int]
    }

    /// Least recently used first.
    private let entries = Mutex<[Entry]>([])

    /// The positions in `refs` in label order: remembered, or from `sort`.
    func order(of refs: [SeriesRef], sort: () -> [Int]) -> [Int] {
        guard refs.count >= Self.minSeries else { return sort() }
        let remembered = entries.withLock { entries -> [Int]? in
            guard let i = entries.firstIndex(where: { $0.refs == refs }) else { return nil }
            let entry = entries.remove(at: i)
            entries.append(entry)
            return entry.order
        }
        if let remembered { return remembered }
        let order = sort()
        guard refs.count <= Self.maxSeries / 4 else { return order }
        entries.withLock { entries in
            entries.append(Entry(refs: refs, order: order))
            var total = entries.reduce(0) { $0 + $1.refs.count }
            while entries.count > Self.maxEntries || total > Self.maxSeries {
                total -= entries.removeFirst().refs.count
            }
        }
        return order
    }
}
