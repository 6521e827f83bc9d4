/// An open-addressing table from a precomputed 64-bit labels hash to a series'
/// slot in its stripe. Keys are already well mixed, so the table uses their low
/// bits directly instead of hashing them again (Swift's `Dictionary` would run
/// SipHash on every lookup of the ingestion hot path).
///
/// Several series may share a hash; `candidates(of:)` yields all of them and the
/// caller compares labels.
struct HashSlots {
    private var keys: [UInt64]
    private var values: [Int32]
    private(set) var count = 0

    init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: -1, count: size)
    }

    /// Calls `body` for each slot value stored under `hash` until it returns true;
    /// returns that value, or nil.
    /// - Complexity: O(1) expected (load factor at most 1/2).
    @inline(__always)
    func first(of hash: UInt64, where body: (Int32) -> Bool) -> Int32? {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let v = values[i]
            if v < 0 { return nil }
            if keys[i] == hash && body(v) { return v }
            i = (i + 1) & mask
        }
    }

    /// Adds `value` under `hash` (a hash may hold several values).
    mutating func insert(_ hash: UInt64, _ value: Int32) {
        if (count + 1) * 2 > keys.count { grow() }
        place(hash, value)
        count += 1
    }

    private mutating func place(_ hash: UInt64, _ value: Int32) {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while values[i] >= 0 { i = (i + 1) & mask }
        keys[i] = hash
        values[i] = value
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: -1, count: oldKeys.count * 2)
        for i in oldKeys.indices where oldValues[i] >= 0 { place(oldKeys[i], oldValues[i]) }
    }
}
