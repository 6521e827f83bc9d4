import Testing
import TestSupport

@testable import Encoding

@Suite struct BitStreamTests {
    @Test func writerGoldenBytes() {
        var w = BitWriter()
        w.writeBit(true)
        w.writeBits(0b01, count: 2)
        w.writeBits(0xABC, count: 12)  // 1010 1011 1100
        w.writeBits(0xFFFF, count: 0)  // no-op
        w.writeBits(0xFFFF_FFFF_FFFF_FFFB, count: 3)  // only the low bits count: 011
        // 1 01 101010111100 011 -> 10110101 01111000 11000000
        #expect(w.bytes == [0xB5, 0x78, 0xC0])
        #expect(w.bitCount == 18)
    }

    @Test func writerUnaligned64Bits() {
        var w = BitWriter()
        w.writeBit(true)
        w.writeBit(true)
        w.writeBits(0x0123_4567_89AB_CDEF, count: 64)
        // 0b11 << 62 | v >> 2 = 0xC048D159E26AF37B, then v & 3 = 0b11 -> 0xC0.
        #expect(w.bytes == [0xC0, 0x48, 0xD1, 0x59, 0xE2, 0x6A, 0xF3, 0x7B, 0xC0])
        #expect(w.bitCount == 66)
    }

    @Test func resumeClearsUnusedBitsAndDropsExtraBytes() {
        var w = BitWriter(bytes: [0xB5, 0xFF, 0xFF, 0xEE], bitCount: 12)
        #expect(w.bytes == [0xB5, 0xF0])
        #expect(w.bitCount == 12)
        w.writeBits(0b0101, count: 4)
        #expect(w.bytes == [0xB5, 0xF5])
        #expect(BitWriter(bytes: [1, 2], bitCount: 0).bytes == [])
        #expect(BitWriter(bytes: [1, 2], bitCount: 16).bytes == [1, 2])
    }

    @Test func readerReturnsNilWithoutConsuming() {
        let bytes: [UInt8] = [0xB5, 0x78, 0xC0]
        bytes.withUnsafeBytes { buffer in
            var r = BitReader(buffer)
            #expect(r.readBit() == true)
            #expect(r.peekBits(2) == 0b01)
            #expect(r.readBits(2) == 0b01)
            #expect(r.readBits(12) == 0xABC)
            #expect(r.bitsRemaining == 9)
            #expect(r.readBits(10) == nil)
            #expect(r.peekBits(10) == nil)
            #expect(r.bitPosition == 15)
            #expect(r.readBits(0) == 0)
            #expect(r.readBits(9) == 0b0_1100_0000)
            #expect(r.readBit() == nil)
            #expect(r.readBits(1) == nil)
            #expect(r.skipBits(1) == false)
        }
        [UInt8]().withUnsafeBytes { buffer in
            var r = BitReader(buffer)
            #expect(r.readBit() == nil)
            #expect(r.peekBits(1) == nil)
            #expect(r.readBits(0) == 0)
        }
    }

    @Test func reader64BitsAtEveryAlignment() {
        let bytes: [UInt8] = [0xC0, 0x48, 0xD1, 0x59, 0xE2, 0x6A, 0xF3, 0x7B, 0xC0]
        bytes.withUnsafeBytes { buffer in
            var r = BitReader(buffer, bitPosition: 2)
            #expect(r.peekBits(64) == 0x0123_4567_89AB_CDEF)
            #expect(r.readBits(64) == 0x0123_4567_89AB_CDEF)
            #expect(r.bitsRemaining == 6)
        }
    }

    /// Random widths at random alignments read back what was written, through
    /// both the 8-byte load and the near-the-end path.
    @Test(arguments: [1, 2, 3, 42] as [UInt64])
    func randomRoundTrip(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var w = BitWriter()
        var written: [(UInt64, Int)] = []
        for _ in 0..<2000 {
            let count = Int.random(in: 0...64, using: &rng)
            let value = rng.next()
            let low = count == 64 ? value : value & ((1 << UInt64(count)) - 1)
            if count == 1 && Bool.random(using: &rng) {
                w.writeBit(low == 1)
            } else {
                w.writeBits(value, count: count)
            }
            written.append((low, count))
        }
        #expect(w.bitCount == written.reduce(0) { $0 + $1.1 })
        #expect(w.bytes.count == (w.bitCount + 7) / 8)
        w.bytes.withUnsafeBytes { buffer in
            var r = BitReader(buffer)
            for (value, count) in written {
                #expect(r.peekBits(count) == value)
                #expect(r.readBits(count) == value)
            }
            #expect(r.bitsRemaining == w.bytes.count * 8 - w.bitCount)
        }
    }
}
