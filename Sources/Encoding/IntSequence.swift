/// A sequence of Int64 stored as its values (order 0), its deltas (order 1)
/// or its deltas of deltas (order 2), the residuals then packed by
/// ``PackedInts``:
///
/// ```
/// order 0:  PackedInts(x₀ … xₙ₋₁)
/// order 1:  x₀ zig-zag varint, PackedInts(x₁−x₀ … )
/// order 2:  x₀, x₁−x₀ zig-zag varints, PackedInts((x₂−x₁)−(x₁−x₀) … )
/// ```
///
/// (fewer leading varints when n < order). Gauges and 0/1 series pack best
/// as values, counters as deltas, smooth series as deltas of deltas; the
/// encoder of a whole column can simply try all three. Arithmetic wraps, so
/// any Int64 sequence round-trips.
enum IntSequence {
    /// The residuals that order `order` packs.
    static func residuals(_ x: [Int64], order: Int) -> [Int64] {
        guard x.count > order else { return [] }
        if order == 0 { return x }
        var out: [Int64] = []
        out.reserveCapacity(x.count - order)
        for i in order..<x.count {
            let delta = x[i] &- x[i - 1]
            out.append(order == 1 ? delta : delta &- (x[i - 1] &- x[i - 2]))
        }
        return out
    }

    /// Appends `x` in order `order` (0, 1 or 2).
    static func encode(_ x: [Int64], order: Int, to out: inout [UInt8]) {
        if order >= 1, let first = x.first { Varint.appendSigned(first, to: &out) }
        if order >= 2 && x.count >= 2 { Varint.appendSigned(x[1] &- x[0], to: &out) }
        PackedInts.encode(residuals(x, order: order), to: &out)
    }

    /// The smallest encoding of `x` among `orders`, with the order; ties go
    /// to the order listed first.
    static func smallest(_ x: [Int64], orders: [Int]) -> (order: Int, bytes: [UInt8]) {
        var best: (order: Int, bytes: [UInt8])?
        for order in orders {
            var bytes: [UInt8] = []
            encode(x, order: order, to: &bytes)
            if best == nil || bytes.count < best!.bytes.count { best = (order, bytes) }
        }
        return best!
    }

    /// Decodes `count` integers of order `order` into `out[0..<count]`; the
    /// packed residuals run to the end of `cursor`'s bytes.
    ///
    /// - Complexity: O(count); no allocation.
    @inline(__always)
    static func decode(
        _ cursor: inout ByteCursor, count: Int, order: Int, into out: UnsafeMutablePointer<Int64>
    ) throws(EncodingError) {
        guard count > 0 else { return }
        let leading = min(order, count)
        var first: Int64 = 0
        var delta: Int64 = 0
        if leading >= 1 { first = try ColumnError.varint(&cursor, "first integer") }
        if leading >= 2 { delta = try ColumnError.varint(&cursor, "first delta") }
        try PackedInts.decode(&cursor, count: count - leading, into: out + leading)
        switch order {
        case 0:
            break
        case 1:
            out[0] = first
            var x = first
            for i in 1..<count {
                x &+= out[i]
                out[i] = x
            }
        default:
            out[0] = first
            guard count >= 2 else { return }
            var x = first &+ delta
            out[1] = x
            for i in 2..<count {
                delta &+= out[i]
                x &+= delta
                out[i] = x
            }
        }
    }
}
