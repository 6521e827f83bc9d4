import TestSupport
import Testing

@testable import Encoding

/// Bytes per sample of realistic 120-sample columns (a 30 min block at 15 s),
/// shaped like /work/shared/bench/gen.py; printed so that changes can be
/// compared, and bounded so that a regression fails. Every column includes
/// its kind byte and headers.
@Suite struct ColumnSizeTests {
    static let n = 120
    static let columnsPerShape = 200

    /// Cumulative share of requests at or below each `le` of a latency
    /// histogram: a few buckets take most of them.
    static let bucketShares = [0.001, 0.005, 0.02, 0.08, 0.2, 0.45, 0.7, 0.88, 0.96, 0.99, 0.998, 1]

    /// The buckets of one histogram, fed by `requests` per scrape.
    static func buckets(_ rng: inout SplitMix64, requests: [Double]) -> [[Double]] {
        var cumulative = [Double](repeating: Double(Int.random(in: 0..<100_000, using: &rng)), count: 12)
        for k in 1..<12 { cumulative[k] = cumulative[k - 1] + Double(Int.random(in: 0..<1000, using: &rng)) }
        var columns = [[Double]](repeating: [], count: 12)
        var previous = requests[0]
        for r in requests {
            let increment = max(0, r - previous)
            previous = r
            var below = 0.0
            for k in 0..<12 {
                let share = k == 11 ? 1 : bucketShares[k] * Double.random(in: 0.85..<1.15, using: &rng)
                below = max(below, Double(Int(increment * min(1, share) + Double.random(in: 0..<1, using: &rng))))
                cumulative[k] += k == 11 ? increment : min(below, increment)
                columns[k].append(cumulative[k])
            }
        }
        return columns
    }

    /// Shapes with the number of series of that shape on one host of the
    /// benchmark (46 series: an application target and a node exporter).
    static func shapes(_ rng: inout SplitMix64) -> [(name: String, perHost: Int, values: [Double])] {
        let rate = [30.0, 150, 750, 3000, 6000].randomElement(using: &rng)!
        let requests = Columns.counter(&rng, count: n, rate: rate, reset: false)
        let buckets = buckets(&rng, requests: requests)
        return [
            ("constant 1 (build_info, MemTotal)", 2, [Double](repeating: 1, count: n)),
            ("up 0/1", 2, Columns.up(&rng, count: n)),
            ("counter, irregular, reset", 6, Columns.counter(&rng, count: n, rate: rate / 10)),
            ("counter with stale marker", 0, Columns.counterWithStaleMarker(&rng, count: n, rate: rate / 10)),
            ("histogram bucket (mix)", 24, buckets[Int.random(in: 0..<12, using: &rng)]),
            ("histogram bucket, rare", 0, buckets[0]),
            ("histogram _count", 2, buckets[11]),
            ("histogram _sum (float)", 2, Columns.floatSum(&rng, count: n)),
            ("cpu utilisation [0,1]", 4, Columns.utilisation(&rng, count: n)),
            ("memory bytes (noisy)", 2, Columns.memoryBytes(&rng, count: n)),
            ("load1 (2 decimals)", 1, Columns.load1(&rng, count: n)),
            ("network bytes counter", 1, Columns.counter(&rng, count: n, rate: 3e8, reset: false)),
        ]
    }

    /// Upper bounds, bytes per sample: measured values (in the comment) plus
    /// room for noise, not for a regression.
    static let valueBounds: [String: Double] = [
        "constant 1 (build_info, MemTotal)": 0.02,  // 0.017
        "up 0/1": 0.09,  // 0.071
        "counter, irregular, reset": 1.12,  // 1.04
        "counter with stale marker": 1.2,  // 1.126
        "histogram bucket (mix)": 1.23,  // 1.143
        "histogram bucket, rare": 0.37,  // 0.333
        "histogram _count": 1.52,  // 1.415
        "histogram _sum (float)": 5.9,  // 5.636
        "cpu utilisation [0,1]": 6.95,  // 6.673
        "memory bytes (noisy)": 3.7,  // 3.457
        "load1 (2 decimals)": 1.27,  // 1.182
        "network bytes counter": 4.05,  // 3.795
    ]

    @Test func bytesPerSample() {
        var rng = SplitMix64(seed: 30)
        var valueBytes: [String: Int] = [:]
        var order: [(String, Int)] = []
        var timeBytes = (grid: 0, gaps: 0, regular: 0, xorChunk: 0)
        for c in 0..<Self.columnsPerShape {
            for shape in Self.shapes(&rng) {
                if c == 0 { order.append((shape.name, shape.perHost)) }
                let bytes = ValueColumn.encode(shape.values)
                valueBytes[shape.name, default: 0] += bytes.count
                #expect(Columns.roundTrips(shape.values))
            }
            let jittered = Columns.scrapeTimes(&rng, count: Self.n)
            timeBytes.grid += TimestampColumn.encode(jittered).count
            timeBytes.gaps += TimestampColumn.encode(Columns.scrapeTimes(&rng, count: Self.n, gaps: true)).count
            timeBytes.regular += TimestampColumn.encode(Columns.scrapeTimes(&rng, count: Self.n, jitter: 0)).count
            // The head's chunk, for comparison: times and a constant value.
            var appender = XORAppender()
            for t in jittered { appender.append(t: t, v: 1) }
            timeBytes.xorChunk += appender.bytes.count
        }
        let samples = Double(Self.columnsPerShape * Self.n)
        func perSample(_ bytes: Int) -> Double { Double(bytes) / samples }
        func format(_ x: Double) -> String {
            let s = String(Double(Int(x * 1000 + 0.5)) / 1000)
            return String(repeating: " ", count: max(0, 7 - s.count)) + s
        }

        var report = "bytes/sample, \(Self.n)-sample columns, \(Self.columnsPerShape) columns a shape\n"
        report += "timestamps, 15 s, ±3 ms jitter       \(format(perSample(timeBytes.grid)))\n"
        report += "timestamps, ±3 ms, target down gaps  \(format(perSample(timeBytes.gaps)))\n"
        report += "timestamps, no jitter                \(format(perSample(timeBytes.regular)))\n"
        report += "  (XOR chunk times, ±3 ms, for scale) \(format(perSample(timeBytes.xorChunk)))\n"
        var mixBytes = 0.0
        var mixSeries = 0
        for (name, perHost) in order {
            let size = perSample(valueBytes[name]!)
            report += name.padding(37) + format(size) + (perHost > 0 ? "   ×\(perHost) a host" : "") + "\n"
            mixBytes += size * Double(perHost)
            mixSeries += perHost
            #expect(size <= Self.valueBounds[name]!, "\(name): \(size) B/sample\n\(report)")
        }
        let mixValues = mixBytes / Double(mixSeries)
        let mixTimes = perSample(timeBytes.grid)
        report += "mix of \(mixSeries) series a host: values \(format(mixValues))"
        report += ", with timestamps \(format(mixValues + mixTimes))"
        report += ", with one timestamp column a target \(format(mixValues + mixTimes * 2 / Double(mixSeries)))\n"
        print(report)

        #expect(perSample(timeBytes.grid) <= 0.52, "\(report)")  // 0.492: 59 bytes a column
        #expect(perSample(timeBytes.gaps) <= 0.56, "\(report)")  // 0.526
        #expect(perSample(timeBytes.regular) <= 0.1, "\(report)")  // 0.08: 10 bytes a column
        #expect(mixValues <= 2.0, "\(report)")  // 1.881
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
