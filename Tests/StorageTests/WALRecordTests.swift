import MeridianModel
import TestSupport
import Testing

@testable import Storage

@Suite("WAL record codec")
struct WALRecordTests {
    /// A samples record framed, byte by byte (docs/format/wal.md).
    @Test func goldenSamplesFrame() {
        let record = WALRecord.samples([
            RefSample(ref: 100, t: 1_700_000_000_000, v: 1.0),
            RefSample(ref: 101, t: 1_700_000_000_003, v: StaleMarker.value),
            RefSample(ref: 99, t: 1_699_999_999_998, v: -.infinity),
        ])
        let expected: [UInt8] = [
            // frame: kind 1, payload length 39 (LE), CRC32C of the payload (LE)
            0x01, 0x27, 0x00, 0x00, 0x00, 0xe6, 0x47, 0x97, 0x02,
            // payload: type 2 (samples), count 3
            0x02, 0x03,
            // first ref 100; first time 1_700_000_000_000 zig-zagged to
            // 3_400_000_000_000 = 0x317_9FCA_D000, as 6 LEB128 groups
            0x64, 0x80, 0xa0, 0xab, 0xfe, 0xf9, 0x62,
            // sample 0: ref +0, time +0, 1.0 = 0x3FF0_0000_0000_0000
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f,
            // sample 1: ref +1 (zz 2), time +3 (zz 6), stale marker 0x7FF0_0000_0000_0002
            0x02, 0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x7f,
            // sample 2: ref -2 from the previous (zz 3), time -2 from the first (zz 3), -Inf
            0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0xff,
        ]
        #expect(framed(record) == expected)
    }

    @Test func goldenSeriesFrame() {
        let record = WALRecord.series([RefSeries(ref: 7, labels: Labels(["job": "node", "__name__": "up"]))])
        let expected: [UInt8] = [
            // frame: kind 1, payload length 25, CRC32C
            0x01, 0x19, 0x00, 0x00, 0x00, 0x73, 0x5e, 0x7b, 0x5d,
            // type 1 (series), 1 series, ref 7, 2 labels (sorted by name)
            0x01, 0x01, 0x07, 0x02,
            // 8 "__name__", 2 "up"
            0x08, 0x5f, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f, 0x02, 0x75, 0x70,
            // 3 "job", 4 "node"
            0x03, 0x6a, 0x6f, 0x62, 0x04, 0x6e, 0x6f, 0x64, 0x65,
        ]
        #expect(framed(record) == expected)
    }

    @Test func emptyRecordsRoundTrip() throws {
        for record in [WALRecord.samples([]), .series([]), .chunks([])] {
            #expect(try roundTrip(record) == record)
        }
        var out: [UInt8] = []
        WALRecord.samples([]).encode(into: &out)
        #expect(out == [0x02, 0x00])
    }

    @Test("seeded round trips", arguments: [1, 2, 3, 0xdead_beef] as [UInt64])
    func seededRoundTrips(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<300 {
            let record = rng.record()
            #expect(try roundTrip(record) == record)
        }
    }

    @Test func extremesRoundTripBitExactly() throws {
        // Deltas that overflow Int64 unless the codec wraps.
        let samples = [
            RefSample(ref: 0, t: .max, v: StaleMarker.value),
            RefSample(ref: .max, t: .min, v: .nan),
            RefSample(ref: 0, t: 0, v: -.infinity),
            RefSample(ref: .max / 2, t: .max, v: .infinity),
            RefSample(ref: 1, t: -1, v: Double(bitPattern: 0x7ff8_0000_0000_1234)),
        ]
        let decoded = try roundTrip(.samples(samples))
        guard case .samples(let back) = decoded else {
            Issue.record("wrong case \(decoded)")
            return
        }
        #expect(back.map(\.v.bitPattern) == samples.map(\.v.bitPattern))
        #expect(back == samples)

        let chunk = RefChunk(ref: .max, minTime: .max, maxTime: .min, sampleCount: -1, encoding: 255, bytes: [0, 1, 2])
        #expect(try roundTrip(.chunks([chunk])) == .chunks([chunk]))
    }

    @Test func unicodeLabelsRoundTrip() throws {
        let series = RefSeries(
            ref: 42,
            labels: Labels(["__name__": "http_requests_total", "city": "北京", "emoji": "🦀🚀", "quote": "a\"b\\c\nd"]))
        #expect(try roundTrip(.series([series])) == .series([series]))
    }

    /// Every truncation of a valid payload throws; none crashes or allocates
    /// by a count the bytes cannot back.
    @Test func truncatedPayloadsThrow() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<40 {
            var payload: [UInt8] = []
            let record = rng.record()
            record.encode(into: &payload)
            for cut in 0..<payload.count {
                let prefix = Array(payload[0..<cut])
                // An empty list's encoding is a prefix of a longer one's only
                // when it is the whole payload, so every cut must fail.
                #expect(throws: StorageError.self) { try prefix.withUnsafeBytes { try WALRecord.decode($0) } }
            }
        }
    }

    @Test func garbageNeverCrashes() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<2000 {
            var bytes = (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if !bytes.isEmpty { bytes[0] = UInt8(1 + rng.next() % 3) }
            _ = try? bytes.withUnsafeBytes { try WALRecord.decode($0) }
        }
    }

    @Test func rejectsUnknownTypeAndTrailingBytes() {
        #expect(throws: StorageError.self) { try [UInt8]([0x09, 0x00]).withUnsafeBytes { try WALRecord.decode($0) } }
        #expect(throws: StorageError.self) {
            try [UInt8]([0x02, 0x00, 0x00]).withUnsafeBytes { try WALRecord.decode($0) }
        }
        // A count that 3 remaining bytes cannot hold.
        #expect(throws: StorageError.self) {
            try [UInt8]([0x02, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0]).withUnsafeBytes { try WALRecord.decode($0) }
        }
    }

    @Test func encodeAppendsAfterExistingBytes() throws {
        var out: [UInt8] = [0xaa, 0xbb]
        let record = WALRecord.samples([RefSample(ref: 1, t: 2, v: 3)])
        record.encode(into: &out)
        #expect(out[0..<2] == [0xaa, 0xbb])
        #expect(try out[2...].withUnsafeBytes { try WALRecord.decode($0) } == record)
    }

    private func roundTrip(_ record: WALRecord) throws -> WALRecord {
        var payload: [UInt8] = []
        record.encode(into: &payload)
        return try payload.withUnsafeBytes { try WALRecord.decode($0) }
    }
}
