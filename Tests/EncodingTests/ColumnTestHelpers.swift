import TestSupport
import Testing

@testable import Encoding

/// Column encode/decode helpers and generators of scrape-like columns, shaped
/// like the benchmark generator (/work/shared/bench/gen.py): 15 s scrapes at a
/// fixed phase with ±3 ms jitter, counters with irregular increments, bursts
/// and resets, noisy gauges, staleness markers.
enum Columns {
    static let staleMarker = Double(bitPattern: ValueColumn.staleMarkerBits)

    /// Decodes timestamps, or the error.
    static func decodeTimes(_ bytes: [UInt8], count: Int) -> Result<[Int64], EncodingError> {
        bytes.withUnsafeBytes { buffer in
            var out: [Int64] = []
            do throws(EncodingError) {
                try TimestampColumn.decode(buffer, count: count, into: &out)
                return .success(out)
            } catch {
                #expect(out.isEmpty, "a failed decode leaves the output as it was")
                return .failure(error)
            }
        }
    }

    /// Decodes values as bit patterns (so NaN payloads compare), or the error.
    static func decodeValues(_ bytes: [UInt8], count: Int) -> Result<[UInt64], EncodingError> {
        bytes.withUnsafeBytes { buffer in
            var out: [Double] = []
            do throws(EncodingError) {
                try ValueColumn.decode(buffer, count: count, into: &out)
                return .success(out.map(\.bitPattern))
            } catch {
                #expect(out.isEmpty, "a failed decode leaves the output as it was")
                return .failure(error)
            }
        }
    }

    /// Whether `t` survives encode and decode exactly; also checks that
    /// decoding appends after what the output array already holds.
    static func roundTrips(_ t: [Int64]) -> Bool {
        let bytes = TimestampColumn.encode(t)
        var out: [Int64] = [42]
        do {
            try bytes.withUnsafeBytes { try TimestampColumn.decode($0, count: t.count, into: &out) }
        } catch {
            return false
        }
        return out == [42] + t
    }

    /// Whether `v` survives encode and decode bit for bit.
    static func roundTrips(_ v: [Double]) -> Bool {
        let bytes = ValueColumn.encode(v)
        var out: [Double] = [-0.0]
        do {
            try bytes.withUnsafeBytes { try ValueColumn.decode($0, count: v.count, into: &out) }
        } catch {
            return false
        }
        return out.map(\.bitPattern) == [(-0.0 as Double).bitPattern] + v.map(\.bitPattern)
    }

    // MARK: Scrape-like generators

    /// About a standard normal draw: Irwin-Hall, as the stdlib has no `log`.
    static func gauss(_ rng: inout SplitMix64) -> Double {
        (0..<12).reduce(0.0) { sum, _ in sum + Double.random(in: 0..<1, using: &rng) } - 6
    }

    /// Scrape times: a fixed phase, ±`jitter` ms per scrape, and (with
    /// `gaps`) a few runs of 1-8 missed scrapes, as when a target is down.
    static func scrapeTimes(_ rng: inout SplitMix64, count: Int, jitter: Int64 = 3, gaps: Bool = false) -> [Int64] {
        let phase = Int64.random(in: 0..<15_000, using: &rng)
        var out: [Int64] = []
        var round: Int64 = 0
        while out.count < count {
            if gaps && Int.random(in: 0..<60, using: &rng) == 0 { round += Int64.random(in: 1...8, using: &rng) }
            let jitterMs = jitter == 0 ? 0 : Int64.random(in: -jitter...jitter, using: &rng)
            out.append(1_700_000_000_000 + phase + round * 15_000 + jitterMs)
            round += 1
        }
        return out
    }

    /// A request counter: irregular integer increments around `rate` per
    /// scrape, 2% bursts of 2-6x, and one reset to 0 (a restart) somewhere.
    static func counter(_ rng: inout SplitMix64, count: Int, rate: Double, reset: Bool = true) -> [Double] {
        var value = Double(Int64(Double.random(in: 1e3..<1e7, using: &rng) * rate / 100))
        let resetAt = reset ? Int.random(in: count / 4..<max(count / 4 + 1, 3 * count / 4), using: &rng) : -1
        var out: [Double] = []
        for i in 0..<count {
            if i == resetAt { value = 0 }
            let load = rate * Double.random(in: 0.6..<1.4, using: &rng) * Double.random(in: 0.3..<1.7, using: &rng)
            var increment = Double(Int(load + Double.random(in: 0..<1, using: &rng)))
            if Int.random(in: 0..<50, using: &rng) == 0 { increment *= Double(Int.random(in: 2...6, using: &rng)) }
            value += increment
            out.append(value)
        }
        return out
    }

    /// A histogram bucket rarely hit: mostly repeats, now and then +1..3.
    static func sparseBucket(_ rng: inout SplitMix64, count: Int, hitsPerScrape: Double) -> [Double] {
        var value = Double(Int.random(in: 0..<5000, using: &rng))
        return (0..<count).map { _ in
            if Double.random(in: 0..<1, using: &rng) < hitsPerScrape {
                value += Double(Int.random(in: 1...3, using: &rng))
            }
            return value
        }
    }

    /// node_cpu_utilisation: mean-reverting noise in [0, 1], full precision.
    static func utilisation(_ rng: inout SplitMix64, count: Int) -> [Double] {
        let mean = Double.random(in: 0.05..<0.85, using: &rng)
        var x = mean
        return (0..<count).map { _ in
            x = min(1, max(0, x + 0.1 * (mean - x) + 0.04 * gauss(&rng)))
            return x
        }
    }

    /// A histogram's _sum: a growing float with full-precision increments.
    static func floatSum(_ rng: inout SplitMix64, count: Int) -> [Double] {
        var sum = Double.random(in: 100..<1e5, using: &rng)
        return (0..<count).map { _ in
            sum += Double(Int.random(in: 100..<2000, using: &rng)) * 0.05 * Double.random(in: 0.9..<1.1, using: &rng)
            return sum
        }
    }

    /// Memory in bytes: a large integer drifting by ~2% of its size.
    static func memoryBytes(_ rng: inout SplitMix64, count: Int) -> [Double] {
        let base = Double.random(in: 150e6..<2.5e9, using: &rng)
        var mem = base
        return (0..<count).map { _ in
            mem = max(50e6, mem + (base - mem) * 0.05 + base * 0.02 * gauss(&rng))
            return Double(Int(mem))
        }
    }

    /// node_load1: two decimals, as Python's round(x, 2) gives them.
    static func load1(_ rng: inout SplitMix64, count: Int) -> [Double] {
        (0..<count).map { _ in Double(Int.random(in: 0...520, using: &rng)) / 100 }
    }

    /// `up`: 1, a run of 0s while the target is down, 1 again.
    static func up(_ rng: inout SplitMix64, count: Int) -> [Double] {
        let down = Int.random(in: 0..<count - 8, using: &rng)
        let length = Int.random(in: 1...8, using: &rng)
        return (0..<count).map { $0 >= down && $0 < down + length ? 0 : 1 }
    }

    /// A counter whose target went down: a staleness marker, then (after
    /// the gap, which the timestamps carry) counting from 0 again.
    static func counterWithStaleMarker(_ rng: inout SplitMix64, count: Int, rate: Double) -> [Double] {
        var values = counter(&rng, count: count, rate: rate, reset: false)
        let at = Int.random(in: 1..<count - 1, using: &rng)
        values[at] = staleMarker
        var restarted = 0.0
        for i in (at + 1)..<count {
            restarted += values[i] - values[i - 1 == at ? i - 2 : i - 1]
            values[i] = restarted
        }
        return values
    }
}
