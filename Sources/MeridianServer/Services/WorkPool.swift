import Foundation

/// A bounded set of threads that run blocking work (queries, block writes,
/// compaction) from one FIFO queue, so that neither a burst of requests
/// starts a thread each nor blocking work holds one of the few threads that
/// serve HTTP and ingestion.
///
/// Threads start when work arrives and none is idle, up to `maxThreads`,
/// and end after ``idleTimeout`` without work: an idle server holds none.
/// Each has a large stack, because the PromQL evaluator recurses once per
/// level of a query's tree (up to the parser's nesting limit).
public final class WorkPool: @unchecked Sendable {
    // State is guarded by `condition`'s lock.
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var head = 0
    private var threads = 0
    private var idle = 0
    private var started = 0

    /// The name of the pool's threads (`meridian-query-3`).
    public let name: String
    /// The most threads the pool runs at once: the most jobs in progress.
    public let maxThreads: Int
    /// How long an idle thread waits for work before it ends.
    public let idleTimeout: TimeInterval
    /// Each thread's stack size.
    static let stackSize = 16 << 20

    /// A pool of at most `maxThreads` threads named after `name`.
    public init(name: String, maxThreads: Int, idleTimeout: TimeInterval = 30) {
        precondition(maxThreads > 0, "a work pool needs at least one thread")
        self.name = name
        self.maxThreads = maxThreads
        self.idleTimeout = idleTimeout
    }

    /// Jobs waiting for a thread.
    public var queuedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count - head
    }

    /// Jobs running now.
    public var runningCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return threads - idle
    }

    /// Runs `work` on a pool thread once one is free, in arrival order, and
    /// returns its result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Queues `job`; starts a thread for it when none is idle and the pool may grow.
    /// - Complexity: O(1) amortized.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(job)
        // Each idle thread takes one waiting job; start one more while the
        // waiting jobs outnumber them.
        let startThread = queue.count - head > idle && threads < maxThreads
        if startThread {
            threads += 1
            started += 1
        }
        let number = started
        condition.signal()
        condition.unlock()
        if startThread {
            let thread = Thread { [self] in work() }
            thread.name = "\(name)-\(number)"
            thread.stackSize = Self.stackSize
            thread.start()
        }
    }

    /// A thread's life: take jobs until none comes for ``idleTimeout``.
    private func work() {
        condition.lock()
        while true {
            if head < queue.count {
                let job = queue[head]
                head += 1
                if head == queue.count {
                    queue.removeAll(keepingCapacity: true)
                    head = 0
                }
                condition.unlock()
                job()
                condition.lock()
                continue
            }
            idle += 1
            let signalled = condition.wait(until: Date(timeIntervalSinceNow: idleTimeout))
            idle -= 1
            if !signalled && head == queue.count {
                threads -= 1
                condition.unlock()
                return
            }
        }
    }
}
