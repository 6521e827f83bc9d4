import Testing
import TestSupport

@testable import Encoding

/// A sample as the tests compare it: the value as bits, so NaN payloads and
/// -0.0 compare exactly.
struct RawSample: Equatable, CustomStringConvertible {
    var t: Int64
    var bits: UInt64

    init(_ t: Int64, _ v: Double) {
        self.t = t
        self.bits = v.bitPattern
    }

    var description: String { "(\(t), 0x\(String(bits, radix: 16)))" }
}

/// Encodes `samples` with a fresh appender.
func encode(_ samples: [RawSample]) -> XORAppender {
    var appender = XORAppender()
    for s in samples { appender.append(t: s.t, v: Double(bitPattern: s.bits)) }
    return appender
}

/// Decodes every sample an iterator yields, and whether it stopped on an error.
func decode(_ chunk: XORChunk) -> (samples: [RawSample], failed: Bool) {
    var it = chunk.makeIterator()
    var out: [RawSample] = []
    while it.next() {
        let (t, v) = it.at()
        out.append(RawSample(t, v))
    }
    #expect(it.next() == false, "an exhausted iterator stays exhausted")
    return (out, it.error != nil)
}

/// Values a chunk must carry bit for bit.
let specialValues: [Double] = [
    .nan, -.nan, Double(bitPattern: 0x7FF0_0000_0000_0002),  // Prometheus stale marker
    Double(bitPattern: 0x7FF8_DEAD_BEEF_0001), Double(bitPattern: 0xFFF0_0000_0000_0001),  // payloads, signalling
    .infinity, -.infinity, 0.0, -0.0,
    .leastNonzeroMagnitude, -.leastNonzeroMagnitude, Double(bitPattern: 0x000F_FFFF_FFFF_FFFF),  // subnormals
    .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1.0, -1.0, 0.1,
]

/// Random series covering what the codec must survive: scrape-like times and
/// arbitrary Int64 jumps, counters, gauges, constants and special values.
func randomSeries(_ rng: inout SplitMix64, count: Int) -> [RawSample] {
    var t = Int64.random(in: -2_000_000_000_000...2_000_000_000_000, using: &rng)
    let interval = [Int64(1), 1000, 15_000, 60_000].randomElement(using: &rng)!
    let timeStyle = Int.random(in: 0..<4, using: &rng)
    let valueStyle = Int.random(in: 0..<7, using: &rng)
    var v = Double(Int.random(in: 0...1_000_000, using: &rng))
    var counter = v
    var out: [RawSample] = []
    for i in 0..<count {
        switch timeStyle {
        case 0:  // regular, no jitter
            t &+= interval
        case 1:  // scrape jitter
            t &+= interval &+ Int64.random(in: -5...5, using: &rng)
        case 2:  // anything at all, including wrap-around
            let jumps: [Int64] = [
                .max, .min, .max / 2, .min / 2, -1, 0, 1 << 31, -(1 << 31) - 1, 1 << 16, -(1 << 16) - 1, 129, -129,
            ]
            let jump = Bool.random(using: &rng) ? jumps.randomElement(using: &rng)! : Int64(bitPattern: rng.next())
            t &+= jump
        default:  // mostly regular with gaps and occasional reversals
            let r = Int.random(in: 0..<10, using: &rng)
            t &+= r == 0 ? -Int64.random(in: 1...100_000, using: &rng) : interval &* Int64(r)
        }
        switch valueStyle {
        case 0:  // integer counter
            v += Double(Int.random(in: 0...50, using: &rng))
        case 1:  // noisy gauge
            v = Double.random(in: -1000...1000, using: &rng)
        case 2:  // constant
            break
        case 3:  // arbitrary bit patterns: NaN payloads, subnormals, everything
            v = Double(bitPattern: rng.next())
        case 4:  // special values mixed with ordinary ones
            v = i % 3 == 0 ? Double(i) : specialValues.randomElement(using: &rng)!
        case 5:  // whole numbers of every size, some not exactly representable
            let r = Int.random(in: 0..<10, using: &rng)
            v = r == 0 ? -0.0 : r == 1 ? v + 0.5 : Double(Int64.random(in: -(1 << 54)...(1 << 54), using: &rng))
        default:  // counter with resets and stale markers
            let r = Int.random(in: 0..<20, using: &rng)
            counter = r == 0 ? 0 : counter + 1
            v = r == 1 ? Double(bitPattern: 0x7FF0_0000_0000_0002) : counter
        }
        out.append(RawSample(t, v))
    }
    return out
}
