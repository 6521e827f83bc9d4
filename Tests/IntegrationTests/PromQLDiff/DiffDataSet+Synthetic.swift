import MeridianModel
import TestSupport

/// Series made for the edge cases: negative gauges, NaN and ±Inf, stale markers
/// with a resumption, gaps longer than the lookback, short-lived series,
/// frequent counter resets, and histograms with odd bucket layouts.
/// All of them carry `job="synthetic", instance="gen:0"`.
extension DiffDataSet {
    private static let synthetic = ["job": "synthetic", "instance": "gen:0"]

    mutating func addSyntheticSeries(_ rng: inout SplitMix64) {
        func labels(_ name: String, _ extra: [String: String]) -> [String: String] {
            Self.synthetic.merging(extra) { $1 }.merging(["__name__": name]) { $1 }
        }
        let grid = Self.scrapes()
        // temperature_celsius: 30 s resolution, a random walk around -2 °C in quarter degrees
        // (binary fractions, so sums are exact in any order).
        for center in Self.centers {
            for sensor in ["a", "b", "c", "d"] {
                var v = rng.uniform(-8, 4)
                let samples = Self.scrapes(every: 30_000).map { offset -> Sample in
                    v += rng.uniform(-1.5, 1.5) + (-2 - v) * 0.05
                    return Sample(t: Self.start + offset, v: (v * 4).rounded() / 4)
                }
                add(labels("temperature_celsius", ["center": center, "sensor": sensor]), samples)
            }
        }
        // special_values: NaN / +Inf / -Inf at a period and throughout 25:00-34:45.
        let specials: [(kind: String, value: Double, period: Int, phase: Int)] = [
            ("nan", .nan, 9, 4), ("inf", .infinity, 13, 6), ("neginf", -.infinity, 11, 3),
        ]
        for special in specials {
            let samples = grid.enumerated().map { index, offset -> Sample in
                let odd = index % special.period == special.phase || (100..<140).contains(index)
                return Sample(t: Self.start + offset, v: odd ? special.value : (rng.uniform(-10, 10) * 8).rounded() / 8)
            }
            add(labels("special_values", ["kind": special.kind, "center": "bj"]), samples)
        }
        let cycle: [Double] = [1, .nan, .infinity, -.infinity, -1, 0]
        add(
            labels("special_values", ["kind": "mixed", "center": "sh"]),
            grid.enumerated().map { Sample(t: Self.start + $1, v: cycle[$0 % cycle.count]) })

        // flappy_gauge: stale at 55:00 (+15 s per idx), back at 65:00 (+30 s per idx),
        // stale again for good at 110:00 (+60 s per idx).
        for idx in 0..<3 {
            let goneAt = Self.minutes(55) + Timestamp(idx) * 15_000
            let backAt = Self.minutes(65) + Timestamp(idx) * 30_000
            let endAt = Self.minutes(110) + Timestamp(idx) * 60_000
            var samples: [Sample] = []
            for offset in grid where offset <= endAt && (offset <= goneAt || offset >= backAt) {
                let stale = offset == goneAt || offset == endAt
                samples.append(
                    Sample(t: Self.start + offset, v: stale ? StaleMarker.value : Double(rng.below(1000)) / 10))
            }
            add(labels("flappy_gauge", ["center": "bj", "idx": "\(idx)"]), samples)
        }
        // gappy_*: no samples (and no stale markers) in [20, 23), [58, 70), [90, 97) minutes.
        let gaps = [(20.0, 23.0), (58.0, 70.0), (90.0, 97.0)].map { Self.minutes($0.0)..<Self.minutes($0.1) }
        let gappyGrid = grid.filter { offset in !gaps.contains { $0.contains(offset) } }
        for center in Self.centers {
            add(
                labels("gappy_gauge", ["center": center]),
                gappyGrid.map { Sample(t: Self.start + $0, v: rng.uniform(-50, 50).rounded()) })
            var counter = 0.0
            add(
                labels("gappy_counter_total", ["center": center]),
                gappyGrid.map { offset -> Sample in
                    counter += Double(1 + rng.below(20))
                    return Sample(t: Self.start + offset, v: counter)
                })
        }
        // short_lived: 30:00 to 44:45; only gz's ends with a stale marker.
        for center in Self.centers {
            var samples = grid.filter { $0 >= Self.minutes(30) && $0 < Self.minutes(45) }
                .map { Sample(t: Self.start + $0, v: Double(rng.below(10))) }
            if center == "gz" { samples.append(Sample(t: Self.start + Self.minutes(45), v: StaleMarker.value)) }
            add(labels("short_lived", ["center": center]), samples)
        }
        // resetty_total: resets every 20, 23 and 26 scrapes.
        for (ci, center) in Self.centers.enumerated() {
            var counter = 0.0
            add(
                labels("resetty_total", ["center": center]),
                grid.enumerated().map { index, offset -> Sample in
                    counter = index % (20 + 3 * ci) == 0 ? Double(rng.below(5)) : counter + Double(rng.below(30))
                    return Sample(t: Self.start + offset, v: counter)
                })
        }
        // dup_requests_total: the same labels as one http_requests_total series,
        // so dropping __name__ makes two series with one label set.
        var dup = 0.0
        add(
            [
                "__name__": "dup_requests_total", "job": "api", "instance": "app-bj-0:8080", "center": "bj",
                "service": "cart", "method": "GET", "code": "200",
            ],
            grid.map { offset -> Sample in
                dup += 3
                return Sample(t: Self.start + offset, v: dup)
            })
    }

    /// `weird_bucket{case=…}`: classic-histogram layouts histogram_quantile must cope with.
    mutating func addHistogramOddities(_ rng: inout SplitMix64) {
        // Bounds in the order the series are written; "nonmono" breaks monotonicity on purpose.
        let layouts: [(name: String, bounds: [String])] = [
            ("normal", ["0.1", "1", "10", "+Inf"]),
            ("no_inf", ["0.1", "1", "10"]),
            ("unsorted", ["10", "1", "+Inf", "0.1", "5"]),
            ("nonmono", ["0.1", "1", "10", "+Inf"]),
            ("only_inf", ["+Inf"]),
            ("two", ["1", "+Inf"]),
            ("dupbound", ["0.5", "1.0", "1", "+Inf"]),
            ("zero", ["0.1", "1", "+Inf"]),
            ("badle", ["0.1", "abc", "+Inf"]),
            ("neg", ["-1", "0", "1", "+Inf"]),
        ]
        for layout in layouts {
            let sorted = layout.bounds.sorted { bound($0) < bound($1) }
            var cumulative = [Double](repeating: 0, count: sorted.count)
            var samples = [[Sample]](repeating: [], count: sorted.count)
            for offset in Self.scrapes() {
                var running = 0.0
                for k in sorted.indices {
                    running += layout.name == "zero" ? 0 : Double(rng.below(6))
                    cumulative[k] += running
                    var v = cumulative[k]
                    if layout.name == "nonmono" && sorted[k] == "1" { v *= 1.5 }
                    samples[k].append(Sample(t: Self.start + offset, v: v))
                }
            }
            for le in layout.bounds {
                let k = sorted.firstIndex(of: le)!
                add(
                    Self.synthetic.merging(["__name__": "weird_bucket", "case": layout.name, "le": le, "center": "bj"])
                    { $1 },
                    samples[k])
            }
        }
    }

    private func bound(_ le: String) -> Double { le == "abc" ? 0.5 : Double(le == "+Inf" ? "inf" : le)! }
}
