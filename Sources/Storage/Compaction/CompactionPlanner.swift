import MeridianModel

/// Decides which blocks to merge next, from their metas alone (no file is
/// opened), so the rules can be tested on their own.
///
/// Two kinds of merge, overlapping blocks first:
/// - **Vertical:** blocks whose time ranges overlap are merged into one block
///   over the union of their ranges. A flush into a range that already has a
///   block, or out-of-order samples cut after their range was written, make
///   such blocks; reads merge them meanwhile.
/// - **Level:** for each range after the first (2 h → 6 h → 24 h by default),
///   the blocks lying inside one aligned window of that range are merged once
///   the window is done: either its blocks cover it end to end, or a newer
///   block starts at or after its end (so the head has moved past it).
///
/// Like Prometheus, the newest block is never part of a level merge, so a
/// block just cut stays small while its window may still grow.
public struct CompactionPlanner: Sendable {
    /// The block spans to build, shortest first; the first is the span of a
    /// block cut from the head (``StoreOptions/blockRange``).
    public let ranges: [Int64]

    /// A planner over `ranges` (at least one, each a multiple of the one before).
    public init(ranges: [Int64]) {
        precondition(!ranges.isEmpty && ranges.allSatisfy { $0 > 0 }, "compaction ranges must be positive")
        for (smaller, larger) in zip(ranges, ranges.dropFirst()) {
            precondition(larger % smaller == 0, "each compaction range must be a multiple of the one before")
        }
        self.ranges = ranges
    }

    /// The default ladder for `blockRange`: ×1, ×3, ×12 (2 h → 6 h → 24 h),
    /// keeping only spans up to a tenth of `retention` (as Prometheus caps
    /// its block size), so retention deletes data in small enough steps.
    public static func ranges(blockRange: Int64, retention: Int64) -> [Int64] {
        let ladder = [blockRange, blockRange * 3, blockRange * 12]
        guard retention > 0 else { return ladder }
        return [blockRange] + ladder.dropFirst().filter { $0 <= retention / 10 }
    }

    /// The next group of blocks to merge into one, oldest first; nil when
    /// there is nothing to do.
    /// - Complexity: O(n log n) for n blocks.
    public func plan(_ blocks: [BlockMeta]) -> [BlockMeta]? {
        let sorted = blocks.sorted { ($0.minTime, $0.id) < ($1.minTime, $1.id) }
        if let overlapping = firstOverlappingGroup(sorted) { return overlapping }
        guard let newest = sorted.max(by: { ($0.maxTime, $0.id) < ($1.maxTime, $1.id) }) else { return nil }
        let candidates = sorted.filter { $0.id != newest.id }
        for range in ranges.dropFirst() {
            if let group = firstCompleteWindow(candidates, range: range, newestStart: newest.minTime) {
                return group
            }
        }
        return nil
    }

    /// The first run of two or more blocks that overlap one another
    /// (transitively), in min-time order.
    private func firstOverlappingGroup(_ sorted: [BlockMeta]) -> [BlockMeta]? {
        var group: [BlockMeta] = []
        var groupEnd = Int64.min
        for block in sorted {
            if block.minTime < groupEnd {
                group.append(block)
                groupEnd = max(groupEnd, block.maxTime)
                continue
            }
            if group.count > 1 { return group }
            group = [block]
            groupEnd = block.maxTime
        }
        return group.count > 1 ? group : nil
    }

    /// The oldest window of `range` holding two or more blocks, all inside
    /// it, that is done: covered end to end, or behind the newest block.
    private func firstCompleteWindow(_ sorted: [BlockMeta], range: Int64, newestStart: Timestamp) -> [BlockMeta]? {
        var windows: [Int64: [BlockMeta]] = [:]
        for block in sorted {
            let start = floorDiv(block.minTime, range) * range
            // A block reaching past the window is as large as the window or
            // straddles it; it is not merged at this level.
            guard block.maxTime <= start + range else { continue }
            windows[start, default: []].append(block)
        }
        for start in windows.keys.sorted() {
            let group = windows[start]!
            guard group.count > 1 else { continue }
            let covered = group.first!.minTime == start && group.map(\.maxTime).max()! == start + range
            if covered || start + range <= newestStart { return group }
        }
        return nil
    }
}
