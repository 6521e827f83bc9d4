import Testing

@testable import Encoding

/// Bytes worked out by hand from docs/format/columns.md, one test per kind.
/// If one fails, the format changed: update the doc with it (and think about
/// blocks already on disk), don't just update the bytes.
@Suite struct TimestampColumnGoldenTests {
    func expectGolden(_ t: [Int64], _ bytes: [UInt8], kind: TimestampColumn.Kind, chosen: Bool) {
        let encoded = chosen ? TimestampColumn.encode(t) : TimestampColumn.encode(t, as: kind)
        #expect(encoded == bytes)
        #expect(TimestampColumn.kind(of: bytes) == kind)
        #expect((try? Columns.decodeTimes(bytes, count: t.count).get()) == t)
    }

    @Test func kindBytes() {
        // Stored in blocks: never renumber.
        #expect(TimestampColumn.Kind.allCases.map(\.rawValue) == [1, 2, 3, 4])
    }

    @Test func empty() {
        #expect(TimestampColumn.encode([]) == [])
        #expect((try? Columns.decodeTimes([], count: 0).get()) == [])
    }

    @Test func regular() {
        // 01 | zigzag(1000) = 2000 = D0 0F | zigzag(15000) = 30000 = B0 EA 01
        expectGolden([1000, 16_000, 31_000], [0x01, 0xD0, 0x0F, 0xB0, 0xEA, 0x01], kind: .regular, chosen: true)
        // One timestamp: no interval.
        expectGolden([1000], [0x01, 0xD0, 0x0F], kind: .regular, chosen: true)
    }

    @Test func delta() {
        // Deltas 10 10 11 8 961. Base 8 (zigzag 16 = 10), width 2: slots
        // 2 2 3 0 1; 953 = 238 << 2 | 1 patches value 4 with high part 238
        // (zigzag 476 = DC 03).
        expectGolden(
            [0, 10, 20, 31, 39, 1000],
            [
                0x02, 0x00,  // kind, t₀ = 0
                0x02, 0x10, 0x01,  // mode: width 2; base 8; one patch
                0x04, 0xDC, 0x03,  // at value 4, high part 238
                0xAC, 0x40,  // 10 10 11 00 01 (000000)
            ],
            kind: .delta, chosen: false)
    }

    @Test func deltaOfDelta() {
        // t₀ 0, first delta 10 (zigzag 20 = 14), then dods 0 1 -2: base -2
        // (zigzag 3), width 2, slots 2 3 0.
        expectGolden(
            [0, 10, 20, 31, 40], [0x03, 0x00, 0x14, 0x02, 0x03, 0x00, 0xB0], kind: .deltaOfDelta, chosen: false)
    }

    @Test func grid() {
        // D = 15000 (the end points over 5 steps); steps 1 1 1 2, so one skip
        // at residual 3 with one extra step. Residuals 2 -1 1 0: base -1,
        // width 2, slots 3 0 2 1.
        expectGolden(
            [1000, 16_002, 30_999, 46_001, 76_000],
            [
                0x04, 0xD0, 0x0F, 0xB0, 0xEA, 0x01,  // kind, t₀ 1000, D 15000
                0x01, 0x03, 0x02,  // one skip: residual 3, +1 step
                0x02, 0x01, 0x00, 0xC9,  // width 2, base -1, no patches, 11 00 10 01
            ],
            kind: .grid, chosen: false)
    }
}
