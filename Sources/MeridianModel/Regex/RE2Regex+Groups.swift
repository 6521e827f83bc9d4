import CRE2

extension RE2Regex {
    /// Matches all of `text` and, on a match, calls `body` with the text's
    /// UTF-8 bytes and the byte range of groups `0..<groups` (0 is the whole
    /// match; nil for a group that took no part). Nil when `text` does not
    /// match. Ranges fall on scalar boundaries, so any slice decodes as is.
    ///
    /// Ask for only the groups you use: RE2 finds fewer groups faster.
    /// - Complexity: O(n) in the bytes of `text`.
    public func withFullMatch<R>(
        of text: String, groups: Int, _ body: (_ utf8: UnsafeBufferPointer<UInt8>, _ groups: [Range<Int>?]) -> R
    ) -> R? {
        let count = max(1, min(groups, groupCount + 1))
        func run(_ bytes: UnsafeBufferPointer<UInt8>) -> R? {
            var offsets = [Int64](repeating: -1, count: 2 * count)
            let matched = bytes.withMemoryRebound(to: CChar.self) { chars in
                offsets.withUnsafeMutableBufferPointer { out in
                    cre2_full_match_groups(handle, chars.baseAddress, chars.count, out.baseAddress, Int32(count))
                }
            }
            guard matched != 0 else { return nil }
            let ranges = (0..<count).map { g -> Range<Int>? in
                offsets[2 * g] < 0 ? nil : Int(offsets[2 * g])..<Int(offsets[2 * g + 1])
            }
            return body(bytes, ranges)
        }
        if let result = text.utf8.withContiguousStorageIfAvailable(run) { return result }
        var copy = text
        return copy.withUTF8(run)
    }
}
