import Testing
import TestSupport

@testable import Encoding

/// Bytes per sample on scrape-like data, printed so changes to the codes can be
/// compared, and bounded so a regression fails. Chunks of 120 samples (two
/// hours at 15 s, as the head cuts them); per-chunk overhead included.
@Suite struct XORChunkSizeTests {
    static let samplesPerChunk = 120
    static let chunksPerSeries = 50

    /// About a Poisson draw with this mean: the events in one scrape interval.
    /// A binomial for small means, a uniform of the same spread for large ones;
    /// the shape hardly matters for sizing, and the stdlib has no `exp`/`log`.
    static func poisson(_ mean: Double, _ rng: inout SplitMix64) -> Int {
        if mean <= 20 {
            let trials = 40
            let p = mean / Double(trials)
            return (0..<trials).reduce(0) { n, _ in n + (Double.random(in: 0..<1, using: &rng) < p ? 1 : 0) }
        }
        let spread = Int((3 * mean).squareRoot())
        return Int(mean) + Int.random(in: -spread...spread, using: &rng)
    }

    enum Kind: CustomStringConvertible {
        case counter(rate: Double)  // mean increments per scrape
        case byteGauge  // integer gauge drifting by a few KB: memory in use
        case floatGauge  // full-precision noise: a ratio or a temperature
        case constant

        var description: String {
            switch self {
            case .counter(let rate): "counter, \(rate)/scrape"
            case .byteGauge: "integer gauge (bytes)"
            case .floatGauge: "noisy float gauge"
            case .constant: "constant"
            }
        }
    }

    /// Bytes per sample for one kind of series with `jitter` ms of scrape jitter.
    static func bytesPerSample(_ kind: Kind, jitter: Int64, seed: UInt64) -> Double {
        var rng = SplitMix64(seed: seed)
        var total = 0
        var t: Int64 = 1_700_000_000_000
        var counter = Double(Int.random(in: 0...10_000_000, using: &rng))
        var gauge = 1.2e9
        for _ in 0..<chunksPerSeries {
            var appender = XORAppender()
            for _ in 0..<samplesPerChunk {
                t += 15_000
                let v: Double
                switch kind {
                case .counter(let rate):
                    counter += Double(poisson(rate, &rng))
                    v = counter
                case .byteGauge:
                    gauge += Double(Int.random(in: -4096...4096, using: &rng) * 8)
                    v = gauge
                case .floatGauge:
                    v = 0.5 + Double.random(in: -0.1...0.1, using: &rng)
                case .constant:
                    v = 1
                }
                appender.append(t: t + Int64.random(in: -jitter...jitter, using: &rng), v: v)
            }
            total += appender.bytes.count
        }
        return Double(total) / Double(chunksPerSeries * samplesPerChunk)
    }

    @Test func bytesPerSampleOnScrapeData() {
        let kinds: [Kind] = [
            .constant, .counter(rate: 0.2), .counter(rate: 2), .counter(rate: 20), .counter(rate: 200),
            .counter(rate: 5000), .byteGauge, .floatGauge,
        ]
        var report = "bytes/sample, 15 s scrapes, \(Self.samplesPerChunk)-sample chunks\n"
        let columns: [String] = ["kind".padding(28), "jitter 0".padding(10), "±2 ms".padding(10), "±5 ms\n"]
        report += columns.joined()
        var counterTotals: [Double] = []
        for (i, kind) in kinds.enumerated() {
            var line = kind.description.padding(28)
            for jitter: Int64 in [0, 2, 5] {
                let size = Self.bytesPerSample(kind, jitter: jitter, seed: UInt64(i))
                line += String(Double(Int(size * 100)) / 100).padding(10)
                if case .counter(let rate) = kind, jitter == 2, rate <= 200 { counterTotals.append(size) }
            }
            report += line + "\n"
        }
        print(report)
        // Idle to busy counters with ±2 ms jitter average 1.59 B when this was
        // written; the bound leaves room for noise, not for a regression.
        let counterMean = counterTotals.reduce(0, +) / Double(counterTotals.count)
        #expect(counterMean < 1.7, "\(report)")
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
