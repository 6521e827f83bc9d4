import TestSupport
import Testing

@testable import Encoding

/// Damaged columns and wrong counts never trap: decoding throws
/// ``EncodingError`` or returns `count` values. Cut-off and overlong
/// columns are always errors.
@Suite struct ColumnCorruptionTests {
    /// Encoded columns of every kind, with their counts.
    static func corpus() -> [(times: [UInt8], values: [UInt8], count: Int)] {
        var rng = SplitMix64(seed: 20)
        var out: [(times: [UInt8], values: [UInt8], count: Int)] = []
        for i in 0..<200 {
            let n = ColumnRoundTripTests.length(&rng, i % 40)
            let t = ColumnRoundTripTests.randomTimes(&rng, count: n)
            let v = ColumnRoundTripTests.randomValues(&rng, count: n)
            let timeKinds = TimestampColumn.Kind.allCases.compactMap { TimestampColumn.encode(t, as: $0) }
            let valueKinds = ColumnRoundTripTests.allEncodings(v)
            for j in 0..<max(timeKinds.count, valueKinds.count) {
                out.append((timeKinds[j % timeKinds.count], valueKinds[j % valueKinds.count], n))
            }
        }
        return out
    }

    /// Decodes and checks the outcome is an error or `count` values.
    static func survives(_ times: [UInt8], _ values: [UInt8], count: Int) -> (timesFailed: Bool, valuesFailed: Bool) {
        let t = Columns.decodeTimes(times, count: count)
        let v = Columns.decodeValues(values, count: count)
        if case .success(let decoded) = t { #expect(decoded.count == count) }
        if case .success(let decoded) = v { #expect(decoded.count == count) }
        return (t.isFailure, v.isFailure)
    }

    /// Prefix lengths to try: all of a short column; of a long one the
    /// first and last 24, where headers and final codes are.
    static func prefixLengths(_ count: Int) -> [Int] {
        count <= 64 ? Array(0..<count) : Array(0..<24) + Array((count - 24)..<count)
    }

    @Test func everyStrictPrefixFails() {
        for (times, values, count) in Self.corpus() {
            for length in Self.prefixLengths(times.count) {
                #expect(Self.survives(Array(times.prefix(length)), [], count: count).timesFailed, "\(times)")
            }
            for length in Self.prefixLengths(values.count) {
                #expect(Self.survives([], Array(values.prefix(length)), count: count).valuesFailed, "\(values)")
            }
        }
    }

    @Test func trailingBytesFail() {
        for (times, values, count) in Self.corpus() {
            for extra: UInt8 in [0x00, 0x01, 0xFF] {
                let (timesFailed, valuesFailed) = Self.survives(times + [extra], values + [extra], count: count)
                #expect(timesFailed && valuesFailed, "\(times) \(values) + \(extra)")
            }
        }
    }

    @Test func flippedBitsAndWrongCountsNeverTrap() {
        var rng = SplitMix64(seed: 21)
        for (times, values, count) in Self.corpus() {
            for _ in 0..<4 {
                var t = times
                var v = values
                t[Int.random(in: 0..<t.count, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                v[Int.random(in: 0..<v.count, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                _ = Self.survives(t, v, count: count)
                // Random bytes after a valid kind byte.
                let noiseCount = Int.random(in: 1...40, using: &rng)
                let noise = (0..<noiseCount).map { _ in UInt8.random(in: 0...255, using: &rng) }
                _ = Self.survives([times[0]] + noise, [values[0]] + noise, count: count)
            }
            for wrong in [count - 1, count + 1, count * 2, count + 1000] where wrong >= 0 {
                _ = Self.survives(times, values, count: wrong)
            }
        }
    }

    @Test func impossibleCountsAndKinds() {
        let t = TimestampColumn.encode([1, 2, 3])
        let v = ValueColumn.encode([1, 2, 3])
        #expect(Columns.decodeTimes(t, count: -1).error?.code == .invalidSampleCount)
        #expect(Columns.decodeValues(v, count: -1).error?.code == .invalidSampleCount)
        #expect(Columns.decodeTimes(t, count: 0).error?.code == .corrupt)
        #expect(Columns.decodeValues(v, count: 0).error?.code == .corrupt)
        #expect(Columns.decodeTimes([], count: 3).error?.code == .truncated)
        #expect(Columns.decodeValues([], count: 3).error?.code == .truncated)
        for kind: UInt8 in [0x00, 0x05, 0xFF] {
            #expect(Columns.decodeTimes([kind, 0, 0, 0], count: 3).error?.code == .corrupt)
        }
        for kind: UInt8 in [0x00, 0x04, 0x13, 0x38, 0x40, 0xFF] {
            #expect(Columns.decodeValues([kind, 0, 0, 0], count: 3).error?.code == .corrupt)
        }
        // A decimal column declaring 23 digits: 10^23 is not exact.
        #expect(Columns.decodeValues([0x20, 23, 0x00, 0x00, 0x00], count: 1).error?.code == .corrupt)
    }

    @Test func xorAndRiceDetectALargerCount() {
        // Their codes cannot be completed by zero padding.
        var rng = SplitMix64(seed: 22)
        for _ in 0..<200 {
            let n = Int.random(in: 1...130, using: &rng)
            let floats = Columns.utilisation(&rng, count: n)
            let xor = ValueColumn.encodeXOR(floats)
            #expect(Columns.decodeValues(xor, count: n + 1).isFailure)
            let y = (0..<n).map { _ in Int64.random(in: 0...3, using: &rng) }
            var rice: [UInt8] = []
            PackedInts.write(y, plan: PackedInts.Plan(rice: true, width: 0, scale: 1, base: 0), to: &rice)
            let column = [ValueColumn.Tag.integer] + rice
            #expect(Columns.decodeValues(column, count: n).isSuccess)
            #expect(Columns.decodeValues(column, count: n + 1).isFailure)
        }
    }
}

extension Result {
    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }

    var isSuccess: Bool { !isFailure }

    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
