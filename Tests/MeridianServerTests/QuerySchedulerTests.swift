import Foundation
import MeridianModel
import Prometheus
import Synchronization
import Testing

@testable import MeridianServer

/// The bounded pools that queries and maintenance run on.
@Suite struct QuerySchedulerTests {
    /// Blocks the calling pool thread until `gate` opens, counting how many
    /// jobs are inside at once.
    final class Gate: Sendable {
        private let open = Atomic<Bool>(false)
        let inside = Atomic<Int>(0)
        let mostInside = Atomic<Int>(0)

        func pass() {
            let now = inside.add(1, ordering: .relaxed).newValue
            _ = mostInside.max(now, ordering: .relaxed)
            while !open.load(ordering: .relaxed) { usleep(1_000) }
            inside.subtract(1, ordering: .relaxed)
        }

        func release() { open.store(true, ordering: .relaxed) }
    }

    @Test(.timeLimit(.minutes(1))) func aWorkPoolRunsAtMostItsThreadsAtOnceAndEveryJob() async throws {
        let pool = WorkPool(name: "test", maxThreads: 3)
        let gate = Gate()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<12 {
                group.addTask { try await pool.run { gate.pass(); return i } }
            }
            while gate.inside.load(ordering: .relaxed) < 3 { try await Task.sleep(for: .milliseconds(2)) }
            #expect(pool.queuedCount == 9)
            gate.release()
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<12))
        #expect(gate.mostInside.load(ordering: .relaxed) == 3)
    }

    @Test func aWorkPoolPassesErrorsBack() async throws {
        struct Failure: Error {}
        let pool = WorkPool(name: "test", maxThreads: 1)
        await #expect(throws: Failure.self) { try await pool.run { throw Failure() } }
        #expect(try await pool.run { 7 } == 7)
    }

    @Test(.timeLimit(.minutes(1))) func queriesPastTheThreadsAndTheQueueAreRefused() async throws {
        let scheduler = QueryScheduler(
            maxConcurrency: 1, maxQueued: 1, maxMemory: 1 << 30, metrics: QueryMetrics(registry: PrometheusCollectorRegistry()))
        let gate = Gate()
        async let first: Void = scheduler.run(Self.context()) { gate.pass() }
        async let second: Void = scheduler.run(Self.context()) { gate.pass() }
        while scheduler.activeCount < 2 { try await Task.sleep(for: .milliseconds(2)) }
        do {
            try await scheduler.run(Self.context()) {}
            Issue.record("a third query was admitted with 1 thread and 1 place in the queue")
        } catch let abort as QueryAbort {
            #expect(abort.code == .overloaded)
            #expect(abort.description.hasPrefix("too many queries waiting to run; retry later"))
        }
        gate.release()
        _ = try await (first, second)
        #expect(scheduler.activeCount == 0)
        try await scheduler.run(Self.context()) {}
    }

    @Test(.timeLimit(.minutes(1))) func aFullMemoryPoolRefusesNewQueries() async throws {
        let scheduler = QueryScheduler(
            maxConcurrency: 2, maxQueued: 2, maxMemory: 1_000, metrics: QueryMetrics(registry: PrometheusCollectorRegistry()))
        let holder = QueryContext(timeout: .seconds(60), maxSamples: .max, pool: scheduler.memory)
        try holder.reserve(bytes: 1_000)
        await #expect(throws: QueryAbort.self) { try await scheduler.run(Self.context(pool: scheduler.memory)) {} }
        holder.finish()
        try await scheduler.run(Self.context(pool: scheduler.memory)) {}
    }

    @Test(.timeLimit(.minutes(1))) func cancelAllStopsRunningQueriesAndRefusesNewOnes() async throws {
        let scheduler = QueryScheduler(
            maxConcurrency: 2, maxQueued: 2, maxMemory: 1 << 30, metrics: QueryMetrics(registry: PrometheusCollectorRegistry()))
        let context = Self.context()
        let running = Task {
            try await scheduler.run(context) {
                while !context.isInterrupted { usleep(1_000) }
                try context.check()
            }
        }
        while scheduler.activeCount < 1 { try await Task.sleep(for: .milliseconds(2)) }
        scheduler.cancelAll()
        await #expect(throws: QueryAbort.self) { try await running.value }
        #expect(context.abortCode == .canceled)
        await #expect(throws: QueryAbort.self) { try await scheduler.run(Self.context()) {} }
    }

    static func context(pool: QueryMemoryPool = .unlimited) -> QueryContext {
        QueryContext(timeout: .seconds(60), maxSamples: .max, pool: pool)
    }
}
