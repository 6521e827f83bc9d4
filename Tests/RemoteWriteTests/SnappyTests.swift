import TestSupport
import Testing

@testable import RemoteWrite

@Suite struct SnappyTests {
    @Test(arguments: [0, 1, 7, 100, 65_536, 1 << 20])
    func roundTrip(size: Int) throws {
        var rng = SplitMix64(seed: UInt64(size))
        // Half random, half repetitive, so both literal and copy paths run.
        let input = (0..<size).map { i in i % 2 == 0 ? UInt8.random(in: 0...255, using: &rng) : UInt8(i % 7) }
        let compressed = Snappy.compress(input)
        #expect(Snappy.decodedLength(compressed.withUnsafeBytes { UnsafeRawBufferPointer($0) }) == size)
        #expect(try Snappy.decompress(compressed, maxDecodedSize: size) == input)
    }

    @Test(
        arguments: [[], [0x80], [0x05, 0x00], [0x0a, 0xff, 0xff, 0xff], Array("not snappy at all".utf8)] as [[UInt8]])
    func garbageIsMalformed(bytes: [UInt8]) {
        let error = #expect(throws: RemoteWriteError.self) { try Snappy.decompress(bytes, maxDecodedSize: 1 << 20) }
        #expect(error?.code == .malformedSnappy)
        #expect(error?.httpStatus == 400)
    }

    /// Blocks joined without decompressing them decompress to the joined
    /// inputs, back references included (the repetitive halves make many).
    @Test func concatenatedBlocksDecompressToTheConcatenation() throws {
        var rng = SplitMix64(seed: 5)
        let inputs: [[UInt8]] = [0, 1, 300, 70_000, 5].map { size in
            (0..<size).map { i in i % 3 == 0 ? UInt8.random(in: 0...255, using: &rng) : UInt8(i % 11) }
        }
        let joined = try #require(Snappy.concatenate(inputs.map { Snappy.compress($0) }))
        let expected = inputs.flatMap { $0 }
        #expect(try Snappy.decompress(joined, maxDecodedSize: expected.count) == expected)
        #expect(Snappy.concatenate([Snappy.compress([1, 2, 3]), [0x80]]) == nil, "an invalid header is refused")
    }

    @Test func truncatedBlockIsMalformed() {
        let compressed = Snappy.compress(Array(repeating: 42, count: 1000) + (0..<255).map { UInt8($0) })
        for length in 1..<compressed.count {
            #expect(throws: RemoteWriteError.self) {
                try Snappy.decompress(Array(compressed[..<length]), maxDecodedSize: 1 << 20)
            }
        }
    }

    @Test func framedStreamIsDetected() {
        // Stream identifier, then a compressed-data chunk.
        let framed: [UInt8] =
            [0xff, 0x06, 0x00, 0x00] + Array("sNaPpY".utf8) + [0x00, 0x08, 0x00, 0x00, 1, 2, 3, 4, 0, 0, 0, 0]
        #expect(Snappy.isFramedStream(framed))
        #expect(!Snappy.isFramedStream(Snappy.compress(framed)))
        #expect(!Snappy.isFramedStream(Array(framed.prefix(9))))
        let error = #expect(throws: RemoteWriteError.self) { try Snappy.decompress(framed, maxDecodedSize: 1 << 20) }
        #expect(error?.code == .framedSnappy)
        #expect(error?.httpStatus == 415)
    }

    @Test func sizeBombIsRefusedBeforeAllocating() throws {
        // A header declaring 4 GiB - 1 and nothing behind it: the limit must
        // trip on the header alone.
        let bomb: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]
        let error = #expect(throws: RemoteWriteError.self) { try Snappy.decompress(bomb, maxDecodedSize: 64 << 20) }
        #expect(error?.code == .tooLarge)
        #expect(error?.httpStatus == 413)
        #expect(error?.message == "decompressed body of 4294967295 bytes exceeds the limit of 67108864 bytes")

        let real = Snappy.compress([UInt8](repeating: 0, count: 10_000))
        #expect(real.count < 1000)
        #expect(throws: RemoteWriteError(.tooLarge, "decompressed body of 10000 bytes exceeds the limit of 9999 bytes"))
        {
            try Snappy.decompress(real, maxDecodedSize: 9999)
        }
        #expect(try Snappy.decompress(real, maxDecodedSize: 10_000).count == 10_000)
    }
}
