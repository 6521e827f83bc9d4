import MeridianModel
import Testing

@Suite struct UTF8SequenceTests {
    /// Every lead and second byte, followed by good and bad continuations:
    /// a length is given exactly when that many bytes decode, as Swift's own
    /// validation decodes them, to one scalar.
    @Test func agreesWithSwiftsValidation() {
        let tails: [[UInt8]] = [[], [0x80, 0xBF], [0x80, 0x41], [0x41]]
        var disagreements: [[UInt8]] = []
        for lead in 0...0xFF {
            for second in 0...0xFF {
                for tail in tails {
                    let bytes = [UInt8(lead), UInt8(second)] + tail
                    let length = UTF8Sequence.length(at: 0, count: bytes.count) { bytes[$0] }
                    let scalar = (1...min(4, bytes.count)).first { n in
                        String(validating: bytes[..<n], as: UTF8.self)?.unicodeScalars.count == 1
                    }
                    if length != scalar { disagreements.append(bytes) }
                }
            }
        }
        #expect(disagreements.isEmpty, "first: \(disagreements.prefix(3))")
    }

    @Test func readsNothingPastTheEnd() {
        let bytes: [UInt8] = [0x61, 0xE6, 0x97]  // "a" and the first two bytes of "日"
        #expect(UTF8Sequence.length(at: 0, count: 3) { bytes[$0] } == 1)
        #expect(UTF8Sequence.length(at: 1, count: 3) { bytes[$0] } == nil)
        #expect(UTF8Sequence.length(at: 3, count: 3) { bytes[$0] } == nil)
    }
}
