import Testing
import TestSupport

@testable import Encoding

@Suite struct XORChunkRoundTripTests {
    /// Many random series, each decoded back bit for bit.
    @Test(arguments: 0..<8 as Range<UInt64>)
    func randomSeriesRoundTrip(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let samples = randomSeries(&rng, count: Int.random(in: 1...300, using: &rng))
            let appender = encode(samples)
            let chunk = appender.chunk()
            #expect(chunk.bytes == appender.bytes)
            #expect(chunk.sampleCount == samples.count)
            #expect(appender.firstTime == samples.first?.t)
            #expect(appender.lastTime == samples.last?.t)
            let (decoded, failed) = decode(chunk)
            #expect(!failed)
            #expect(decoded == samples, "seed \(seed)")
        }
    }

    /// The appender's bytes decode after every single append, not only at the end.
    @Test(arguments: 10..<14 as Range<UInt64>)
    func decodableAtEveryMoment(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<20 {
            let samples = randomSeries(&rng, count: 60)
            var appender = XORAppender()
            for (i, s) in samples.enumerated() {
                appender.append(t: s.t, v: Double(bitPattern: s.bits))
                let (decoded, failed) = decode(XORChunk(bytes: appender.bytes, sampleCount: i + 1))
                #expect(!failed)
                #expect(decoded == Array(samples[...i]))
            }
        }
    }

    @Test func specialValuesBitExact() {
        // Every special value after every other, so each is both the XOR base and
        // the XOR target, with both window codes in play.
        var samples: [RawSample] = []
        var t: Int64 = 0
        for a in specialValues {
            for b in specialValues {
                samples.append(RawSample(t, a))
                samples.append(RawSample(t + 1, b))
                t += 2
            }
        }
        let (decoded, failed) = decode(encode(samples).chunk())
        #expect(!failed)
        #expect(decoded == samples)
    }

    @Test func extremeTimestamps() {
        let times: [Int64] = [.min, .max, .min, 0, -1, .max, .max - 1, .min + 1, 1 << 62, -(1 << 62), 0, 0, 0]
        let samples = times.enumerated().map { RawSample($1, Double($0)) }
        let (decoded, failed) = decode(encode(samples).chunk())
        #expect(!failed)
        #expect(decoded == samples)
        for first in [Int64.min, .max, -1, 0] {
            #expect(encode([RawSample(first, 1)]).firstTime == first)
        }
    }

    @Test func constantSeriesCostsTwoBitsPerSample() {
        var appender = XORAppender()
        for i in 0..<1000 { appender.append(t: Int64(i) * 15_000, v: 42) }
        // 9 bytes for the first sample (time 0 is one varint byte), 25 + 1 bits
        // for the second, then '1' and '0' for each of the rest.
        #expect(appender.bytes.count == 9 + (26 + 998 * 2 + 7) / 8)
    }

    @Test func integerEdges() {
        // Whole numbers at and past 2^53, -0.0 next to 0, and residuals that
        // need all 64 bits: each must come back exact, whichever code it took.
        let p53 = 9_007_199_254_740_992.0
        let values: [Double] = [
            0, -0.0, 0, -0.0, -0.0, 5, -0.0, p53, -p53, p53, p53 + 2, p53, -p53, 1, -1, p53 - 1,
            -(p53 - 1), 0.5, 3, 4, 5, 7, 3, -p53, 1e300, 2, .nan, 2, 4, 6, 8, 10, 1e16, 1e16 + 2, 1e16 + 4,
        ]
        let samples = values.enumerated().map { RawSample(Int64($0) * 1000, $1) }
        let (decoded, failed) = decode(encode(samples).chunk())
        #expect(!failed)
        #expect(decoded == samples)
    }
}
