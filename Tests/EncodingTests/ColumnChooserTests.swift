import TestSupport
import Testing

@testable import Encoding

/// The chooser picks the kind one would pick by hand for the shapes scrapes
/// produce (120 samples, as in a 30 min block at 15 s).
@Suite struct ColumnChooserTests {
    static let n = 120

    @Test func timestampKinds() {
        var rng = SplitMix64(seed: 10)
        for _ in 0..<20 {
            let regular = (0..<Self.n).map { 1_700_000_000_000 + Int64($0) * 15_000 }
            #expect(TimestampColumn.kind(of: TimestampColumn.encode(regular)) == .regular)
            let jittered = Columns.scrapeTimes(&rng, count: Self.n)
            #expect(TimestampColumn.kind(of: TimestampColumn.encode(jittered)) == .grid)
            let gaps = Columns.scrapeTimes(&rng, count: Self.n, gaps: true)
            #expect(TimestampColumn.kind(of: TimestampColumn.encode(gaps)) == .grid)
            // Intervals that drift (each scrape timed from the last one): the
            // deltas stay within ±3 ms, the grid residuals do not.
            var t: Int64 = 1_700_000_000_000
            let drifting = (0..<Self.n).map { _ in
                t += 15_000 + Int64.random(in: -3...3, using: &rng)
                return t
            }
            #expect(TimestampColumn.kind(of: TimestampColumn.encode(drifting)) == .delta)
            // An interval growing by 1 ms a sample: constant deltas of deltas.
            let accelerating = (0..<Int64(Self.n)).map { (i: Int64) -> Int64 in
                1_700_000_000_000 + 15_000 * i + i * (i - 1) / 2
            }
            #expect(TimestampColumn.kind(of: TimestampColumn.encode(accelerating)) == .deltaOfDelta)
        }
    }

    @Test func valueKinds() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20 {
            func kind(_ v: [Double]) -> ValueColumn.Kind? { ValueColumn.kind(of: ValueColumn.encode(v)) }
            #expect(kind([Double](repeating: 1, count: Self.n)) == .constantInteger)
            #expect(kind([Double](repeating: 0.5, count: Self.n)) == .constant)
            #expect(kind(Columns.counter(&rng, count: Self.n, rate: 300)) == .integer(order: 1, exceptions: false))
            #expect(
                kind(Columns.counterWithStaleMarker(&rng, count: Self.n, rate: 300))
                    == .integer(order: 1, exceptions: true))
            #expect(kind(Columns.memoryBytes(&rng, count: Self.n)) == .integer(order: 1, exceptions: false))
            #expect(
                kind(Columns.sparseBucket(&rng, count: Self.n, hitsPerScrape: 0.1))
                    == .integer(order: 1, exceptions: false))
            if case .integer(_, exceptions: false) = kind(Columns.up(&rng, count: Self.n)) {
            } else {
                Issue.record("up should be integers without exceptions")
            }
            if case .decimal(digits: 2, _, exceptions: false) = kind(Columns.load1(&rng, count: Self.n)) {
            } else {
                Issue.record("load1 should be decimals with 2 digits")
            }
            let floats = [kind(Columns.utilisation(&rng, count: Self.n)), kind(Columns.floatSum(&rng, count: Self.n))]
            for k in floats {
                #expect(k == .xor || k == .floatBits(order: 1) || k == .floatBits(order: 2), "\(String(describing: k))")
            }
        }
    }
}
