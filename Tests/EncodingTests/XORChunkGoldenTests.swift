import Testing

@testable import Encoding

/// Bytes worked out by hand from docs/format/chunk.md. If one of these fails,
/// the format changed: update the doc and bump the encoding id, don't just
/// update the bytes.
@Suite struct XORChunkGoldenTests {
    static let samples: [RawSample] = [
        RawSample(1000, 1.0),
        RawSample(16_000, 1.0),  // dod +15000; value repeats
        RawSample(31_003, 2.0),  // dod +3; integer residual 1, new width 2
        RawSample(45_998, 3.0),  // dod -8; residual 3 - (2 + 1) = 0 in width 2
        RawSample(60_993, 3.5),  // dod 0; XOR 0x0004000000000000, new window
        RawSample(75_993, 3.0),  // dod +5; same XOR bit, window reused
    ]

    static let golden: [UInt8] = [
        // Sample 0: zig-zag varint of 1000 (2000 = 0x7D0 -> D0 0F), then 1.0 raw.
        0xD0, 0x0F, 0x3F, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        // 00001 0 0000010101010000011 | 0            15000 = 4117 + 10883 | repeat
        // 01 0 10 | 1110 000001 01                   3 = 1 + 2 | width 2, +1
        // 001 1 0011 | 10 00                         -8 = -(5 + 3) | 0
        // 1 | 1111 01101 000000 1                    0 | 13 leading, 1 bit, 1
        // 001 0 0000 | 110 1                         5 = 5 + 0 | 1
        // 00001000 00010101 01000001 10010101 11000000 10100110 01110001
        // 11110110 10000001 00100000 1101(0000)
        0x08, 0x15, 0x41, 0x95, 0xC0, 0xA6, 0x71, 0xF6, 0x81, 0x20, 0xD0,
    ]

    @Test func encodingID() {
        // Stored beside chunks on disk: never reuse or renumber.
        #expect(XORChunk.encodingID == 1)
    }

    @Test func encodesToGoldenBytes() {
        let appender = encode(Self.samples)
        #expect(appender.bytes == Self.golden)
        #expect(appender.sampleCount == 6)
        #expect(appender.firstTime == 1000)
        #expect(appender.lastTime == 75_993)
    }

    @Test func decodesGoldenBytes() {
        let (samples, failed) = decode(XORChunk(bytes: Self.golden, sampleCount: 6))
        #expect(samples == Self.samples)
        #expect(!failed)
    }

    @Test func goldenPrefixes() {
        // Bits are only ever appended: after each sample the bytes are the
        // golden bytes cut at that sample's last bit, and they decode.
        var appender = XORAppender()
        let bitCounts = [80, 106, 123, 135, 152, 164]
        for (i, (s, bits)) in zip(Self.samples, bitCounts).enumerated() {
            appender.append(t: s.t, v: Double(bitPattern: s.bits))
            var expected = Array(Self.golden.prefix((bits + 7) / 8))
            expected[expected.count - 1] &= ~UInt8((1 << ((8 - bits % 8) % 8)) - 1)
            #expect(appender.bytes == expected)
            #expect(decode(appender.chunk()).samples == Array(Self.samples.prefix(i + 1)))
        }
    }

    @Test func bucketBoundaries() {
        // Each delta-of-delta bucket at both edges, and the first value past
        // them, costs the documented number of bits.
        let cases: [(dod: Int64, bits: Int)] = [
            (0, 1), (1, 5), (-1, 5), (4, 5), (-4, 5), (5, 8), (-5, 8), (20, 8), (-20, 8),
            (21, 17), (-21, 17), (4116, 17), (-4116, 17), (4117, 25), (-4117, 25), (528_404, 25),
            (-528_404, 25), (528_405, 69), (-528_405, 69), (.max, 69), (.min, 69),
        ]
        for (dod, bits) in cases {
            var w = BitWriter()
            var pending = PendingBits()
            XORFormat.writeDeltaOfDelta(dod, to: &pending, &w)
            pending.flush(to: &w)
            #expect(w.bitCount == bits, "dod \(dod)")
            w.bytes.withUnsafeBytes { buffer in
                var r = BitReader(buffer)
                #expect(XORFormat.readDeltaOfDelta(from: &r) == dod)
                #expect(r.bitPosition == bits)
            }
        }
    }

    @Test func emptyChunk() {
        let appender = XORAppender()
        #expect(appender.bytes.isEmpty)
        #expect(appender.firstTime == nil)
        #expect(appender.lastTime == nil)
        var it = appender.chunk().makeIterator()
        #expect(it.next() == false)
        #expect(it.seek(.min) == false)
        #expect(it.error == nil)
    }

    @Test func bytesGrowModestly() {
        var appender = XORAppender()
        #expect(appender.bytes.capacity == 0)
        for i in 0..<120 { appender.append(t: Int64(i) * 15_000, v: Double(i * 7)) }
        let bytes = appender.bytes
        // Growth by half, from 16 bytes: never more than 1.5x plus the first step.
        #expect(bytes.capacity <= bytes.count * 3 / 2 + 16)
    }

    @Test func appenderStaysSmall() {
        // 100k open series each hold one; see XORAppender's doc comment.
        #expect(MemoryLayout<XORAppender>.size <= 48)
        #expect(MemoryLayout<BitWriter>.size <= 9)
    }
}
