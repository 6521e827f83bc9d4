/// The 64-bit hash that identifies a label set on the ingestion path.
///
/// The decoder computes it from raw protobuf bytes and the head from `Labels`;
/// both feed the same bytes (each name, then each value, of the sorted labels)
/// through ``LabelsHash/Hasher``, so the two always agree. It is a multiply-mix
/// hash over 8-byte words (in the style of wyhash): far cheaper than SipHash on
/// the ~150 bytes of a typical label set, and seeded with constants so values are
/// stable across processes (they are not a defence against hash flooding; the
/// head verifies labels byte for byte on every hit).
public enum LabelsHash {
    @usableFromInline static let p0: UInt64 = 0xa076_1d64_78bd_642f
    @usableFromInline static let p1: UInt64 = 0xe703_7ed1_a0b4_28db
    @usableFromInline static let p2: UInt64 = 0x8ebc_6af0_9c88_c6e3
    @usableFromInline static let p3: UInt64 = 0x5899_65cc_7537_4cc3

    @inlinable
    static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    /// Hashes `bytes`, chained from `seed`.
    /// - Complexity: O(n), one multiply per 8 bytes.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let n = bytes.count
        var h = seed ^ mum(UInt64(truncatingIfNeeded: n) ^ p0, p1)
        var i = 0
        while i + 8 <= n {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = mum(h ^ word, p1)
            i += 8
        }
        // The last 0-7 bytes, read with at most two loads instead of a byte loop:
        // an overlapping 8-byte load when the input is that long, else two 4-byte
        // loads or three single bytes. The length is mixed in below, so inputs of
        // different lengths that share these bytes still hash apart.
        let rest = n - i
        let tail: UInt64
        if rest == 0 {
            tail = 0
        } else if n >= 8 {
            tail = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
        } else if n >= 4 {
            let low = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            tail = high << 32 | low
        } else {
            tail = UInt64(bytes[0]) << 16 | UInt64(bytes[n >> 1]) << 8 | UInt64(bytes[n - 1])
        }
        return mum(h ^ tail ^ p2, p3 ^ UInt64(truncatingIfNeeded: n))
    }

    /// Streams a sorted label set into one hash value.
    public struct Hasher {
        @usableFromInline var state: UInt64 = LabelsHash.p3

        /// A hasher with nothing combined yet.
        @inlinable public init() {}

        /// Adds one label (name, then value).
        @inlinable
        public mutating func combine(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
            state = LabelsHash.hash(name, seed: state)
            state = LabelsHash.hash(value, seed: state &+ LabelsHash.p0)
        }

        /// The hash of everything combined so far.
        @inlinable public var value: UInt64 { LabelsHash.mum(state, LabelsHash.p2) }
    }

    /// The hash of a label set, equal to what the decoder computes from its bytes.
    public static func of(_ labels: Labels) -> UInt64 {
        var hasher = Hasher()
        for label in labels {
            var name = label.name
            var value = label.value
            name.withUTF8 { n in
                value.withUTF8 { v in hasher.combine(name: UnsafeRawBufferPointer(n), value: UnsafeRawBufferPointer(v)) }
            }
        }
        return hasher.value
    }
}
