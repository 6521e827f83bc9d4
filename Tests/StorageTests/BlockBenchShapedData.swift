import Foundation
import MeridianModel
import TestSupport

@testable import Storage

/// Series shaped like /work/shared/bench/gen.py: per host an application
/// target (37 series) and a node-exporter target (9 series), scraped every
/// 15 s at a per-target phase with ±3 ms jitter, all series of a scrape
/// sharing its timestamp; counters growing by irregular amounts, noisy
/// gauges, cumulative histogram buckets, rare outages with stale markers.
struct BlockBenchShapedData {
    static let centers = ["bj", "sh", "gz"]
    static let services = ["api-gateway", "user", "order", "payment", "search", "inventory", "notification", "auth"]
    static let les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]

    var rng: SplitMix64
    var series: [BlockTestSeries] = []

    mutating func gauss() -> Double {
        let u1 = Double(rng.next() >> 11 + 1) / Double(1 << 53)
        let u2 = Double(rng.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * Double(rng.next() >> 11) / Double(1 << 53)
    }

    /// Timestamps of one target: `rounds` scrapes, with an outage (no
    /// samples, but a stale marker at its first scrape) now and then.
    mutating func scrapes(start: Int64, rounds: Int) -> (times: [Int64], up: [Bool]) {
        let offset = Int64(rng.below(15_000))
        var times: [Int64] = []
        var up: [Bool] = []
        var down = 0
        for r in 0..<rounds {
            if down == 0 && rng.below(1250) == 0 { down = 1 + rng.below(8) }
            times.append(start + Int64(r) * 15_000 + offset + Int64(rng.below(7)) - 3)
            up.append(down == 0)
            if down > 0 { down -= 1 }
        }
        return (times, up)
    }

    /// A series of a target: `value(r)` at the scrapes where the target is
    /// up, a stale marker at the first scrape of an outage, nothing after.
    mutating func add(_ labels: [String: String], _ scrape: (times: [Int64], up: [Bool]), _ value: (Int) -> Double) {
        var ts: [Int64] = []
        var vs: [Double] = []
        for r in scrape.times.indices {
            if scrape.up[r] {
                ts.append(scrape.times[r])
                vs.append(value(r))
            } else if r == 0 || scrape.up[r - 1] {
                ts.append(scrape.times[r])
                vs.append(StaleMarker.value)
            }
        }
        series.append(BlockTestSeries(labels: Labels(labels), timestamps: ts, values: vs))
    }

    /// A counter: starts high, grows by irregular integer amounts.
    mutating func counter(_ rounds: Int, rate: Double) -> [Double] {
        var v = Double(Int(uniform(1e3, 1e7)))
        return (0..<rounds).map { _ in
            v += Double(Int(rate * 15 * uniform(0.3, 1.7) + uniform(0, 1)))
            return v
        }
    }

    init(hosts: Int, rounds: Int, start: Int64, seed: UInt64) {
        rng = SplitMix64(seed: seed)
        for h in 0..<hosts {
            let center = Self.centers[h % 3]
            let cluster = "\(center)-prod-\((h / 3) % 3 + 1)"
            let service = Self.services[(h / 9) % Self.services.count]
            let host = "\(cluster)-\(service)-\(String(100_000 + h).dropFirst())"
            let base = ["center": center, "cluster": cluster, "service": service]

            // Application target.
            var app = base
            app["job"] = "\(service)-api"
            app["instance"] = "\(host):8080"
            let scrape = scrapes(start: start, rounds: rounds)
            let rps = exp(uniform(log(2), log(400)))
            add(app.merging(["__name__": "up"]) { $1 }, scrape) { _ in 1 }
            for method in ["GET", "POST"] {
                for (code, share) in [("200", 0.95), ("404", 0.04), ("500", 0.01)] {
                    let values = counter(rounds, rate: rps * share * (method == "GET" ? 0.7 : 0.3))
                    add(
                        app.merging(["__name__": "http_requests_total", "method": method, "code": code]) { $1 }, scrape
                    ) {
                        values[$0]
                    }
                }
                var cumulative = [Double](repeating: 0, count: Self.les.count)
                var buckets = [[Double]](repeating: [], count: Self.les.count)
                for _ in 0..<rounds {
                    var running = 0.0
                    for k in Self.les.indices {
                        running += Double(Int(rps * 15 * uniform(0, 0.2)))
                        cumulative[k] += running
                        buckets[k].append(cumulative[k])
                    }
                }
                for (k, le) in Self.les.enumerated() {
                    add(
                        app.merging(["__name__": "http_request_duration_seconds_bucket", "method": method, "le": le]) {
                            $1
                        }, scrape
                    ) {
                        buckets[k][$0]
                    }
                }
                var sum = 0.0
                let sums = (0..<rounds).map { r in
                    sum += buckets[Self.les.count - 1][r] * uniform(0.001, 0.01)
                    return sum
                }
                add(app.merging(["__name__": "http_request_duration_seconds_sum", "method": method]) { $1 }, scrape) {
                    sums[$0]
                }
                add(app.merging(["__name__": "http_request_duration_seconds_count", "method": method]) { $1 }, scrape) {
                    buckets[Self.les.count - 1][$0]
                }
            }
            let memBase = uniform(150e6, 2.5e9)
            var mem = memBase * 0.8
            let memory = (0..<rounds).map { _ in
                mem = max(50e6, mem + (memBase - mem) * 0.05 + gauss() * memBase * 0.02)
                return Double(Int(mem))
            }
            add(app.merging(["__name__": "process_resident_memory_bytes"]) { $1 }, scrape) { memory[$0] }
            add(
                app.merging(["__name__": "app_build_info", "version": ["1.4.2", "1.4.3", "1.5.0", "2.0.1"][h % 4]]) {
                    $1
                }, scrape
            ) { _ in 1 }

            // Node-exporter target.
            var node = base
            node["job"] = "node-exporter"
            node["instance"] = "\(host):9100"
            let nodeScrape = scrapes(start: start, rounds: rounds)
            add(node.merging(["__name__": "up"]) { $1 }, nodeScrape) { _ in 1 }
            let cpuMean = uniform(0.05, 0.85)
            for cpu in 0..<4 {
                var x = cpuMean
                let values = (0..<rounds).map { _ in
                    x = min(1, max(0, x + 0.1 * (cpuMean - x) + gauss() * 0.04))
                    return x
                }
                add(node.merging(["__name__": "node_cpu_utilisation", "cpu": "\(cpu)"]) { $1 }, nodeScrape) {
                    values[$0]
                }
            }
            let total = Double([8, 16, 32, 64, 128][rng.below(5)] << 30)
            add(node.merging(["__name__": "node_memory_MemTotal_bytes"]) { $1 }, nodeScrape) { _ in total }
            let availMean = uniform(0.1, 0.8)
            var avail = availMean
            let available = (0..<rounds).map { _ in
                avail = min(0.98, max(0.01, avail + 0.05 * (availMean - avail) + gauss() * 0.01))
                return Double(Int(total * avail))
            }
            add(node.merging(["__name__": "node_memory_MemAvailable_bytes"]) { $1 }, nodeScrape) { available[$0] }
            let load = (0..<rounds).map { _ in (cpuMean * 4 * uniform(0.8, 1.3) * 100).rounded() / 100 }
            add(node.merging(["__name__": "node_load1"]) { $1 }, nodeScrape) { load[$0] }
            let rx = counter(rounds, rate: exp(uniform(log(1e4), log(5e7))))
            add(node.merging(["__name__": "node_network_receive_bytes_total", "device": "eth0"]) { $1 }, nodeScrape) {
                rx[$0]
            }
        }
    }
}
