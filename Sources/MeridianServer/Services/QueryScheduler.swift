import Foundation
import MeridianModel
import Synchronization

/// Admits, runs and stops read queries: at most `max_concurrency` at once on
/// a pool of their own (the rest wait in a bounded queue, their wait
/// counting toward their timeout), all of them together within the memory
/// cap, and every running one cancelled when the server shuts down.
///
/// Queries never run on the threads that serve HTTP and ingestion, so a
/// heavy query slows other queries, not remote-write or the health feed.
public final class QueryScheduler: Sendable {
    /// The memory every running query together may hold.
    public let memory: QueryMemoryPool
    /// The most queries that wait for a thread; more are refused with 503.
    public let maxQueued: Int
    let pool: WorkPool
    let metrics: QueryMetrics
    private let state = Mutex(State())

    private struct State {
        var active: [ObjectIdentifier: QueryContext] = [:]
        var accepting = true
    }

    /// A scheduler running at most `maxConcurrency` queries, with at most
    /// `maxQueued` waiting and `maxMemory` bytes held by all.
    public init(maxConcurrency: Int, maxQueued: Int, maxMemory: Int, metrics: QueryMetrics) {
        pool = WorkPool(name: "meridian-query", maxThreads: maxConcurrency)
        memory = QueryMemoryPool(capacity: maxMemory)
        self.maxQueued = maxQueued
        self.metrics = metrics
    }

    /// The most queries that run at once.
    public var maxConcurrency: Int { pool.maxThreads }

    /// Runs `query` on the query pool under `context`, which it registers
    /// so that shutdown can cancel it; a cancelled task (the request gone)
    /// cancels the context. The context is *not* finished here: what the
    /// result holds stays charged until the caller has written it out.
    /// - Throws: `QueryAbort` when the query is refused (shutting down, the
    ///   queue or the memory full) or stopped, or what `query` throws.
    public func run<T: Sendable>(
        _ context: QueryContext, _ query: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try admit(context)
        defer { retire(context) }
        return try await withTaskCancellationHandler {
            try await pool.run { [self] in
                metrics.queued.decrement()
                // Waiting counts toward the timeout, as in Prometheus' queue.
                try context.check()
                metrics.running.increment()
                defer { metrics.running.decrement() }
                return try query()
            }
        } onCancel: {
            context.cancel()
        }
    }

    /// Registers a query, or refuses it with the reason.
    private func admit(_ context: QueryContext) throws(QueryAbort) {
        let refusal: QueryAbort? = state.withLock { state in
            guard state.accepting else { return QueryAbort(code: .canceled, detail: "the server is shutting down") }
            // Admitted queries either run or wait, so this bounds the queue
            // however quickly the pool's threads pick queries up.
            guard state.active.count < pool.maxThreads + maxQueued else {
                return QueryAbort(
                    code: .overloaded,
                    detail: "\(state.active.count) queries are running or waiting for one of \(pool.maxThreads) threads")
            }
            guard !memory.isExhausted else {
                return QueryAbort(
                    code: .memoryLimit,
                    detail: "running queries hold \(memory.usedBytes) of the \(memory.capacity) bytes queries may use")
            }
            state.active[ObjectIdentifier(context)] = context
            return nil
        }
        if let refusal {
            metrics.refused.increment()
            throw refusal
        }
        metrics.queued.increment()
    }

    private func retire(_ context: QueryContext) {
        state.withLock { _ = $0.active.removeValue(forKey: ObjectIdentifier(context)) }
        if let code = context.abortCode { metrics.aborted(code) }
    }

    /// Stops admitting queries and cancels every running or waiting one: at
    /// shutdown, so that no query holds the server up for longer than its
    /// next check of its context.
    public func cancelAll() {
        let running = state.withLock { state in
            state.accepting = false
            return Array(state.active.values)
        }
        for context in running { context.cancel() }
    }

    /// Queries admitted and not yet finished (running or waiting).
    public var activeCount: Int { state.withLock { $0.active.count } }
}
