/// A run of Int64 residuals packed as tightly as a one-pass look at them
/// allows: the tail of every integer column (timestamps, counters, gauges).
/// docs/format/columns.md, "Packed integers", is the specification.
///
/// ```
/// mode byte   R S w w w w w w    R: Rice code (else fixed width), S: scale follows,
///                                w: fixed width or Rice parameter, 0...63
/// [scale]     uvarint ≥ 2        only when S
/// base        zig-zag varint
/// e           uvarint            number of patched slots
/// e patches   uvarint position gap, zig-zag varint high part
/// slots       bit stream to the end of the column, MSB first, zero padded
/// ```
///
/// Slot i holds `uᵢ`, and `yᵢ = base + scale · uᵢ`. Fixed width: each slot is
/// the `w` bits of `uᵢ`. Rice: the low `w` bits of every `uᵢ`, zero-padded to
/// a byte, then a bitmap of the quotients `uᵢ >> w` in unary: that many 0s,
/// then a 1, with bit j of the bitmap in bit j % 8 of byte j / 8 (LSB
/// first). Splitting low bits from quotients lets a decoder unpack the low
/// bits like fixed-width ones, and the LSB-first bitmap lets it find each 1
/// with a trailing-zero count and clear it with `w & (w - 1)`: one cycle of
/// dependency per value instead of a serial bit-by-bit chain. A unary code
/// ends in a 1, so the zero padding never completes one.
///
/// Zero values take zero bytes: the column's header already says how many
/// residuals there are.
enum PackedInts {
    /// Mode bit: slots are Rice codes.
    static let riceFlag: UInt8 = 0x80
    /// Mode bit: a scale follows the mode byte.
    static let scaleFlag: UInt8 = 0x40
    /// Mode bits holding the width or Rice parameter.
    static let widthMask: UInt8 = 0x3F
    /// The longest unary quotient the encoder writes; larger values are
    /// patched, which costs about as much as 20 unary bits.
    static let riceQuotientLimit: Int64 = 20

    /// How one run of values is packed.
    struct Plan: Equatable {
        var rice = false
        /// Fixed width, or the Rice parameter; 0...63.
        var width = 0
        /// Every `yᵢ - base` is a multiple of this; ≥ 1.
        var scale: UInt64 = 1
        var base: Int64 = 0
    }

    /// Appends `values` packed by the cheapest plan found (see `plan(for:)`).
    ///
    /// - Complexity: O(n), a few passes.
    static func encode(_ values: [Int64], to out: inout [UInt8]) {
        guard !values.isEmpty else { return }
        write(values, plan: plan(for: values), to: &out)
    }

    /// `y - base` divided by the scale, as the slot value `u` (wrapping when
    /// the scale is 1, which is what makes any Int64 sequence round-trip).
    @inline(__always)
    static func slotValue(_ y: Int64, _ plan: Plan) -> Int64 {
        let difference = y &- plan.base
        return plan.scale == 1 ? difference : difference / Int64(plan.scale)
    }

    /// Whether `u` goes to a patch under `plan`.
    @inline(__always)
    static func isPatched(_ u: Int64, _ plan: Plan) -> Bool {
        if u < 0 { return true }
        return plan.rice ? u &>> Int64(plan.width) > riceQuotientLimit : u &>> Int64(plan.width) != 0
    }

    /// Writes `values` with a given plan. Any plan works with scale 1; a
    /// larger scale must divide every `y - base` (as `plan(for:)` ensures).
    static func write(_ values: [Int64], plan: Plan, to out: inout [UInt8]) {
        assert(plan.width >= 0 && plan.width <= 63 && plan.scale >= 1, "plan \(plan)")
        assert(
            plan.scale == 1 || values.allSatisfy { ($0 &- plan.base) % Int64(plan.scale) == 0 },
            "scale \(plan.scale) does not divide the values")
        var mode = UInt8(plan.width)
        if plan.rice { mode |= riceFlag }
        if plan.scale > 1 { mode |= scaleFlag }
        out.append(mode)
        if plan.scale > 1 { Varint.appendUnsigned(plan.scale, to: &out) }
        Varint.appendSigned(plan.base, to: &out)

        let w = Int64(plan.width)
        var patches = 0
        for y in values where isPatched(slotValue(y, plan), plan) { patches += 1 }
        Varint.appendUnsigned(UInt64(patches), to: &out)
        var last = -1
        for (i, y) in values.enumerated() {
            let u = slotValue(y, plan)
            guard isPatched(u, plan) else { continue }
            Varint.appendUnsigned(UInt64(i - last - 1), to: &out)
            Varint.appendSigned(u &>> w, to: &out)
            last = i
        }

        var writer = BitWriter()
        var pending = PendingBits()
        if plan.width > 0 {
            for y in values { pending.append(UInt64(bitPattern: slotValue(y, plan)), count: plan.width, to: &writer) }
        }
        pending.flush(to: &writer)
        out.append(contentsOf: writer.bytes)
        if plan.rice { appendQuotients(values, plan, to: &out) }
    }

    /// The unary bitmap of a Rice plan: q 0s then a 1 per value, LSB first.
    static func appendQuotients(_ values: [Int64], _ plan: Plan, to out: inout [UInt8]) {
        var byte: UInt8 = 0
        var bit = 0  // next bit of `byte`
        for y in values {
            let u = slotValue(y, plan)
            var zeros = isPatched(u, plan) ? 0 : Int(u &>> Int64(plan.width))
            while bit + zeros >= 8 {
                zeros -= 8 - bit
                out.append(byte)
                byte = 0
                bit = 0
            }
            bit += zeros
            byte |= 1 << UInt8(bit)
            bit += 1
            if bit == 8 {
                out.append(byte)
                byte = 0
                bit = 0
            }
        }
        if bit > 0 { out.append(byte) }
    }
}
