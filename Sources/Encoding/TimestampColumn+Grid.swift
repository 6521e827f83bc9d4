extension TimestampColumn {
    /// A scrape grid fitted to a column: tᵢ = t₀ + kᵢ·D + rᵢ, with k₀ = 0 and
    /// kᵢ = kᵢ₋₁ + 1 except at a few skips (missed scrapes).
    ///
    /// Prometheus scrapes each target at a fixed phase, so rᵢ is the scrape's
    /// jitter minus the first one's: ±3 ms of jitter packs in 3 bits, where a
    /// delta-of-delta (twice as wide a range) needs 4-5.
    struct Grid {
        /// The grid interval D, > 0.
        let interval: Int64

        /// Fits a grid, or nil when the column has no positive typical
        /// interval (too short, decreasing, or wrapping).
        ///
        /// Starts from the median interval, then re-estimates D from the end
        /// points over the fitted step count, which is exact to the
        /// millisecond for long columns however noisy the median, and keeps
        /// whichever of a few candidates leaves the narrowest residuals.
        init?(fitting t: [Int64]) {
            guard t.count >= 3 else { return nil }
            var intervals: [Int64] = []
            intervals.reserveCapacity(t.count - 1)
            for i in 1..<t.count {
                let (d, overflow) = t[i].subtractingReportingOverflow(t[i - 1])
                if !overflow && d > 0 { intervals.append(d) }
            }
            guard intervals.count * 2 >= t.count - 1 else { return nil }
            intervals.sort()
            let median = intervals[intervals.count / 2]
            // Keeps rounding below free of overflow.
            guard median <= Int64.max / 4 else { return nil }

            var candidates = [median]
            let steps = Grid.totalSteps(t, interval: median)
            let (span, overflow) = t[t.count - 1].subtractingReportingOverflow(t[0])
            if steps > 0 && !overflow {
                let refined = Grid.roundedQuotient(span, steps)
                for d in [refined, refined - 1, refined + 1] where d > 0 && d <= Int64.max / 4 {
                    if !candidates.contains(d) { candidates.append(d) }
                }
            }
            var best = (interval: median, cost: Int.max)
            for d in candidates {
                let cost = Grid(interval: d).estimatedBits(t)
                if cost < best.cost { best = (d, cost) }
            }
            interval = best.interval
        }

        init(interval: Int64) {
            self.interval = interval
        }

        /// a / b rounded to the nearest integer, for b > 0.
        static func roundedQuotient(_ a: Int64, _ b: Int64) -> Int64 {
            let q = a / b
            let r = a % b
            if r >= 0 { return r >= b - r ? q + 1 : q }
            return -r >= b + r ? q - 1 : q
        }

        /// The grid step from one timestamp to the next: the interval in
        /// units of D, rounded. Any value decodes correctly; this one keeps
        /// the residuals at the jitter.
        @inline(__always)
        func step(_ from: Int64, _ to: Int64) -> Int64 {
            Grid.roundedQuotient(to &- from, interval)
        }

        /// kₙ₋₁: the grid steps from the first timestamp to the last.
        static func totalSteps(_ t: [Int64], interval: Int64) -> Int64 {
            let grid = Grid(interval: interval)
            var k: Int64 = 0
            for i in 1..<t.count { k &+= grid.step(t[i - 1], t[i]) }
            return k
        }

        /// The residuals r₁ … rₙ₋₁ and the skips as (residual index, extra
        /// steps) pairs.
        func residuals(_ t: [Int64]) -> (residuals: [Int64], skips: [(index: Int, extra: Int64)]) {
            var residuals: [Int64] = []
            residuals.reserveCapacity(t.count - 1)
            var skips: [(index: Int, extra: Int64)] = []
            var k: Int64 = 0
            for i in 1..<t.count {
                let s = step(t[i - 1], t[i])
                if s != 1 { skips.append((i - 1, s &- 1)) }
                k &+= s
                residuals.append(t[i] &- t[0] &- k &* interval)
            }
            return (residuals, skips)
        }

        /// Bits the residuals would take at one fixed width, plus two bytes
        /// a skip: enough to rank candidate intervals.
        func estimatedBits(_ t: [Int64]) -> Int {
            let (residuals, skips) = residuals(t)
            var lo = residuals[0]
            var hi = residuals[0]
            for r in residuals {
                lo = min(lo, r)
                hi = max(hi, r)
            }
            let width = 64 - UInt64(bitPattern: hi &- lo).leadingZeroBitCount
            return width * residuals.count + 16 * skips.count
        }

        /// Appends t₀, D, the skips and the packed residuals.
        func encode(_ t: [Int64], to out: inout [UInt8]) {
            let (residuals, skips) = residuals(t)
            Varint.appendSigned(t[0], to: &out)
            Varint.appendSigned(interval, to: &out)
            Varint.appendUnsigned(UInt64(skips.count), to: &out)
            var last = -1
            for skip in skips {
                Varint.appendUnsigned(UInt64(skip.index - last - 1), to: &out)
                Varint.appendSigned(skip.extra, to: &out)
                last = skip.index
            }
            PackedInts.encode(residuals, to: &out)
        }
    }
}
