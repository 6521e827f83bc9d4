#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A block's name: a ULID, 26 characters of Crockford base32 encoding a
/// 48-bit creation time in milliseconds followed by 80 random bits, e.g.
/// `01HZX3K4T0AB8Q2W9V6M7N5P4R`.
///
/// IDs sort (as values and as strings) by creation time first, so a directory
/// listing is roughly in age order, and two writers never pick the same name.
public struct BlockID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The time (48 bits) and the first 16 random bits.
    public let high: UInt64
    /// The last 64 random bits.
    public let low: UInt64

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// An ID from its parts; `milliseconds` keeps its low 48 bits.
    public init(milliseconds: UInt64, randomHigh: UInt16, randomLow: UInt64) {
        high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | UInt64(randomHigh)
        low = randomLow
    }

    /// A fresh ID for now (or for `milliseconds`), with system randomness.
    public static func generate(milliseconds: UInt64? = nil) -> BlockID {
        var rng = SystemRandomNumberGenerator()
        return BlockID(
            milliseconds: milliseconds ?? currentMilliseconds(),
            randomHigh: UInt16.random(in: .min ... .max, using: &rng),
            randomLow: rng.next())
    }

    /// Parses the 26-character form; also accepts lower case. Nil for anything
    /// else, including a first character above `7` (more than 128 bits).
    public init?(_ text: String) {
        let chars = Array(text.utf8)
        guard chars.count == 26 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (i, c) in chars.enumerated() {
            guard let digit = Self.digit(c) else { return nil }
            if i == 0 && digit > 7 { return nil }
            // Shift the 128-bit (high, low) left by 5 and add the digit.
            high = high << 5 | low >> 59
            low = low << 5 | UInt64(digit)
        }
        self.high = high
        self.low = low
    }

    /// Milliseconds since the Unix epoch when the ID was made.
    public var milliseconds: UInt64 { high >> 16 }

    /// The 26-character form.
    public var description: String {
        var out = [UInt8](repeating: 0, count: 26)
        var high = self.high
        var low = self.low
        for i in stride(from: 25, through: 0, by: -1) {
            out[i] = Self.alphabet[Int(low & 31)]
            low = low >> 5 | (high & 31) << 59
            high >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Creation time first, then the random bits: the order of the strings.
    public static func < (lhs: BlockID, rhs: BlockID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// Decodes the 26-character string form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = BlockID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a block ID: \(text)")
        }
        self = id
    }

    /// Encodes the 26-character string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func digit(_ c: UInt8) -> UInt8? {
        var upper = c
        if c >= 0x61 && c <= 0x7A { upper = c - 0x20 }
        guard let index = alphabet.firstIndex(of: upper) else { return nil }
        return UInt8(index)
    }

    private static func currentMilliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }
}
