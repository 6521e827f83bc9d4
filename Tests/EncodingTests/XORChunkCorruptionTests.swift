import Testing
import TestSupport

@testable import Encoding

/// Damaged bytes and wrong counts must end iteration with an error, never trap.
@Suite struct XORChunkCorruptionTests {
    @Test(arguments: 40..<43 as Range<UInt64>)
    func everyTruncationFails(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<30 {
            let samples = randomSeries(&rng, count: Int.random(in: 1...40, using: &rng))
            let bytes = encode(samples).bytes
            for length in 0..<bytes.count {
                // The last byte always holds a used bit, so any cut loses data.
                let cut = Array(bytes.prefix(length))
                let (decoded, failed) = decode(XORChunk(bytes: cut, sampleCount: samples.count))
                #expect(failed)
                #expect(decoded.count < samples.count)
                #expect(decoded == Array(samples.prefix(decoded.count)))
                #expect(throws: EncodingError.self) {
                    try XORAppender(resuming: cut, sampleCount: samples.count)
                }
            }
        }
    }

    /// Zero padding never decodes as a sample (every timestamp code opens with
    /// a run of zeros), so claiming more samples than encoded always fails.
    @Test(arguments: 45..<48 as Range<UInt64>)
    func tooLargeCountIsAlwaysDetected(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let samples = randomSeries(&rng, count: Int.random(in: 0...50, using: &rng))
            let bytes = encode(samples).bytes
            for extra in 1...3 {
                let (decoded, failed) = decode(XORChunk(bytes: bytes, sampleCount: samples.count + extra))
                #expect(failed)
                #expect(decoded == samples)
            }
        }
    }

    @Test(arguments: 50..<54 as Range<UInt64>)
    func randomDamageNeverTraps(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<300 {
            let samples = randomSeries(&rng, count: Int.random(in: 1...60, using: &rng))
            var bytes = encode(samples).bytes
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:  // flipped bits
                for _ in 0...Int.random(in: 0..<4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                }
            case 1:  // garbage
                bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            default:  // all ones: the widest codes everywhere
                bytes = [UInt8](repeating: 0xFF, count: Int.random(in: 0..<64, using: &rng))
            }
            let count = [samples.count, 0, -1, .max, Int.random(in: 0...1000, using: &rng)]
                .randomElement(using: &rng)!
            var it = XORChunk(bytes: bytes, sampleCount: count).makeIterator()
            var n = 0
            while it.next() { n += 1 }
            #expect(n <= max(count, 0))
            #expect(n <= bytes.count * 4)  // every sample after the first takes >= 2 bits
            if count > n { #expect(it.error != nil) }
            _ = try? XORAppender(resuming: bytes, sampleCount: count)
            var seeker = XORChunk(bytes: bytes, sampleCount: count).makeIterator()
            _ = seeker.seek(.max)
        }
    }

    @Test func impossibleWindowIsCorrupt() {
        // Sample 0 (t 0, value 0), then dod '0' and a new-window code claiming 31
        // leading zeros and 64 significant bits.
        var w = BitWriter(bytes: [0x00] + [UInt8](repeating: 0, count: 8), bitCount: 72)
        w.writeBit(false)
        w.writeBits(0b11, count: 2)
        w.writeBits(31, count: 5)
        w.writeBits(63, count: 6)
        w.writeBits(.max, count: 64)
        var it = XORChunk(bytes: w.bytes, sampleCount: 2).makeIterator()
        #expect(it.next() == true)
        #expect(it.next() == false)
        #expect(it.error?.code == .corrupt)
    }

    @Test func overlongFirstTimeIsCorrupt() {
        var it = XORChunk(bytes: [UInt8](repeating: 0xFF, count: 20), sampleCount: 1).makeIterator()
        #expect(it.next() == false)
        #expect(it.error?.code == .corrupt)
        var short = XORChunk(bytes: [0x80, 0x80], sampleCount: 1).makeIterator()
        #expect(short.next() == false)
        #expect(short.error?.code == .truncated)
    }

    @Test func negativeSampleCount() {
        var it = XORChunk(bytes: encode([RawSample(1, 1)]).bytes, sampleCount: -1).makeIterator()
        #expect(it.next() == false)
        #expect(it.error?.code == .invalidSampleCount)
    }
}
