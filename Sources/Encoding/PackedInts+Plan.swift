extension PackedInts {
    /// Rice is kept only when it saves at least 1/`riceMargin` of the
    /// fixed-width bits: its unary pass costs about as much again to decode,
    /// which a percent or two of size does not pay for.
    static let riceMargin = 32

    /// The cheapest plan under a bit-cost model of the format.
    ///
    /// Looks at all values at once, as block writing allows:
    /// - scale: the gcd of all differences (memory sizes in pages, values in
    ///   tenths), when no difference overflows;
    /// - base: one of the four smallest values, so that up to three values
    ///   far below the rest (counter resets) become patches instead of
    ///   stretching every slot;
    /// - fixed width: every width up to the widest value, costed from a
    ///   histogram of value widths, patches included;
    /// - Rice, at the best base: three parameters around log2 of the mean,
    ///   for skewed values such as the increments of a rarely hit bucket.
    ///
    /// - Complexity: O(n) for n values (a constant number of passes, no
    ///   allocation beyond a few small arrays).
    static func plan(for values: [Int64]) -> Plan {
        var lo = values[0]
        var hi = values[0]
        for v in values {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        var scale: UInt64 = 1
        let (range, overflow) = hi.subtractingReportingOverflow(lo)
        if !overflow && range > 0 {
            var g: UInt64 = 0
            for v in values {
                g = gcd(g, UInt64(v &- lo))
                if g == 1 { break }
            }
            scale = g
        }

        var best = Plan(scale: scale, base: lo)
        var bestCost = Int.max
        var bestFixed = Int.max
        for base in smallestValues(values) {
            let plan = Plan(scale: scale, base: base)
            let (width, bits) = bestFixedWidth(values, plan)
            let cost = headerBits(plan) + bits
            if cost < bestCost {
                bestCost = cost
                bestFixed = bits
                best = plan
                best.width = width
            }
        }
        let fixed = best
        for k in riceCandidates(values, fixed) {
            let plan = Plan(rice: true, width: k, scale: scale, base: fixed.base)
            let bits = riceCost(values, plan)
            if headerBits(plan) + bits < bestCost && bits * riceMargin <= bestFixed * (riceMargin - 1) {
                bestCost = headerBits(plan) + bits
                best = plan
            }
        }
        return best
    }

    /// Bits of the mode byte, scale and base.
    static func headerBits(_ plan: Plan) -> Int {
        8 * (1 + Varint.size(Varint.zigzag(plan.base)) + (plan.scale > 1 ? Varint.size(plan.scale) : 0))
    }

    /// Up to four of the smallest values, distinct, smallest first.
    static func smallestValues(_ values: [Int64]) -> [Int64] {
        var s = (Int64.max, Int64.max, Int64.max, Int64.max)
        for v in values where v < s.3 && v != s.0 && v != s.1 && v != s.2 {
            if v < s.0 {
                s = (v, s.0, s.1, s.2)
            } else if v < s.1 {
                s = (s.0, v, s.1, s.2)
            } else if v < s.2 {
                s = (s.0, s.1, v, s.2)
            } else {
                s.3 = v
            }
        }
        // Int64.max stands for "none", unless it is a value.
        return [s.0, s.1, s.2, s.3].enumerated().filter { $0.offset == 0 || $0.element != .max }.map(\.element)
    }

    /// Bytes of the zig-zag varint of a patch's high part that holds
    /// `excess` magnitude bits (0 for the high parts 0 and -1).
    @inline(__always)
    static func highPartBytes(excess: Int) -> Int {
        (excess + 1 + 6) / 7
    }

    /// The width with the fewest bits under `plan`'s base and scale, and
    /// those bits (slots and patches, not the fixed header).
    static func bestFixedWidth(_ values: [Int64], _ plan: Plan) -> (width: Int, bits: Int) {
        // Counts of values by bit width; values below the base (always
        // patched) by the width of their complement, in the upper half.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 130) { counts in
            counts.initialize(repeating: 0)
            var widest = 0
            var widestNegative = -1
            for y in values {
                let u = slotValue(y, plan)
                if u >= 0 {
                    let w = 64 &- u.leadingZeroBitCount
                    counts[w] &+= 1
                    widest = max(widest, w)
                } else {
                    let w = 64 &- (~u).leadingZeroBitCount
                    counts[65 &+ w] &+= 1
                    widestNegative = max(widestNegative, w)
                }
            }
            var best = (width: 0, bits: Int.max)
            for w in 0...min(widest, 63) {
                var bits = values.count &* w
                // A position gap of one byte: patches are rare or close.
                if w < widest {
                    for need in (w + 1)...widest where counts[need] > 0 {
                        bits &+= counts[need] &* 8 &* (1 &+ highPartBytes(excess: need &- w))
                    }
                }
                if widestNegative >= 0 {
                    for need in 0...widestNegative where counts[65 + need] > 0 {
                        bits &+= counts[65 + need] &* 8 &* (1 &+ highPartBytes(excess: max(0, need &- w)))
                    }
                }
                if bits < best.bits { best = (w, bits) }
            }
            return best
        }
    }

    /// Rice parameters worth costing: around log2 of the mean slot value,
    /// which is where a Rice code of geometric-like data is cheapest.
    static func riceCandidates(_ values: [Int64], _ plan: Plan) -> [Int] {
        var sum: UInt64 = 0
        var count: UInt64 = 0
        for y in values {
            let u = slotValue(y, plan)
            // Ignore what will be patched anyway, and keep the sum from
            // overflowing.
            guard u >= 0 && u < 1 << 40 else { continue }
            sum &+= UInt64(u)
            count &+= 1
        }
        guard count > 0 else { return [] }
        let mean = sum / count
        let k = max(0, 63 - mean.leadingZeroBitCount)
        return [k - 1, k, k + 1].filter { $0 >= 0 && $0 <= 63 }
    }

    /// Bits of slots and patches under a Rice plan.
    static func riceCost(_ values: [Int64], _ plan: Plan) -> Int {
        // Low bits, then the byte of padding before the bitmap (on average).
        var bits = values.count &* plan.width &+ 4
        let k = Int64(plan.width)
        for y in values {
            let u = slotValue(y, plan)
            if isPatched(u, plan) {
                let high = u &>> k
                let excess = 64 &- (high < 0 ? ~high : high).leadingZeroBitCount
                bits &+= 1 &+ 8 &* (1 &+ highPartBytes(excess: excess))
            } else {
                bits &+= Int(u &>> k) &+ 1
            }
        }
        return bits
    }

    /// Greatest common divisor; gcd(0, b) = b. Binary, so no division.
    @inline(__always)
    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        if a == 0 { return b }
        if b == 0 { return a }
        var a = a
        var b = b
        let shift = (a | b).trailingZeroBitCount
        a >>= UInt64(a.trailingZeroBitCount)
        repeat {
            b >>= UInt64(b.trailingZeroBitCount)
            if a > b { swap(&a, &b) }
            b -= a
        } while b != 0
        return a << UInt64(shift)
    }
}
