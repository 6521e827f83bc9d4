import Testing
import TestSupport

@testable import Encoding

@Suite struct VarintTests {
    @Test func unsignedGoldenBytes() {
        let cases: [(UInt64, [UInt8])] = [
            (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
            (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]),
            (.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ]
        for (value, golden) in cases {
            var out: [UInt8] = []
            Varint.appendUnsigned(value, to: &out)
            #expect(out == golden, "\(value)")
            #expect(Varint.size(value) == golden.count)
            golden.withUnsafeBytes { buffer in
                var cursor = ByteCursor(buffer)
                #expect(cursor.readUVarint() == value)
                #expect(cursor.isAtEnd)
            }
        }
    }

    @Test func signedGoldenBytes() {
        let cases: [(Int64, [UInt8])] = [
            (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-64, [0x7F]), (64, [0x80, 0x01]),
            (.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ]
        for (value, golden) in cases {
            var out: [UInt8] = []
            Varint.appendSigned(value, to: &out)
            #expect(out == golden, "\(value)")
            golden.withUnsafeBytes { buffer in
                var cursor = ByteCursor(buffer)
                #expect(cursor.readVarint() == value)
            }
        }
    }

    @Test func zigzag() {
        let cases: [(Int64, UInt64)] = [(0, 0), (-1, 1), (1, 2), (-2, 3), (.max, .max - 1), (.min, .max)]
        for (signed, unsigned) in cases {
            #expect(Varint.zigzag(signed) == unsigned)
            #expect(Varint.unzigzag(unsigned) == signed)
        }
        var rng = SplitMix64(seed: 7)
        for _ in 0..<10_000 {
            let v = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...63, using: &rng)
            #expect(Varint.unzigzag(Varint.zigzag(v)) == v)
            var out: [UInt8] = []
            Varint.appendSigned(v, to: &out)
            out.withUnsafeBytes { buffer in
                var cursor = ByteCursor(buffer)
                #expect(cursor.readVarint() == v)
                #expect(cursor.offset == out.count)
            }
        }
    }

    @Test func malformedInputReturnsNilAndKeepsOffset() {
        let cases: [[UInt8]] = [
            [], [0x80], [0xFF, 0xFF],
            [UInt8](repeating: 0xFF, count: 11),  // longer than 10 bytes
            [UInt8](repeating: 0xFF, count: 9) + [0x02],  // 10th byte overflows 64 bits
        ]
        for bytes in cases {
            bytes.withUnsafeBytes { buffer in
                var cursor = ByteCursor(buffer)
                #expect(cursor.readUVarint() == nil, "\(bytes)")
                #expect(cursor.offset == 0)
            }
        }
    }

    @Test func fixedWidthAndBytes() {
        var out: [UInt8] = []
        out.appendUInt32LE(0x0403_0201)
        out.appendUInt64LE(0x0C0B_0A09_0807_0605)
        #expect(out == Array(1...12))
        out.withUnsafeBytes { buffer in
            var cursor = ByteCursor(buffer)
            #expect(cursor.readUInt32LE() == 0x0403_0201)
            #expect(cursor.readByte() == 5)
            #expect(cursor.readUInt64LE() == nil)  // 7 bytes left
            #expect(cursor.remaining == 7)
            #expect(cursor.readBytes(3).map(Array.init) == [6, 7, 8])
            #expect(cursor.readBytes(5) == nil)
            #expect(cursor.readBytes(-1) == nil)
            #expect(cursor.readUInt32LE() == 0x0C0B_0A09)
            #expect(cursor.isAtEnd)
            #expect(cursor.readByte() == nil)
            #expect(cursor.readUInt32LE() == nil)
        }
    }
}
