import MeridianModel
import TestSupport

/// The scrape-target families: an application job and a node job per center,
/// shaped like `../shared/bench/gen.py` so its starter cases apply unchanged.
extension DiffDataSet {
    static let centers = ["bj", "sh", "gz"]
    static let bucketBounds: [(le: String, share: Double, mid: Double)] = [
        ("0.05", 0.12, 0.03), ("0.1", 0.2, 0.07), ("0.25", 0.25, 0.17), ("0.5", 0.18, 0.37),
        ("1", 0.12, 0.7), ("2.5", 0.08, 1.6), ("5", 0.03, 3.5), ("+Inf", 0.02, 8),
    ]

    /// Six `job="api"` targets, aligned on the 15 s grid. `app-gz-1` is down from
    /// 40:00 to 41:45 (up = 0, stale markers, counters restart from 0 at 42:00);
    /// `app-sh-0` restarts at 80:00 without a gap (counters reset).
    mutating func addAppTargets(_ rng: inout SplitMix64) {
        for (ci, center) in Self.centers.enumerated() {
            for i in 0..<2 {
                let instance = "app-\(center)-\(i):8080"
                let target = [
                    "job": "api", "instance": instance, "center": center, "service": i == 0 ? "cart" : "search",
                ]
                let downFrom = instance == "app-gz-1:8080" ? Self.minutes(40) : -1
                let downUntil = downFrom + 8 * Self.interval
                let restartAt = instance == "app-sh-0:8080" ? Self.minutes(80) : -1
                let rps = rng.uniform(2, 40) * Double(ci + 1)
                var up: [Sample] = []
                var counters = [[Double]](repeating: [0, 0, 0], count: 2)
                var counterSamples = [[[Sample]]](repeating: [[], [], []], count: 2)
                var buckets = [[Double]](repeating: Array(repeating: 0, count: Self.bucketBounds.count), count: 2)
                var bucketSamples = [[[Sample]]](
                    repeating: Array(repeating: [], count: Self.bucketBounds.count), count: 2)
                var sums: [Double] = [0, 0]
                var sumSamples: [[Sample]] = [[], []]
                var countSamples: [[Sample]] = [[], []]
                var memory: [Sample] = []
                var info: [Sample] = []
                for m in 0..<2 { for c in 0..<3 { counters[m][c] = Double(rng.below(100_000)) } }
                var wasDown = false
                for offset in Self.scrapes() {
                    let t = Self.start + offset
                    if offset >= downFrom && offset < downUntil {
                        up.append(Sample(t: t, v: 0))
                        if !wasDown {
                            let stale = Sample(t: t, v: StaleMarker.value)
                            for m in 0..<2 {
                                for c in 0..<3 { counterSamples[m][c].append(stale) }
                                for k in buckets[m].indices { bucketSamples[m][k].append(stale) }
                                sumSamples[m].append(stale)
                                countSamples[m].append(stale)
                            }
                            memory.append(stale)
                            info.append(stale)
                        }
                        wasDown = true
                        continue
                    }
                    if wasDown || offset == restartAt {
                        counters = [[Double]](repeating: [0, 0, 0], count: 2)
                        buckets = [[Double]](repeating: Array(repeating: 0, count: Self.bucketBounds.count), count: 2)
                        sums = [0, 0]
                        wasDown = false
                    }
                    up.append(Sample(t: t, v: 1))
                    for m in 0..<2 {
                        var observed = 0.0
                        for (c, share) in [0.93, 0.05, 0.02].enumerated() {
                            let inc = (rps * 15 * share * (m == 0 ? 0.7 : 0.3) * rng.uniform(0.3, 1.7)).rounded(.down)
                            counters[m][c] += inc
                            observed += inc
                            // A lone counter reset now and then, as when a process re-creates a metric.
                            if rng.below(400) == 0 { counters[m][c] = inc }
                            counterSamples[m][c].append(Sample(t: t, v: counters[m][c]))
                        }
                        var cumulative = 0.0
                        for (k, bucket) in Self.bucketBounds.enumerated() {
                            let n = (observed * bucket.share * rng.uniform(0.8, 1.2)).rounded(.down)
                            cumulative += n
                            sums[m] += n * bucket.mid
                            buckets[m][k] += cumulative
                            bucketSamples[m][k].append(Sample(t: t, v: buckets[m][k]))
                        }
                        sumSamples[m].append(Sample(t: t, v: (sums[m] * 1000).rounded() / 1000))
                        countSamples[m].append(Sample(t: t, v: buckets[m][Self.bucketBounds.count - 1]))
                    }
                    memory.append(Sample(t: t, v: Double(200_000_000 + rng.below(50_000_000))))
                    info.append(Sample(t: t, v: 1))
                }
                add(target.merging(["__name__": "up"]) { $1 }, up)
                for (m, method) in ["GET", "POST"].enumerated() {
                    for (c, code) in ["200", "404", "500"].enumerated() {
                        add(
                            target.merging(["__name__": "http_requests_total", "method": method, "code": code]) { $1 },
                            counterSamples[m][c])
                    }
                    for (k, bucket) in Self.bucketBounds.enumerated() {
                        add(
                            target.merging([
                                "__name__": "http_request_duration_seconds_bucket", "method": method, "le": bucket.le,
                            ]) { $1 }, bucketSamples[m][k])
                    }
                    add(
                        target.merging(["__name__": "http_request_duration_seconds_sum", "method": method]) { $1 },
                        sumSamples[m])
                    add(
                        target.merging(["__name__": "http_request_duration_seconds_count", "method": method]) { $1 },
                        countSamples[m])
                }
                add(target.merging(["__name__": "process_resident_memory_bytes"]) { $1 }, memory)
                let version = ["1.4.2", "1.5.0", "2.0.1"][(ci + i) % 3]
                add(target.merging(["__name__": "app_build_info", "version": version]) { $1 }, info)
            }
        }
    }

