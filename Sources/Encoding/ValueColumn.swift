/// The values of one series in an immutable block, encoded as a whole.
///
/// Every Double round-trips bit for bit: NaN payloads, the Prometheus
/// staleness marker, ±∞, −0.0, subnormals. The encoder looks at the entire
/// column and keeps the smallest of (docs/format/columns.md):
///
/// - ``Kind/constant``, ``Kind/constantInteger``: one value repeated.
/// - ``Kind/integer(order:exceptions:)``: whole numbers (counters, bytes,
///   0/1), packed as values, deltas or deltas of deltas, whichever is
///   smallest. Values that are not whole numbers (a staleness marker, a
///   NaN) ride along as exceptions instead of forcing the column to XOR.
/// - ``Kind/decimal(digits:order:exceptions:)``: values that are whole
///   numbers of 10^-digits (0.25, 12.34), stored as those integers when
///   dividing back gives the identical bits.
/// - ``Kind/xor``: Gorilla XOR, for full-precision floats.
/// - ``Kind/floatBits(order:)``: the bit patterns as integers, packed as
///   deltas: for growing float sums, whose bit patterns grow by similar steps.
///
/// The sample count is not stored; the block keeps it beside the column.
public enum ValueColumn {
    /// How a column is encoded, as its first byte (and, for decimals, the
    /// second) says.
    public enum Kind: Equatable, Sendable {
        /// One value, any bits, repeated: 8 raw bytes.
        case constant
        /// One whole number (not −0.0) repeated: a zig-zag varint.
        case constantInteger
        /// Gorilla XOR of each value with the one before.
        case xor
        /// Whole numbers of order 0 (values), 1 (deltas) or 2 (deltas of
        /// deltas), with or without an exception list.
        case integer(order: Int, exceptions: Bool)
        /// Integers m with value = m / 10^digits.
        case decimal(digits: Int, order: Int, exceptions: Bool)
        /// The 64-bit patterns as integers of order 1 or 2.
        case floatBits(order: Int)
    }

    /// Tags of the first byte. Integer families put the exceptions flag in
    /// bit 3 and the order in bits 0-1.
    enum Tag {
        static let constant: UInt8 = 0x01
        static let constantInteger: UInt8 = 0x02
        static let xor: UInt8 = 0x03
        static let integer: UInt8 = 0x10
        static let decimal: UInt8 = 0x20
        static let floatBits: UInt8 = 0x30
        static let familyMask: UInt8 = 0xF0
        static let exceptionsFlag: UInt8 = 0x08
        static let orderMask: UInt8 = 0x03
    }

    /// The bits of the Prometheus staleness marker, which has a short
    /// exception code because it is the special value that real series carry.
    public static let staleMarkerBits: UInt64 = 0x7FF0_0000_0000_0002

    /// Encodes `values`, choosing the smallest kind. An empty column is zero
    /// bytes.
    ///
    /// - Complexity: O(n log n); a few passes per candidate kind. Meant for
    ///   compaction, not for the ingest path.
    public static func encode(_ values: [Double]) -> [UInt8] {
        guard let first = values.first else { return [] }
        if values.allSatisfy({ $0.bitPattern == first.bitPattern }) {
            if first.bitPattern != (-0.0 as Double).bitPattern, let m = XORFormat.safeInteger(first.bitPattern) {
                var out = [Tag.constantInteger]
                Varint.appendSigned(m, to: &out)
                return out
            }
            var out = [Tag.constant]
            out.appendUInt64LE(first.bitPattern)
            return out
        }
        // Candidates in order of preference on a tie: integers decode fastest,
        // then decimals (a division each), then XOR.
        var best: [UInt8]?
        func consider(_ candidate: [UInt8]?) {
            guard let candidate else { return }
            if best == nil || candidate.count < best!.count { best = candidate }
        }
        for digits in decimalCandidates(values) {
            consider(encodeScaled(values, digits: digits))
        }
        // XOR and float bits pay about 2 bytes or more for any change of value,
        // so integer columns under 2 bytes a value do not lose to them in
        // practice: skip the work.
        if best == nil || best!.count > 2 * values.count {
            consider(encodeXOR(values))
            consider(encodeFloatBits(values))
        }
        assert(decodes(best!, to: values), "value column does not round-trip: \(values)")
        return best!
    }

    /// Whether `bytes` decode to `values` bit for bit: the invariant that
    /// debug builds check on every column they encode.
    static func decodes(_ bytes: [UInt8], to values: [Double]) -> Bool {
        var out: [Double] = []
        out.reserveCapacity(values.count)
        do {
            try bytes.withUnsafeBytes { try decode($0, count: values.count, into: &out) }
        } catch {
            return false
        }
        return out.map(\.bitPattern) == values.map(\.bitPattern)
    }

    /// The kind of an encoded column, or nil for an empty or unknown one.
    public static func kind(of bytes: some Collection<UInt8>) -> Kind? {
        guard let tag = bytes.first else { return nil }
        let order = Int(tag & Tag.orderMask)
        let exceptions = tag & Tag.exceptionsFlag != 0
        switch tag {
        case Tag.constant: return .constant
        case Tag.constantInteger: return .constantInteger
        case Tag.xor: return .xor
        default: break
        }
        guard order <= 2 else { return nil }
        switch tag & Tag.familyMask {
        case Tag.integer:
            return .integer(order: order, exceptions: exceptions)
        case Tag.decimal:
            guard bytes.count >= 2 else { return nil }
            return .decimal(
                digits: Int(bytes[bytes.index(after: bytes.startIndex)]), order: order, exceptions: exceptions)
        case Tag.floatBits where !exceptions:
            return .floatBits(order: order)
        default:
            return nil
        }
    }

    /// The bit patterns as Int64 deltas or deltas of deltas.
    static func encodeFloatBits(_ values: [Double], orders: [Int] = [1, 2]) -> [UInt8] {
        let x = values.map { Int64(bitPattern: $0.bitPattern) }
        let (order, body) = IntSequence.smallest(x, orders: orders)
        return [Tag.floatBits | UInt8(order)] + body
    }
}
