import Synchronization

/// What one read request (a PromQL query, a series or label lookup) may
/// still spend, and whether it should stop: Meridian's counterpart of the Go
/// `context.Context` Prometheus threads through a query.
///
/// - Time: a deadline, a cancellation (the client left, the server is
///   shutting down), checked by every loop that can run long, in the engine
///   and in storage (postings expansion, regex matching over label values).
/// - Memory: samples held, against the query's `max_samples` (Prometheus'
///   `--query.max-samples` semantics), and the bytes behind them, against the
///   process-wide ``QueryMemoryPool``. Both are charged *before* the
///   allocation they stand for, so a query that would be too big fails at
///   once instead of allocating first.
///
/// Thread-safe: every counter is atomic, so subqueries and storage share one
/// context. ``finish()`` (or deinit) gives the query's bytes back to the pool.
public final class QueryContext: Sendable {
    /// The bytes one held sample or point stands for: a `Sample` or an
    /// engine step point (an 8-byte time or step and an 8-byte value).
    public static let bytesPerSample = 16

    /// When the query must have finished.
    public let deadline: ContinuousClock.Instant
    /// The most samples the query may hold at once.
    public let maxSamples: Int
    private let pool: QueryMemoryPool
    /// Whether the client is gone (its connection closed): polled, because
    /// the query runs on a thread of its own, not on the connection's.
    private let clientGone: (@Sendable () -> Bool)?
    private let samples = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)
    /// A ``QueryAbort/Code`` raw value once the query is stopped, 0 before.
    private let stopped = Atomic<UInt8>(0)

    /// A context that times out after `timeout`, holds at most `maxSamples`
    /// samples, and reserves its bytes from `pool`.
    public init(
        timeout: Duration, maxSamples: Int, pool: QueryMemoryPool = .unlimited,
        clientGone: (@Sendable () -> Bool)? = nil
    ) {
        deadline = .now + timeout
        self.maxSamples = maxSamples
        self.pool = pool
        self.clientGone = clientGone
    }

    /// A context without limits, for callers outside any request (tests,
    /// compaction tools, the export of everything).
    public static func unlimited() -> QueryContext {
        QueryContext(timeout: .seconds(100 * 365 * 86_400), maxSamples: .max)
    }

    deinit { pool.release(bytes.load(ordering: .relaxed)) }

    // MARK: - Time

    /// Whether the query should stop: cancelled, past its deadline, or its
    /// client gone. Cheap enough for inner loops (an atomic load and a clock
    /// read); code that cannot throw breaks out of its loop on true and lets
    /// its caller ``check()``.
    public var isInterrupted: Bool {
        if stopped.load(ordering: .relaxed) != 0 { return true }
        if ContinuousClock.now > deadline {
            stop(.timeout)
            return true
        }
        if let clientGone, clientGone() {
            stop(.canceled)
            return true
        }
        return false
    }

    /// Throws why the query must stop, if it must.
    public func check() throws(QueryAbort) {
        guard isInterrupted else { return }
        throw QueryAbort(code: QueryAbort.Code(rawValue: stopped.load(ordering: .relaxed)) ?? .canceled)
    }

    /// Stops the query from outside: the next ``check()`` throws `.canceled`
    /// (unless it had already stopped for another reason).
    public func cancel() { stop(.canceled) }

    /// The reason the query was stopped, if it was.
    public var abortCode: QueryAbort.Code? { QueryAbort.Code(rawValue: stopped.load(ordering: .relaxed)) }

    private func stop(_ code: QueryAbort.Code) {
        _ = stopped.compareExchange(expected: 0, desired: code.rawValue, ordering: .relaxed)
    }

    // MARK: - Memory

    /// Samples (or points) held now.
    public var heldSamples: Int { samples.load(ordering: .relaxed) }

    /// Bytes reserved from the pool now.
    public var heldBytes: Int { bytes.load(ordering: .relaxed) }

    /// Counts `count` more samples about to be held, and their bytes.
    /// - Throws: `.tooManySamples` past ``maxSamples`` (Prometheus' 422),
    ///   `.memoryLimit` when the pool is full (503). Nothing is counted then.
    public func takeSamples(_ count: Int) throws(QueryAbort) {
        let (total, overflow) = samples.load(ordering: .relaxed).addingReportingOverflow(count)
        let (size, sizeOverflow) = count.multipliedReportingOverflow(by: Self.bytesPerSample)
        if overflow || sizeOverflow || total > maxSamples {
            stop(.tooManySamples)
            throw QueryAbort(code: .tooManySamples)
        }
        try reserve(bytes: size)
        samples.add(count, ordering: .relaxed)
    }

    /// Counts `count` samples no longer held.
    public func releaseSamples(_ count: Int) {
        samples.subtract(count, ordering: .relaxed)
        release(bytes: count * Self.bytesPerSample)
    }

    /// Reserves `count` bytes from the process-wide pool before allocating them.
    /// - Throws: `.memoryLimit` when the pool cannot give them.
    public func reserve(bytes count: Int) throws(QueryAbort) {
        guard count > 0 else { return }
        guard pool.reserve(count) else {
            stop(.memoryLimit)
            throw QueryAbort(
                code: .memoryLimit,
                detail: "running queries hold \(pool.usedBytes) of the \(pool.capacity) bytes queries may use")
        }
        bytes.add(count, ordering: .relaxed)
    }

    /// Gives back bytes reserved by ``reserve(bytes:)``.
    public func release(bytes count: Int) {
        guard count > 0 else { return }
        bytes.subtract(count, ordering: .relaxed)
        pool.release(count)
    }

    /// Gives every byte the query still holds back to the pool; the query
    /// holds nothing after this. Safe to call more than once.
    public func finish() {
        samples.store(0, ordering: .relaxed)
        pool.release(bytes.exchange(0, ordering: .relaxed))
    }
}

/// Why a query stopped before its end.
public struct QueryAbort: Error, Sendable, CustomStringConvertible {
    /// The kinds of stop, which the API maps to Prometheus' error types.
    public enum Code: UInt8, Sendable {
        /// Past its deadline (Prometheus: 503, `timeout`).
        case timeout = 1
        /// Cancelled: the client left or the server is shutting down (`canceled`).
        case canceled
        /// More samples than `max_samples` (Prometheus: 422, `execution`).
        case tooManySamples
        /// The memory all running queries may hold is used up (503, `unavailable`).
        case memoryLimit
        /// Too many queries are already waiting to run (503, `unavailable`).
        case overloaded
    }

    public let code: Code
    /// What was being done or measured, appended to the message.
    public let detail: String?

    public init(code: Code, detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    /// Prometheus 2.42's words where it has the same error.
    public var description: String {
        let base: String
        switch code {
        case .timeout: base = "query timed out in query execution"
        case .canceled: base = "query was canceled in query execution"
        case .tooManySamples: base = "query processing would load too many samples into memory in query execution"
        case .memoryLimit: base = "query memory limit reached; retry later"
        case .overloaded: base = "too many queries waiting to run; retry later"
        }
        return detail.map { "\(base) (\($0))" } ?? base
    }
}