    /// Six `job="node"` targets with a random phase and a few ms of jitter per
    /// scrape, as real scrapes have; `node-sh-1`'s byte counter resets at 70:00.
    mutating func addNodeTargets(_ rng: inout SplitMix64) {
        for center in Self.centers {
            for i in 0..<2 {
                let instance = "node-\(center)-\(i):9100"
                let target = ["job": "node", "instance": instance, "center": center]
                let phase = Timestamp(rng.below(15_000))
                var cpu = [rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9)]
                let total = Double((i + 1) * 8 << 30)
                var available = total * 0.5
                var load = rng.uniform(0.2, 3)
                var received = Double(rng.below(1 << 40)) + 0.5
                var series = [[Sample]](repeating: [], count: 7)
                for offset in Self.scrapes(phase: phase) {
                    let t = Self.start + offset + Timestamp(rng.below(25))
                    for c in 0..<2 { cpu[c] = min(1, max(0, cpu[c] + (0.5 - cpu[c]) * 0.1 + rng.uniform(-0.08, 0.08))) }
                    available = min(total, max(0, available + rng.uniform(-1, 1) * total * 0.01))
                    load = max(0, load + rng.uniform(-0.3, 0.3))
                    received += rng.uniform(1_000, 900_000)
                    if instance == "node-sh-1:9100" && offset >= Self.minutes(70) && offset < Self.minutes(70) + 15_000
                    {
                        received = rng.uniform(0, 5_000)
                    }
                    let values = [1, cpu[0], cpu[1], total, available.rounded(), (load * 64).rounded() / 64, received]
                    for (k, v) in values.enumerated() { series[k].append(Sample(t: t, v: v)) }
                }
                add(target.merging(["__name__": "up"]) { $1 }, series[0])
                add(target.merging(["__name__": "node_cpu_utilisation", "cpu": "0"]) { $1 }, series[1])
                add(target.merging(["__name__": "node_cpu_utilisation", "cpu": "1"]) { $1 }, series[2])
                add(target.merging(["__name__": "node_memory_MemTotal_bytes"]) { $1 }, series[3])
                add(target.merging(["__name__": "node_memory_MemAvailable_bytes"]) { $1 }, series[4])
                add(target.merging(["__name__": "node_load1"]) { $1 }, series[5])
                add(
                    target.merging(["__name__": "node_network_receive_bytes_total", "device": "eth0"]) { $1 }, series[6]
                )
            }
        }
    }
}
