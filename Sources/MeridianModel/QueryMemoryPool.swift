import Synchronization

/// The memory that every running query together may hold: a process-wide
/// cap, so that a burst of heavy queries fails with 503 instead of taking the
/// process (and with it ingestion and the health feed) out of memory.
///
/// Queries reserve bytes here through their ``QueryContext`` before they
/// allocate, and give them back when they finish. The figures are the
/// engine's estimates of what it holds (points, series, response bytes),
/// not the allocator's view, so the cap is a bound on planned memory.
public final class QueryMemoryPool: Sendable {
    /// The most bytes all queries together may hold.
    public let capacity: Int
    private let used = Atomic<Int>(0)

    /// A pool of `capacity` bytes.
    public init(capacity: Int) { self.capacity = capacity }

    /// A pool without a cap, for tests and tools that run one query.
    public static let unlimited = QueryMemoryPool(capacity: .max)

    /// Bytes held by running queries now.
    public var usedBytes: Int { used.load(ordering: .relaxed) }

    /// Whether the pool is full: a new query would be refused.
    public var isExhausted: Bool { usedBytes >= capacity }

    /// Takes `bytes` from the pool; false (taking nothing) when that would
    /// pass the cap.
    /// - Complexity: O(1), one atomic add.
    public func reserve(_ bytes: Int) -> Bool {
        let total = used.wrappingAdd(bytes, ordering: .relaxed).newValue
        if total > capacity || total < 0 {
            used.wrappingSubtract(bytes, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Gives back `bytes` taken by ``reserve(_:)``.
    public func release(_ bytes: Int) {
        used.wrappingSubtract(bytes, ordering: .relaxed)
    }
}
