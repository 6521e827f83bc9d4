import Foundation
import Logging
import MeridianModel
import Storage
import Synchronization
import Testing

@testable import PromQL

/// The engine charges what a query holds before it allocates it, stops at
/// its deadline or cancellation, and gives every byte back to the pool.
@Suite struct QueryLimitTests {
    static let minute: Int64 = 60_000

    /// 50 series of `load{instance=…}`, one sample a minute for 2 hours.
    private func engine() throws -> PromQLEngine {
        let head = Head(options: HeadOptions(), wal: nil, logger: Logger(label: "test"))
        let series = (0..<50).map { i in
            (Labels(["__name__": "load", "instance": "i\(i)"]), (0...120).map { Sample(t: Int64($0) * Self.minute, v: Double(i)) })
        }
        _ = try head.append(.make(series))
        return PromQLEngine(querier: head)
    }

    private func error(of query: String, context: QueryContext, engine: PromQLEngine? = nil) throws -> QueryError? {
        let engine = try engine ?? self.engine()
        let expr = try PromQLParser.parse(query)
        do throws(QueryError) {
            _ = try engine.instant(expr, at: 120 * Self.minute, context: context)
            return nil
        } catch {
            return error
        }
    }

    @Test func aStepGridPastMaxSamplesFailsBeforeItIsAllocated() throws {
        let pool = QueryMemoryPool(capacity: 1 << 30)
        let context = QueryContext(timeout: .seconds(60), maxSamples: 1_000_000, pool: pool)
        // 2.6 × 10^12 steps: allocating them first would take the process down.
        let error = try #require(try error(of: "max_over_time(load[30d:1ms])", context: context))
        #expect(error.kind == .execution)
        #expect(error.message == "query processing would load too many samples into memory in query execution")
        #expect(context.heldSamples <= 1_000_000, "never more than the limit charged")
        context.finish()
        #expect(pool.usedBytes == 0)
    }

    /// As in Prometheus, `max_samples` bounds what is held at once: a range
    /// function reads its series one by one, so only a matrix result holds
    /// every window together.
    @Test func samplesPastMaxSamplesFailWithPrometheusError() throws {
        // 50 series × 61 samples in the hour: 3,050 samples held at once.
        let fits = QueryContext(timeout: .seconds(60), maxSamples: 4_000)
        #expect(try error(of: "load[1h]", context: fits) == nil)
        let tooSmall = QueryContext(timeout: .seconds(60), maxSamples: 2_000)
        let error = try #require(try error(of: "load[1h]", context: tooSmall))
        #expect(error.kind == .execution)
        #expect(error.message.hasPrefix("query processing would load too many samples"))
    }

    @Test func aFullMemoryPoolRefusesWith503() throws {
        // load[1h] holds 3,050 samples of 16 bytes: 48 KiB.
        let pool = QueryMemoryPool(capacity: 32 << 10)
        let context = QueryContext(timeout: .seconds(60), maxSamples: .max, pool: pool)
        let error = try #require(try error(of: "load[1h]", context: context))
        #expect(error.kind == .unavailable)
        #expect(error.message.hasPrefix("query memory limit reached; retry later"))
        context.finish()
        #expect(pool.usedBytes == 0)
    }

    @Test func everyByteGoesBackToThePoolWhenQueriesFinish() throws {
        let engine = try engine()
        let pool = QueryMemoryPool(capacity: 1 << 30)
        let queries = [
            "sum by (instance) (rate(load[5m]))", "topk(3, load)", "quantile(0.5, load)", "load * on (instance) load",
            "max_over_time(load[10m:1m])", "sort_desc(load)", "histogram_quantile(0.9, load)", "absent(nothing)",
        ]
        for query in queries {
            let context = QueryContext(timeout: .seconds(60), maxSamples: .max, pool: pool)
            _ = try engine.range(try PromQLParser.parse(query), start: 0, end: 120 * Self.minute, step: Self.minute, context: context)
            #expect(pool.usedBytes > 0, "\(query): its result is charged until finished")
            context.finish()
            #expect(pool.usedBytes == 0, "\(query)")
        }
    }

    @Test func aQueryPastItsDeadlineTimesOut() throws {
        let context = QueryContext(timeout: .zero, maxSamples: .max)
        let error = try #require(try error(of: "load", context: context))
        #expect(error.kind == .timeout)
        #expect(error.message == "query timed out in query execution")
    }

    /// A query of billions of window points, cancelled from another thread
    /// after 50 ms, stops with `canceled` (the suite's time limit fails it
    /// if it runs on).
    @Test(.timeLimit(.minutes(1))) func aCancelledQueryStops() async throws {
        let engine = try engine()
        let context = QueryContext(timeout: .seconds(600), maxSamples: .max)
        let expr = try PromQLParser.parse("sum_over_time(sum_over_time(vector(1)[1d:1s])[100d:1m])")
        let outcome = Mutex<QueryError?>(nil)
        let thread = Thread {
            do throws(QueryError) {
                _ = try engine.instant(expr, at: 200 * 86_400_000, context: context)
            } catch {
                outcome.withLock { $0 = error }
            }
        }
        thread.stackSize = 16 << 20
        thread.start()
        try await Task.sleep(for: .milliseconds(50))
        context.cancel()
        while !thread.isFinished { try await Task.sleep(for: .milliseconds(5)) }
        let error = try #require(outcome.withLock { $0 })
        #expect(error.kind == .canceled)
        #expect(error.message == "query was canceled in query execution")
    }

    @Test func clientControlledIntegersNeverTrap() throws {
        let context = QueryContext(timeout: .seconds(60), maxSamples: 50_000_000)
        let engine = try engine()
        for query in [
            "load offset 200y", "load offset -200y", "max_over_time(load[1h:1m] @ 9223372036)",
            "max_over_time(load[1h:1m] @ -9223372036)", "count_over_time(vector(1)[200y:1ms])",
            "predict_linear(load[10m], 1e300)", "round(load, 1e-300)",
        ] {
            _ = try? engine.instant(try PromQLParser.parse(query), at: 120 * Self.minute, context: context)
        }
        let error = try #require(try self.error(of: "topk(1e300, load)", context: context, engine: engine))
        #expect(error.message == "Scalar value 1e+300 overflows int64")
    }

    @Test func dataFreeExpressionsAreCountedAndOthersAreNot() throws {
        #expect(try PromQLParser.parse("vector(1)").dataFreeNodeCount(upTo: 64) == 2)
        #expect(try PromQLParser.parse("sum(vector(time())) + 1").dataFreeNodeCount(upTo: 64) == 5)
        #expect(try PromQLParser.parse("vector(1) + up").dataFreeNodeCount(upTo: 64) == nil)
        #expect(try PromQLParser.parse("max_over_time(vector(1)[1h:1m])").dataFreeNodeCount(upTo: 64) == nil)
        let long = try PromQLParser.parse(Array(repeating: "1", count: 100).joined(separator: " + "))
        #expect(try #require(long.dataFreeNodeCount(upTo: 64)) > 64, "counting stops past the limit")
    }
}
