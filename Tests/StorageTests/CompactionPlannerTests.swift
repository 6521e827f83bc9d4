import MeridianModel
import Testing

@testable import Storage

@Suite struct CompactionPlannerTests {
    static let hour: Int64 = 3_600_000
    let planner = CompactionPlanner(ranges: [2 * hour, 6 * hour, 24 * hour])

    /// A level-1 block over `[from, to)` hours; IDs increase with each call's `n`.
    private func block(_ from: Int64, _ to: Int64, n: Int = 0) -> BlockMeta {
        let id = BlockID(milliseconds: UInt64(1_700_000_000_000 + from * 10 + Int64(n)), randomHigh: 0, randomLow: UInt64(n))
        return BlockMeta(
            id: id, minTime: from * Self.hour, maxTime: to * Self.hour,
            stats: .init(series: 1, samples: 1, chunks: 1, timestampColumns: 1),
            compaction: .init(level: 1, sources: [id], parents: []))
    }

    private func spans(_ plan: [BlockMeta]?) -> [[Int64]] {
        (plan ?? []).map { [$0.minTime / Self.hour, $0.maxTime / Self.hour] }
    }

    @Test func mergesAWindowOnceItsBlocksCoverIt() {
        let three = [block(0, 2), block(2, 4), block(4, 6), block(6, 8)]
        #expect(spans(planner.plan(three)) == [[0, 2], [2, 4], [4, 6]])
    }

    @Test func leavesTheNewestBlockAndAnUnfinishedWindowAlone() {
        #expect(planner.plan([block(0, 2), block(2, 4), block(4, 6)]) == nil, "the newest block is [4, 6)")
        #expect(planner.plan([block(0, 2), block(2, 4)]) == nil)
        #expect(planner.plan([block(0, 2)]) == nil)
        #expect(planner.plan([]) == nil)
    }

    @Test func mergesAWindowWithGapsOnceNewerDataStartsPastIt() {
        #expect(spans(planner.plan([block(0, 2), block(2, 4), block(10, 12)])) == [[0, 2], [2, 4]])
        #expect(planner.plan([block(0, 2), block(2, 4), block(4, 6)]) == nil)
    }

    @Test func climbsTheLadderToADay() {
        let sixes = [block(0, 6), block(6, 12), block(12, 18), block(18, 24), block(24, 26)]
        #expect(spans(planner.plan(sixes)) == [[0, 6], [6, 12], [12, 18], [18, 24]])
        #expect(planner.plan([block(0, 6), block(6, 12), block(12, 18)]) == nil)
        #expect(planner.plan([block(0, 24), block(24, 30), block(30, 32)]) == nil, "one block per window")
    }

    @Test func mergesOverlappingBlocksFirst() {
        let blocks = [block(0, 2), block(2, 4), block(4, 6), block(6, 8), block(2, 4, n: 1), block(3, 5, n: 2)]
        #expect(spans(planner.plan(blocks)) == [[2, 4], [2, 4], [3, 5], [4, 6]])
        #expect(spans(planner.plan([block(0, 24), block(4, 6)])) == [[0, 24], [4, 6]], "a late block in a merged day")
    }

    @Test func laddersFollowTheBlockRangeAndStopAtATenthOfRetention() {
        let h = Self.hour
        #expect(CompactionPlanner.ranges(blockRange: 2 * h, retention: 15 * 24 * h) == [2 * h, 6 * h, 24 * h])
        #expect(CompactionPlanner.ranges(blockRange: 2 * h, retention: 0) == [2 * h, 6 * h, 24 * h])
        #expect(CompactionPlanner.ranges(blockRange: 2 * h, retention: 100 * h) == [2 * h, 6 * h])
        #expect(CompactionPlanner.ranges(blockRange: 2 * h, retention: 24 * h) == [2 * h])
    }
}
