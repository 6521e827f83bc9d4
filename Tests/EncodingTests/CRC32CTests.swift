import Testing
import TestSupport

@testable import Encoding

@Suite struct CRC32CTests {
    /// One bit at a time, straight from the definition, to check the table
    /// version against.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test func checkValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func iSCSIVectors() {
        // RFC 3720, appendix B.4.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum(Array(0...31)) == 0x46DD_794E)
        #expect(CRC32C.checksum(Array((0...31).reversed())) == 0x113F_DB5C)
    }

    @Test func matchesReferenceAndContinues() {
        var rng = SplitMix64(seed: 99)
        for length in 0..<100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let crc = CRC32C.checksum(bytes)
            #expect(crc == Self.reference(bytes), "length \(length)")
            let split = Int.random(in: 0...length, using: &rng)
            let head = CRC32C.checksum(Array(bytes[..<split]))
            let whole = Array(bytes[split...]).withUnsafeBytes { CRC32C.checksum($0, continuing: head) }
            #expect(whole == crc)
            #expect(bytes.withUnsafeBytes { CRC32C.tableChecksum($0) } == crc, "the tables agree, length \(length)")
        }
    }

    /// The instruction is used where the processor has it, so the checks
    /// above compare it with the reference rather than the tables with themselves.
    @Test func theProcessorsInstructionIsUsedOnX86() {
        #if arch(x86_64)
            #expect(CRC32C.hardware)
        #endif
    }
}

/// A frame whose payload comes in two pieces has the header of the joined payload.
@Suite struct CheckedFrameTests {
    @Test func aHeaderOverTwoPiecesIsTheHeaderOfTheJoinedPayload() {
        let head: [UInt8] = [1, 2, 3]
        let tail: [UInt8] = Array(0...200)
        var joined: [UInt8] = []
        CheckedFrame.append(to: &joined) { $0.append(contentsOf: head + tail) }
        let header = head.withUnsafeBytes { h in tail.withUnsafeBytes { CheckedFrame.header(payload: h, $0) } }
        #expect(header == Array(joined[..<CheckedFrame.headerSize]))
        #expect(CheckedFrame.decodeHeader(header)?.length == head.count + tail.count)
    }
}
