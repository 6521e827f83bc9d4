/// Up to 64 bits gathered in a register before one ``BitWriter/writeBits(_:count:)``
/// call: a sample's codes are several short fields, and each call to the
/// writer costs a uniqueness check on the array.
struct PendingBits {
    var word: UInt64 = 0
    var count = 0

    /// Adds the low `n` bits of `value` (n in 1...64), flushing first if they
    /// would not fit.
    @inline(__always)
    mutating func append(_ value: UInt64, count n: Int, to writer: inout BitWriter) {
        if count &+ n > 64 { flush(to: &writer) }
        let masked = n == 64 ? value : value & ((1 &<< UInt64(n)) &- 1)
        word = count == 0 ? masked : word &<< UInt64(n) | masked
        count &+= n
    }

    /// Writes what is gathered.
    @inline(__always)
    mutating func flush(to writer: inout BitWriter) {
        if count > 0 { writer.writeBits(word, count: count) }
        word = 0
        count = 0
    }
}
