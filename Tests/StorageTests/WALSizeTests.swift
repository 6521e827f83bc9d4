import TestSupport
import Testing

@testable import Storage

@Suite("WAL size on disk")
struct WALSizeTests {
    /// A remote-write request as the head logs it: 2000 samples of series
    /// with roughly sequential refs, one scrape's timestamp ±3 ms, and values
    /// of every kind (counters, gauges, small integers).
    static func realisticRecord(seed: UInt64 = 2024) -> [RefSample] {
        var rng = SplitMix64(seed: seed)
        var ref: UInt64 = 48_213
        return (0..<2000).map { i in
            ref += rng.next() % 10 == 0 ? 1 + rng.next() % 20 : 1
            let t = 1_700_000_015_000 + Int64(rng.next() % 7) - 3
            let v: Double
            switch i % 4 {
            case 0: v = Double(rng.next() % 10_000_000)  // counter
            case 1: v = Double(rng.next() % 1_000_000) / 1000  // gauge
            case 2: v = Double(rng.next() % 4)  // state
            default: v = Double(bitPattern: 0x3ff0_0000_0000_0000 | (rng.next() >> 12))  // any float in [1, 2)
            }
            return RefSample(ref: ref, t: t, v: v)
        }
    }

    @Test func realisticSamplesRecordIsAboutTenBytesPerSample() {
        let bytes = framed(.samples(Self.realisticRecord())).count
        let perSample = Double(bytes) / 2000
        // 1 byte ref delta + 1 byte time delta + 8 value bytes, plus 9+~10 bytes per record.
        #expect(perSample < 10.1, "\(perSample) bytes per sample")
    }
}
