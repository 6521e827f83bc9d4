import Testing
import TestSupport

@testable import Encoding

@Suite struct XORChunkIteratorTests {
    static let chunk = encode([RawSample(10, 1), RawSample(20, 2), RawSample(30, 3)]).chunk()

    @Test func seekSemantics() {
        var it = Self.chunk.makeIterator()
        #expect(it.seek(5) == true)
        #expect(it.at().t == 10)
        #expect(it.seek(10) == true)  // already there: stays
        #expect(it.at().t == 10)
        #expect(it.seek(15) == true)
        #expect(it.at() == (20, 2))
        #expect(it.seek(12) == true)  // never backwards
        #expect(it.at().t == 20)
        #expect(it.next() == true)
        #expect(it.at().t == 30)
        #expect(it.seek(30) == true)
        #expect(it.seek(31) == false)
        #expect(it.seek(0) == false)  // exhausted stays exhausted
        #expect(it.next() == false)
        #expect(it.error == nil)
    }

    @Test func seekFromStart() {
        var it = Self.chunk.makeIterator()
        #expect(it.seek(30) == true)
        #expect(it.at().t == 30)
        var past = Self.chunk.makeIterator()
        #expect(past.seek(.max) == false)
        var first = Self.chunk.makeIterator()
        #expect(first.seek(.min) == true)
        #expect(first.at().t == 10)
    }

    /// Interleaved next and seek calls against a linear scan of the samples.
    @Test(arguments: 30..<34 as Range<UInt64>)
    func randomSeeks(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<50 {
            var t: Int64 = Int64.random(in: -1000...1000, using: &rng)
            var samples: [RawSample] = []
            for i in 0..<Int.random(in: 0...150, using: &rng) {
                t += Int64.random(in: 1...20, using: &rng)
                samples.append(RawSample(t, Double(i)))
            }
            var it = encode(samples).chunk().makeIterator()
            var position = -1  // index of the current sample in `samples`
            for _ in 0..<40 {
                if Bool.random(using: &rng) {
                    let target = t - Int64.random(in: -50...Int64(samples.count * 20 + 50), using: &rng)
                    var expected = max(position, 0)
                    while expected < samples.count && samples[expected].t < target { expected += 1 }
                    let found = it.seek(target)
                    if position >= samples.count || expected >= samples.count {
                        #expect(!found)
                        position = samples.count
                    } else {
                        #expect(found)
                        #expect(it.at().t == samples[expected].t)
                        position = expected
                    }
                } else {
                    position = min(position + 1, samples.count)
                    #expect(it.next() == (position < samples.count))
                    if position < samples.count { #expect(it.at().t == samples[position].t) }
                }
            }
        }
    }
}
