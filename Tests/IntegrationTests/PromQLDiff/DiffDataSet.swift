import MeridianModel
import TestSupport

/// The data both servers hold during the differential run: a few hundred series
/// over two hours, seeded and at fixed timestamps, so every answer is the same
/// from run to run (the case files may name absolute times, see ``start``).
///
/// Each family says where its events (resets, stale markers, gaps) are; the
/// evaluation times in ``DiffEvaluation/all`` are chosen to land on them.
/// Gauges hold binary fractions where cases sum them, so that a sum is exact
/// whatever order an engine adds in.
struct DiffDataSet {
    /// 2023-11-14T22:00:00Z in ms; the data ends two hours later, at midnight,
    /// so the date functions see a day change. Cases may write `@ 1699999200`.
    static let start: Timestamp = 1_699_999_200_000
    /// How long the data runs.
    static let duration: Timestamp = 2 * 3_600_000
    /// The scrape interval of most series (some run at 30 s).
    static let interval: Timestamp = 15_000

    /// Every series with its samples in time order; stale markers are ``StaleMarker/value``.
    private(set) var series: [(labels: Labels, samples: [Sample])] = []

    /// Builds the data set; the same seed gives the same bits.
    init(seed: UInt64 = 0x5eed_d1ff) {
        var rng = SplitMix64(seed: seed)
        addAppTargets(&rng)
        addNodeTargets(&rng)
        addSyntheticSeries(&rng)
        addHistogramOddities(&rng)
    }

    /// Samples that are values (stale markers are not: no query counts them), by metric name.
    var valueSampleCounts: [(metric: String, count: Int)] {
        var counts: [String: Int] = [:]
        for entry in series {
            counts[entry.labels.metricName ?? "", default: 0] +=
                entry.samples.filter { !StaleMarker.isStale($0.v) }.count
        }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The data cut into remote-write requests of `window` ms each, in time order, so
    /// that no request goes further back than Prometheus' head accepts (1 h behind its newest sample).
    func requests(window: Timestamp = 600_000) -> [[(labels: Labels, samples: [Sample])]] {
        stride(from: Self.start, to: Self.start + Self.duration, by: Int(window)).map { from in
            series.compactMap { entry in
                let slice = entry.samples.filter { $0.t >= from && $0.t < from + window }
                return slice.isEmpty ? nil : (entry.labels, slice)
            }
        }
    }

    mutating func add(_ labels: [String: String], _ samples: [Sample]) {
        series.append((Labels(labels), samples))
    }

    /// Offsets (ms from ``start``) of the scrapes of a target with this phase.
    static func scrapes(phase: Timestamp = 0, every interval: Timestamp = interval) -> [Timestamp] {
        Array(stride(from: phase, to: duration, by: Int(interval)))
    }

    static func minutes(_ m: Double) -> Timestamp { Timestamp(m * 60_000) }
}

extension SplitMix64 {
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }
    /// Uniform in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
