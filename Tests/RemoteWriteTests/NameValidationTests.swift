import MeridianModel
import TestSupport
import Testing

@testable import RemoteWrite

/// The decoder's word-at-a-time name checks against ``NameValidation``.
@Suite struct NameValidationTests {
    static func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        bytes.withUnsafeBytes { raw in
            let start = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            #expect(
                NameValidation.isValidLabelName(start, count: raw.count) == NameValidation.isValidLabelName(raw),
                "label name \(bytes)", sourceLocation: sourceLocation)
            #expect(
                NameValidation.isValidMetricName(start, count: raw.count) == NameValidation.isValidMetricName(raw),
                "metric name \(bytes)", sourceLocation: sourceLocation)
        }
    }

    @Test func everyStringOfUpToTwoBytes() {
        Self.agree([])
        for a in 0...255 {
            Self.agree([UInt8(a)])
            for b in 0...255 { Self.agree([UInt8(a), UInt8(b)]) }
        }
    }

    @Test func everyByteAtEveryPositionOfLongerNames() {
        // One odd byte in an otherwise valid name, at each position of each
        // length: covers every lane of the padded, overlapping and whole words.
        for length in 3...24 {
            for position in 0..<length {
                for byte in 0...255 {
                    var name = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    name[position] = UInt8(byte)
                    Self.agree(name)
                }
            }
        }
    }

    @Test func randomNames() {
        var rng = SplitMix64(seed: 11)
        let alphabet = Array("azAZ_09:-.é\u{0}".utf8) + [0x40, 0x5b, 0x60, 0x7b, 0x2f, 0x3b, 0x7f, 0x80, 0xff]
        for _ in 0..<100_000 {
            Self.agree((0..<Int.random(in: 1...40, using: &rng)).map { _ in rng.pick(alphabet) })
        }
    }
}
