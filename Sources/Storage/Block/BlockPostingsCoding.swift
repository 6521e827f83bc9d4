import Encoding

/// How a postings list's series numbers are stored: gaps as uvarints, with
/// runs of consecutive numbers collapsed.
///
/// Series are numbered in label order, so `__name__="x"` is one run, and a
/// target's histogram buckets are runs of a dozen or more: a run costs two
/// varints where plain deltas would cost one byte a series. A lone number
/// costs what a plain delta would (one bit of the varint flags run or not).
///
/// ```
/// uvarint gap << 1           one series: previous + 1 + gap
/// uvarint gap << 1 | 1,
/// uvarint length - 2         a run of `length` (≥ 2) consecutive series from previous + 1 + gap
/// ```
/// `previous` starts at -1, so the first gap is the first series number.
enum BlockPostingsCoding {
    /// Appends `list` (strictly increasing) as runs.
    /// - Complexity: O(n).
    static func append(_ list: [UInt32], to out: inout [UInt8]) {
        var next: UInt64 = 0  // previous + 1
        var i = 0
        while i < list.count {
            let start = UInt64(list[i])
            var end = i + 1
            while end < list.count && list[end] == list[end - 1] + 1 { end += 1 }
            let length = end - i
            let gap = start - next
            if length == 1 {
                Varint.appendUnsigned(gap << 1, to: &out)
            } else {
                Varint.appendUnsigned(gap << 1 | 1, to: &out)
                Varint.appendUnsigned(UInt64(length - 2), to: &out)
            }
            next = start + UInt64(length)
            i = end
        }
    }

    /// Decodes `count` series numbers, each below `limit`; nil when the bytes
    /// are malformed, say more than `count`, or run past `limit`.
    /// - Complexity: O(count).
    static func decode(_ cursor: inout ByteCursor, count: Int, limit: Int) -> [SeriesRef]? {
        var out: [SeriesRef] = []
        out.reserveCapacity(min(count, limit))
        var next: UInt64 = 0
        while out.count < count {
            guard let code = cursor.readUVarint() else { return nil }
            var length: UInt64 = 1
            if code & 1 == 1 {
                guard let extra = cursor.readUVarint(), extra < UInt64(count) else { return nil }
                length = extra + 2
            }
            let (start, overflow) = next.addingReportingOverflow(code >> 1)
            guard !overflow, length <= UInt64(count - out.count), start + length <= UInt64(limit) else { return nil }
            for s in start..<start + length { out.append(s) }
            next = start + length
        }
        return out
    }
}
