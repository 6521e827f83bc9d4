import Dispatch
import Testing

@testable import Storage

@Suite("WAL under concurrent appenders")
struct WALConcurrencyTests {
    /// Several threads append and commit while another cuts and syncs: every
    /// committed record replays, each thread's records in its own order.
    @Test func concurrentAppendersAllReplay() throws {
        try withTemporaryDirectory { dir in
            let threads = 4
            let perThread = 300
            let wal = try WAL(directory: dir, segmentSize: 8192, logger: LogCapture().logger)
            DispatchQueue.concurrentPerform(iterations: threads + 1) { thread in
                if thread == threads {
                    for _ in 0..<20 {
                        _ = try? wal.cut()
                        try? wal.sync()
                    }
                    return
                }
                for i in 0..<perThread {
                    let ref = UInt64(thread * 1_000_000 + i)
                    let record = WALRecord.samples(
                        (0..<Int(ref % 7 + 1)).map { RefSample(ref: ref, t: Int64($0), v: Double(i)) })
                    let position = wal.append(record)
                    do { try wal.commit(through: position) } catch { Issue.record("commit failed: \(error)") }
                }
            }
            try wal.close()

            let (replayed, stats) = try replayAll(dir)
            #expect(stats.corruptions.isEmpty)
            #expect(replayed.count == threads * perThread)
            var next = [Int](repeating: 0, count: threads)
            for record in replayed {
                guard case .samples(let samples) = record, let ref = samples.first?.ref else {
                    Issue.record("unexpected \(record)")
                    continue
                }
                let thread = Int(ref / 1_000_000)
                #expect(Int(ref % 1_000_000) == next[thread], "thread \(thread) out of order")
                next[thread] += 1
            }
            #expect(next == [Int](repeating: perThread, count: threads))
        }
    }

    /// A checkpoint written while appenders run does not lose or reorder
    /// anything they commit after the cut.
    @Test func checkpointWhileAppending() throws {
        try withTemporaryDirectory { dir in
            let wal = try WAL(directory: dir, segmentSize: 4096, logger: LogCapture().logger)
            let marker = WALRecord.series([])
            DispatchQueue.concurrentPerform(iterations: 2) { thread in
                if thread == 1 {
                    for _ in 0..<5 {
                        guard let n = try? wal.cut() else {
                            Issue.record("cut failed")
                            return
                        }
                        do { try wal.writeCheckpoint(coveringSegmentsBefore: n) { emit in try emit(marker) } } catch {
                            Issue.record("checkpoint failed: \(error)")
                        }
                    }
                    return
                }
                for i in 0..<500 {
                    try? wal.commit(through: wal.append(.samples([RefSample(ref: UInt64(i), t: 0, v: 0)])))
                }
            }
            try wal.commit(through: wal.append(.samples([RefSample(ref: 500, t: 0, v: 0)])))
            try wal.close()
            let (replayed, stats) = try replayAll(dir)
            #expect(stats.corruptions.isEmpty)
            #expect(replayed.first == marker)
            // After the checkpoint come the samples from the last cut on, in order.
            let refs = replayed.dropFirst().compactMap { record -> UInt64? in
                if case .samples(let s) = record { return s[0].ref }
                return nil
            }
            #expect(refs.last == 500)
            if let first = refs.first { #expect(refs == Array(first...500)) }
        }
    }
}
