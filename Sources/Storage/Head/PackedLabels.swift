#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Encoding
import MeridianModel

/// A series' label set packed into one byte array: for each label, in sorted
/// order, `uvarint(len) name uvarint(len) value`.
///
/// One allocation per series (about 150 bytes for a typical label set, against
/// about 250 for an array of `String` pairs), and it compares against the raw
/// bytes of an incoming request without building a `String`.
struct PackedLabels: Sendable, Equatable {
    let bytes: [UInt8]

    init(_ labels: Labels) {
        var out: [UInt8] = []
        for label in labels {
            Self.appendString(label.name, to: &out)
            Self.appendString(label.value, to: &out)
        }
        bytes = out
    }

    /// Packs the labels of series `index` of `batch` straight from its bytes.
    init(batch: SampleBatch, series index: Int) {
        let entry = batch.series[index]
        var out: [UInt8] = []
        batch.bytes.withUnsafeBufferPointer { all in
            for range in batch.labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)] {
                Varint.appendUnsigned(UInt64(range.nameLength), to: &out)
                out.append(contentsOf: all[Int(range.nameStart)..<Int(range.nameStart + range.nameLength)])
                Varint.appendUnsigned(UInt64(range.valueLength), to: &out)
                out.append(contentsOf: all[Int(range.valueStart)..<Int(range.valueStart + range.valueLength)])
            }
        }
        bytes = out
    }

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        Varint.appendUnsigned(UInt64(s.utf8.count), to: &out)
        out.append(contentsOf: s.utf8)
    }

    /// Whether these labels equal series `index` of `batch`, byte for byte.
    /// - Complexity: O(bytes of the label set).
    func equals(batch: SampleBatch, series index: Int) -> Bool {
        let entry = batch.series[index]
        return bytes.withUnsafeBytes { mine in
            batch.bytes.withUnsafeBytes { theirs in
                var cursor = ByteCursor(mine)
                for range in batch.labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)] {
                    guard Self.readEqual(&cursor, theirs, range.nameStart, range.nameLength),
                        Self.readEqual(&cursor, theirs, range.valueStart, range.valueLength)
                    else { return false }
                }
                return cursor.isAtEnd
            }
        }
    }

    private static func readEqual(
        _ cursor: inout ByteCursor, _ other: UnsafeRawBufferPointer, _ start: UInt32, _ length: UInt32
    ) -> Bool {
        guard let n = cursor.readUVarint(), n == UInt64(length), let mine = cursor.readBytes(Int(n)) else { return false }
        if n == 0 { return true }
        return memcmpEqual(mine, UnsafeRawBufferPointer(rebasing: other[Int(start)..<Int(start + length)]))
    }

    /// Orders as ``Labels``' `<` does (label by label, name then value, in
    /// UTF-8 byte order; a prefix first), without building Strings: finds
    /// the first byte that differs, then the name or value it falls in.
    static func < (lhs: PackedLabels, rhs: PackedLabels) -> Bool {
        lhs.bytes.withUnsafeBytes { a in
            rhs.bytes.withUnsafeBytes { b in
                let n = Swift.min(a.count, b.count)
                var d = 0
                while d + 8 <= n
                    && a.loadUnaligned(fromByteOffset: d, as: UInt64.self)
                        == b.loadUnaligned(fromByteOffset: d, as: UInt64.self)
                {
                    d += 8
                }
                while d < n && a[d] == b[d] { d += 1 }
                // Names and values delimit themselves, so equal bytes up to the
                // shorter end mean its labels are a prefix of the other's.
                if d == n { return a.count < b.count }
                // Everything before `d` is equal, so both walks meet the same
                // boundaries until the string that holds `d`.
                var x = ByteCursor(a)
                var y = ByteCursor(b)
                while true {
                    guard let s = x.readLengthPrefixed(), let t = y.readLengthPrefixed() else { return false }
                    // `d` is in this string's length or its bytes.
                    if d < x.offset { return compareBytes(s, t) < 0 }
                }
            }
        }
    }

    /// Unpacks into a `Labels` (builds Strings: for queries and new series only).
    func labels() -> Labels {
        var out: [Label] = []
        bytes.withUnsafeBytes { raw in
            var cursor = ByteCursor(raw)
            while !cursor.isAtEnd {
                guard let nameLength = cursor.readUVarint(), let name = cursor.readBytes(Int(nameLength)),
                    let valueLength = cursor.readUVarint(), let value = cursor.readBytes(Int(valueLength))
                else { break }
                out.append(Label(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
            }
        }
        return Labels(sortedUnchecked: out)
    }
}

/// Negative, zero or positive as `a` sorts before, with or after `b` in
/// byte order (a prefix first).
@inline(__always)
func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = Swift.min(a.count, b.count)
    if n > 0, let p = a.baseAddress, let q = b.baseAddress {
        let order = memcmp(p, q, n)
        if order != 0 { return Int(order) }
    }
    return a.count - b.count
}

/// Byte equality of two equally long buffers, word by word.
@inline(__always)
func memcmpEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    let n = a.count
    guard n == b.count else { return false }
    var i = 0
    while i + 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
