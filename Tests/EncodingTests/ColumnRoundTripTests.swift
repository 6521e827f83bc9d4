import TestSupport
import Testing

@testable import Encoding

/// Seeded round trips over many random columns of every shape: whatever the
/// chooser picks, and every encoding the chooser could have picked, must give
/// back the input exactly (timestamps) or bit for bit (values).
@Suite struct ColumnRoundTripTests {
    static let lengths = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 119, 120, 121, 500]

    static func length(_ rng: inout SplitMix64, _ i: Int) -> Int {
        i < lengths.count ? lengths[i] : Int.random(in: 1...300, using: &rng)
    }

    // MARK: Timestamps

    static func randomTimes(_ rng: inout SplitMix64, count n: Int) -> [Int64] {
        let extremes: [Int64] = [.min, .max, .min + 1, .max - 1, 0, -1, 1, 1 << 62, -(1 << 62)]
        switch Int.random(in: 0..<9, using: &rng) {
        case 0:  // scrape-like, with or without gaps and jitter
            return Columns.scrapeTimes(
                &rng, count: n, jitter: [0, 1, 3, 50].randomElement(using: &rng)!, gaps: Bool.random(using: &rng))
        case 1:  // regular with any step, wrapping included
            let t0 = Int64(bitPattern: rng.next())
            let step = Bool.random(using: &rng) ? Int64(bitPattern: rng.next()) : Int64.random(in: -5...5, using: &rng)
            return (0..<n).map { t0 &+ Int64($0) &* step }
        case 2:  // arbitrary bit patterns
            return (0..<n).map { _ in Int64(bitPattern: rng.next()) }
        case 3:  // extremes
            return (0..<n).map { _ in extremes.randomElement(using: &rng)! }
        case 4:  // decreasing
            var t = Int64.random(in: -1_000_000...1_000_000, using: &rng)
            return (0..<n).map { _ in
                t -= Int64.random(in: 0...20_000, using: &rng)
                return t
            }
        case 5:  // random walk interval (drifting scrapes)
            var t: Int64 = 1_700_000_000_000
            return (0..<n).map { _ in
                t += 15_000 + Int64.random(in: -3...3, using: &rng)
                return t
            }
        case 6:  // scrape-like with rare huge jumps and reversals
            var t: Int64 = 1_700_000_000_000
            return (0..<n).map { _ in
                let r = Int.random(in: 0..<20, using: &rng)
                t = t &+ (r == 0 ? Int64(bitPattern: rng.next()) : r == 1 ? -30_000 : 15_000)
                return t
            }
        case 7:  // all equal
            let t = Int64(bitPattern: rng.next())
            return [Int64](repeating: t, count: n)
        default:  // near-grid with a few outliers (a late scrape)
            var t = Columns.scrapeTimes(&rng, count: n)
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                t[Int.random(in: 0..<n, using: &rng)] += Int64.random(in: -7000...7000, using: &rng)
            }
            return t
        }
    }

    @Test func timestampsRoundTrip() {
        var rng = SplitMix64(seed: 1)
        for i in 0..<1000 {
            let t = Self.randomTimes(&rng, count: Self.length(&rng, i % 600))
            #expect(Columns.roundTrips(t), "column \(i): \(t.prefix(8))…")
            // Every kind that can hold the column, not just the chosen one.
            for kind in TimestampColumn.Kind.allCases {
                guard let bytes = TimestampColumn.encode(t, as: kind) else { continue }
                #expect((try? Columns.decodeTimes(bytes, count: t.count).get()) == t, "\(kind), column \(i)")
            }
        }
    }

    // MARK: Values

    static func randomValues(_ rng: inout SplitMix64, count n: Int) -> [Double] {
        let edges: [Double] =
            specialValues + [
                9_007_199_254_740_992, -9_007_199_254_740_992, 9_007_199_254_740_994, 9_007_199_254_740_991,
                Double(Int64.max), Double(Int64.min), 1e300, -1e-300, 0.1, 0.25, 12.34, 1e15, 1e16, 123_456.789,
            ]
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: return Columns.counter(&rng, count: n, rate: [0.3, 5, 300, 1e6].randomElement(using: &rng)!)
        case 1: return Columns.utilisation(&rng, count: n)
        case 2: return Columns.memoryBytes(&rng, count: n)
        case 3: return Columns.floatSum(&rng, count: n)
        case 4: return Columns.load1(&rng, count: n)
        case 5: return Columns.sparseBucket(&rng, count: n, hitsPerScrape: 0.1)
        case 6:  // arbitrary bit patterns
            return (0..<n).map { _ in Double(bitPattern: rng.next()) }
        case 7:  // edges and specials mixed with integers
            return (0..<n).map { i in
                Bool.random(using: &rng) ? Double(i) : edges.randomElement(using: &rng)!
            }
        case 8:  // decimals with varying digits, sometimes an odd one
            let digits = Int.random(in: 1...6, using: &rng)
            var v = (0..<n).map { _ in
                Double(Int.random(in: -100_000...100_000, using: &rng)) / ValueColumn.powersOfTen[digits]
            }
            if Bool.random(using: &rng) { v[Int.random(in: 0..<n, using: &rng)] = edges.randomElement(using: &rng)! }
            return v
        case 9:  // integers of every size, -0.0 now and then
            return (0..<n).map { _ in
                Int.random(in: 0..<10, using: &rng) == 0
                    ? -0.0 : Double(Int64.random(in: -(1 << 54)...(1 << 54), using: &rng))
            }
        case 10:  // constant runs with stale markers
            var v = 1.0
            return (0..<n).map { _ in
                let r = Int.random(in: 0..<10, using: &rng)
                if r == 0 { return Columns.staleMarker }
                if r == 1 { v = Double(Int.random(in: 0...3, using: &rng)) }
                return v
            }
        default:
            return n >= 3
                ? Columns.counterWithStaleMarker(&rng, count: n, rate: 20)
                : [Double](repeating: Columns.staleMarker, count: n)
        }
    }

    /// Every value encoding that accepts `v`.
    static func allEncodings(_ v: [Double]) -> [[UInt8]] {
        var out = [ValueColumn.encode(v), ValueColumn.encodeXOR(v)]
        for orders in [[1], [2]] { out.append(ValueColumn.encodeFloatBits(v, orders: orders)) }
        for digits in [0, 1, 2, 7] {
            for order in 0...2 {
                if let bytes = ValueColumn.encodeScaled(v, digits: digits, orders: [order]) { out.append(bytes) }
            }
        }
        return out
    }

    @Test func valuesRoundTrip() {
        var rng = SplitMix64(seed: 2)
        for i in 0..<1000 {
            let v = Self.randomValues(&rng, count: Self.length(&rng, i % 600))
            #expect(Columns.roundTrips(v), "column \(i): \(v.prefix(8))…")
            for bytes in Self.allEncodings(v) {
                let kind = ValueColumn.kind(of: bytes)
                #expect(
                    (try? Columns.decodeValues(bytes, count: v.count).get()) == v.map(\.bitPattern),
                    "\(String(describing: kind)), column \(i)")
            }
        }
    }

    @Test(arguments: specialValues)
    func everySpecialValueAlone(_ special: Double) {
        #expect(Columns.roundTrips([special]))
        #expect(Columns.roundTrips([special, special, special]))
        #expect(Columns.roundTrips([1, special, 3, 4, special]))
        #expect(Columns.roundTrips([0.5, special, 0.25]))
    }

    // MARK: Packed integers under any plan

    @Test func packedIntsRoundTripUnderAnyPlan() {
        var rng = SplitMix64(seed: 3)
        for i in 0..<2000 {
            let n = Self.length(&rng, i % 100)
            let spread = UInt64.random(in: 0...63, using: &rng)
            var y = (0..<n).map { _ in
                Int64(bitPattern: rng.next() >> (63 - spread)) &- Int64((UInt64(1) << spread) / 2)
            }
            if i % 7 == 0 { y[Int.random(in: 0..<n, using: &rng)] = Bool.random(using: &rng) ? .min : .max }
            let plan = PackedInts.Plan(
                rice: Bool.random(using: &rng), width: Int.random(in: 0...63, using: &rng), scale: 1,
                base: Bool.random(using: &rng) ? y.min()! : Int64(bitPattern: rng.next()))
            for candidate in [plan, PackedInts.plan(for: y)] {
                var bytes: [UInt8] = []
                PackedInts.write(y, plan: candidate, to: &bytes)
                let decoded = bytes.withUnsafeBytes { buffer -> [Int64]? in
                    var cursor = ByteCursor(buffer)
                    var out = [Int64](repeating: 0, count: n)
                    do {
                        try out.withUnsafeMutableBufferPointer {
                            try PackedInts.decode(&cursor, count: n, into: $0.baseAddress!)
                        }
                    } catch {
                        return nil
                    }
                    return cursor.isAtEnd ? out : nil
                }
                #expect(decoded == y, "plan \(candidate), \(n) values, case \(i)")
            }
        }
    }
}
