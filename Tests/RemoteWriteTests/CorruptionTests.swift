import TestSupport
import Testing

@testable import RemoteWrite

/// Random damage to valid requests: whenever SwiftProtobuf refuses the bytes,
/// the hand-written decoder must refuse them too; whenever it accepts them,
/// the result must be SwiftProtobuf's (see ``DifferentialTests/checkAgreement(_:sourceLocation:)``).
@Suite struct CorruptionTests {
    static func mutate(_ input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: bytes[at] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 2: bytes.removeSubrange(at...)
            case 3: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
            case 4: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &rng)))
            case 5:
                // Varint-shaped damage: continuation bits and wire types are
                // where decoders disagree most.
                bytes[at] |= 0x80
            case 6: bytes[at] = (bytes[at] & 0xf8) | UInt8.random(in: 0...7, using: &rng)
            default:
                let end = min(bytes.count, at + Int.random(in: 1...16, using: &rng))
                bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0...bytes.count, using: &rng))
            }
        }
        return bytes
    }

    @Test(arguments: 0..<24)
    func damagedRequestsAgreeWithSwiftProtobuf(seed: UInt64) throws {
        var generator = RequestGenerator(seed: seed &+ 9000)
        var variations = WireVariations(seed: seed &+ 9000)
        var rng = SplitMix64(seed: seed)
        var accepted = 0
        var total = 0
        for round in 0..<40 {
            let request = generator.request(maxSeries: 4)
            let valid = round % 2 == 0 ? try request.serializedBytes() : try variations.request(request)
            for _ in 0..<25 {
                total += 1
                if DifferentialTests.checkAgreement(Self.mutate(valid, using: &rng)) { accepted += 1 }
            }
        }
        // Both outcomes must be exercised for the comparison to mean anything.
        #expect(accepted > 0 && accepted < total)
    }

    @Test func everyTruncationIsRefusedOrAgrees() throws {
        var generator = RequestGenerator(seed: 4242)
        for _ in 0..<20 {
            let bytes: [UInt8] = try generator.request(maxSeries: 3).serializedBytes()
            for length in 0..<bytes.count {
                DifferentialTests.checkAgreement(Array(bytes[..<length]))
            }
        }
    }

    @Test(
        arguments: [
            // A varint of eleven bytes.
            [0x0a, 0x0c, 0x12, 0x0a, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            // A length past the end.
            [0x0a, 0x05, 0x0a, 0x01],
            // Wire types 6 and 7.
            [0x0e, 0x00], [0x0f, 0x00],
            // Field number 0.
            [0x02, 0x00],
            // An end-group tag with no group open.
            [0x14],
            // A group closed by the wrong field.
            [0x2b, 0x34],
            // A tag of six bytes.
            [0x8a, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00],
            // Invalid UTF-8 in a metadata help text.
            [0x1a, 0x04, 0x22, 0x02, 0xc3, 0x28],
        ] as [[UInt8]])
    func malformedWireIsRefusedLikeSwiftProtobuf(bytes: [UInt8]) throws {
        #expect(throws: RemoteWriteError.self) { try RemoteWriteDecoder.decode(protobuf: bytes) }
        #expect(throws: (any Error).self) { try Prometheus_WriteRequest(serializedBytes: bytes) }
    }

    @Test func wrongWireTypeForAKnownFieldIsRefused() throws {
        // TimeSeries.labels (field 1) sent as a varint: SwiftProtobuf keeps it
        // as an unknown field, Prometheus and Meridian refuse it.
        let bytes: [UInt8] = [0x0a, 0x02, 0x08, 0x01]
        #expect(
            throws: RemoteWriteError(
                .malformedProtobuf,
                "malformed protobuf at byte 2: wrong wire type 0 for field 1 of TimeSeries (in series at index 0)")
        ) { try RemoteWriteDecoder.decode(protobuf: bytes) }
        #expect(ReferenceModel.hasMisTypedKnownField(try Prometheus_WriteRequest(serializedBytes: bytes)))
    }

    @Test func deeplyNestedGroupsAreRefused() throws {
        let depth = 200
        let bytes = [UInt8](repeating: 0x2b, count: depth) + [UInt8](repeating: 0x2c, count: depth)
        #expect(throws: RemoteWriteError.self) { try RemoteWriteDecoder.decode(protobuf: bytes) }
        let shallow = [UInt8](repeating: 0x2b, count: 50) + [UInt8](repeating: 0x2c, count: 50)
        #expect(try RemoteWriteDecoder.decode(protobuf: shallow).series.isEmpty)
        DifferentialTests.checkAgreement(bytes)
        DifferentialTests.checkAgreement(shallow)
        // The request counts as depth 1, so 99 nested groups are the most
        // both decoders take at the top level, and 98 inside a TimeSeries.
        for groups in 97...101 {
            let nested = [UInt8](repeating: 0x2b, count: groups) + [UInt8](repeating: 0x2c, count: groups)
            #expect(((try? RemoteWriteDecoder.decode(protobuf: nested)) != nil) == (groups <= 99))
            DifferentialTests.checkAgreement(nested)
            let length = 2 * groups
            let inSeries = [0x0a, UInt8(length & 0x7f) | 0x80, UInt8(length >> 7)] + nested
            DifferentialTests.checkAgreement(inSeries)
        }
    }
}
