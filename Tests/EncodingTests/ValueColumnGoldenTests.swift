import Testing

@testable import Encoding

/// Bytes worked out by hand from docs/format/columns.md, one test per kind
/// (the integer example is the doc's worked example). If one fails, the
/// format changed: update the doc with it, don't just update the bytes.
@Suite struct ValueColumnGoldenTests {
    func expectGolden(_ v: [Double], _ encoded: [UInt8]?, _ bytes: [UInt8], kind: ValueColumn.Kind) {
        #expect(encoded == bytes)
        #expect(ValueColumn.kind(of: bytes) == kind)
        #expect((try? Columns.decodeValues(bytes, count: v.count).get()) == v.map(\.bitPattern))
    }

    @Test func empty() {
        #expect(ValueColumn.encode([]) == [])
        #expect((try? Columns.decodeValues([], count: 0).get()) == [])
    }

    @Test func constant() {
        let v = [Columns.staleMarker, Columns.staleMarker]
        // 01 | 0x7FF0000000000002 little-endian
        expectGolden(
            v, ValueColumn.encode(v), [0x01, 0x02, 0, 0, 0, 0, 0, 0xF0, 0x7F], kind: .constant)
    }

    @Test func constantInteger() {
        let v: [Double] = [1, 1, 1]
        expectGolden(v, ValueColumn.encode(v), [0x02, 0x02], kind: .constantInteger)
        // -0.0 is no integer: raw bits.
        let negativeZero: [Double] = [-0.0, -0.0]
        expectGolden(
            negativeZero, ValueColumn.encode(negativeZero), [0x01, 0, 0, 0, 0, 0, 0, 0, 0x80], kind: .constant)
    }

    @Test func integerDeltas() {
        // The worked example of docs/format/columns.md. Deltas 3 0 7: base 0,
        // width 3, slots 011 000 111.
        let v: [Double] = [100, 103, 103, 110]
        expectGolden(
            v, ValueColumn.encodeScaled(v, digits: 0, orders: [1]),
            [
                0x11, 0xC8, 0x01,  // integers of order 1; x₀ = 100 (zigzag 200)
                0x03, 0x00, 0x00,  // width 3, base 0, no patches
                0x63, 0x80,  // 011 000 11|1 (0000000)
            ],
            kind: .integer(order: 1, exceptions: false))
        // As values it is a byte shorter, which the chooser finds: base 100
        // (zigzag 200), width 4, slots 0 3 3 10.
        #expect(ValueColumn.encode(v) == [0x10, 0x04, 0xC8, 0x01, 0x00, 0x03, 0x3A])
    }

    @Test func integerExceptions() {
        // The stale marker and a NaN ride along as exceptions; their slots
        // repeat the integer before them: 5 6 6 8 8, deltas 1 0 2 0.
        let nan = Double(bitPattern: 0x7FF8_0000_0000_0001)
        let v: [Double] = [5, 6, Columns.staleMarker, 8, nan]
        expectGolden(
            v, ValueColumn.encodeScaled(v, digits: 0, orders: [1]),
            [
                0x19,  // integers, exceptions, order 1
                0x02,  // two exceptions
                0x05,  // gap 2 << 1 | stale
                0x02, 0x01, 0, 0, 0, 0, 0, 0xF8, 0x7F,  // gap 1 << 1, then the bits
                0x0A,  // x₀ = 5
                0x02, 0x00, 0x00, 0x48,  // width 2, base 0, no patches: 01 00 10 00
            ],
            kind: .integer(order: 1, exceptions: true))
    }

    @Test func decimal() {
        // 25 150 1234 hundredths, as values: base 25 (zigzag 50), width 11,
        // slots 0 125 1209.
        let v: [Double] = [0.25, 1.5, 12.34]
        expectGolden(
            v, ValueColumn.encodeScaled(v, digits: 2, orders: [0]),
            [
                0x20, 0x02,  // decimals of order 0, 2 digits
                0x0B, 0x32, 0x00,  // width 11, base 25, no patches
                0x00, 0x01, 0xF6, 0x5C, 0x80,  // 00000000000 00001111101 10010111001 (0000000)
            ],
            kind: .decimal(digits: 2, order: 0, exceptions: false))
        // Three values are cheaper as x₀ 25, d₁ 125 and one dod 959, in a
        // base alone (width 0): the chooser finds that.
        #expect(
            ValueColumn.encode(v) == [
                0x22, 0x02,  // decimals of order 2, 2 digits
                0x32, 0xFA, 0x01,  // x₀ 25, d₁ 125 (zigzag 250)
                0x00, 0xFE, 0x0E, 0x00,  // width 0, base 959 (zigzag 1918), no patches
            ])
    }

    @Test func xor() {
        // 1.0 raw; repeat '1'; 1.5: XOR 0x0008… new window '00' 01100 000000
        // '1'; 1.25: XOR 0x000C…, trailing zeros 50 < 51, new window '00'
        // 01100 000001 '11'.
        let v: [Double] = [1.0, 1.0, 1.5, 1.25]
        expectGolden(
            v, ValueColumn.encodeXOR(v),
            [
                0x03, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0,
                0x8C, 0x02, 0x30, 0x1C,  // 1 | 00 01100 000000 1 | 00 01100 000001 11 | 00
            ],
            kind: .xor)
    }

    @Test func floatBits() {
        // Bit patterns 0x3FF0…, 0x3FF8…, 0x4000…: deltas 2^51 twice, so
        // width 0 at base 2^51 (zigzag 2^52).
        let v: [Double] = [1.0, 1.5, 2.0]
        expectGolden(
            v, ValueColumn.encodeFloatBits(v, orders: [1]),
            [
                0x31,  // float bits of order 1
                0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0xF0, 0x7F,  // zigzag(0x3FF0…) = 0x7FE0…
                0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00,  // width 0, base 2^51, no patches
            ],
            kind: .floatBits(order: 1))
    }

    @Test func riceWithScaleAndPatch() {
        // yᵢ = 4·uᵢ with u = 0 1 2 0 100, Rice parameter 1: low bits 0 1 0 0 0;
        // quotients 0 0 1 0 and 50, which is patched (high part 50, zigzag
        // 100 = 0x64) and leaves quotient 0. Unary LSB first: 1 1 01 1 1.
        let y: [Int64] = [0, 4, 8, 0, 400]
        var out: [UInt8] = []
        PackedInts.write(y, plan: PackedInts.Plan(rice: true, width: 1, scale: 4, base: 0), to: &out)
        let golden: [UInt8] = [
            0xC1, 0x04, 0x00,  // Rice | scale | k 1; scale 4; base 0
            0x01, 0x04, 0x64,  // one patch: value 4, high part 50
            0x40,  // low bits 01000 (000)
            0x3B,  // unary bitmap 1,1,0,1,1,1 from bit 0: 0b00111011
        ]
        #expect(out == golden)
        let decoded = golden.withUnsafeBytes { buffer -> [Int64]? in
            var cursor = ByteCursor(buffer)
            var out = [Int64](repeating: 0, count: y.count)
            do {
                try out.withUnsafeMutableBufferPointer {
                    try PackedInts.decode(&cursor, count: y.count, into: $0.baseAddress!)
                }
            } catch {
                return nil
            }
            return cursor.isAtEnd ? out : nil
        }
        #expect(decoded == y)
    }
}
