import Testing
import TestSupport

@testable import Encoding

@Suite struct XORChunkResumeTests {
    /// Stopping after any sample, resuming and appending the rest gives the same
    /// bytes as never stopping, whether the resumed bytes end where that sample
    /// ended or carry the later samples' bits after it.
    @Test(arguments: 20..<26 as Range<UInt64>)
    func resumeAtEveryPoint(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<10 {
            let samples = randomSeries(&rng, count: Int.random(in: 1...80, using: &rng))
            let full = encode(samples)
            var partial = XORAppender()
            for k in 0...samples.count {
                for source in [partial.bytes, full.bytes] {
                    var resumed = try XORAppender(resuming: source, sampleCount: k)
                    #expect(resumed.bytes == partial.bytes)
                    #expect(resumed.sampleCount == k)
                    #expect(resumed.firstTime == partial.firstTime)
                    #expect(resumed.lastTime == partial.lastTime)
                    for s in samples[k...] { resumed.append(t: s.t, v: Double(bitPattern: s.bits)) }
                    #expect(resumed.bytes == full.bytes, "seed \(seed), resumed at \(k)")
                }
                if k < samples.count {
                    partial.append(t: samples[k].t, v: Double(bitPattern: samples[k].bits))
                }
            }
        }
    }

    @Test func resumeRejectsTooFewSamples() {
        let bytes = encode([RawSample(0, 1), RawSample(15_000, 2)]).bytes
        #expect(throws: EncodingError.self) { try XORAppender(resuming: bytes, sampleCount: 3) }
        #expect(throws: EncodingError.self) { try XORAppender(resuming: bytes, sampleCount: -1) }
        #expect(throws: EncodingError.self) { try XORAppender(resuming: [], sampleCount: 1) }
        #expect(throws: EncodingError.self) {
            try XORAppender(resuming: Array(bytes.dropLast()), sampleCount: 2)
        }
        do {
            _ = try XORAppender(resuming: Array(bytes.prefix(5)), sampleCount: 1)
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .truncated)
        }
    }

    @Test func resumeEmpty() throws {
        var resumed = try XORAppender(resuming: [1, 2, 3], sampleCount: 0)
        #expect(resumed.bytes.isEmpty)
        resumed.append(t: 1000, v: 1)
        #expect(resumed.bytes == encode([RawSample(1000, 1)]).bytes)
    }
}
