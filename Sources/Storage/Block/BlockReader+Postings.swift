import MeridianModel

extension BlockReader {
    /// The series numbers selected by `matchers`, increasing — the same rules
    /// as the head's `MemPostings.select` (Prometheus' PostingsForMatchers):
    /// intersect the lists of the matchers that need their label, then
    /// subtract the series whose value fails a matcher that also matches an
    /// absent label. Series numbers follow label order, so the result is too.
    /// - Complexity: O(postings read + values of regex-matched names).
    func postings(for matchers: [LabelMatcher]) throws(StorageError) -> [SeriesRef] {
        var positive: [[SeriesRef]] = []
        var negative: [[SeriesRef]] = []
        for m in matchers {
            if m.matchesEmpty {
                switch m.type {
                case .notEqual:
                    negative.append(try postings(m.name, m.value))
                case .equal, .regexMatch, .regexNoMatch:
                    negative.append(try postings(m.name) { !m.matches($0) })
                }
            } else {
                switch m.type {
                case .equal:
                    positive.append(try postings(m.name, m.value))
                case .regexMatch:
                    if let literals = m.literalAlternatives {
                        var lists: [[SeriesRef]] = []
                        for literal in literals { lists.append(try postings(m.name, literal)) }
                        positive.append(Postings.union(lists))
                    } else {
                        positive.append(try postings(m.name) { m.matches($0) })
                    }
                case .notEqual, .regexNoMatch:
                    positive.append(try postings(m.name) { m.matches($0) })
                }
            }
            // An empty list in an intersection empties the result: stop reading.
            if positive.last?.isEmpty == true { return [] }
        }
        var result = positive.isEmpty ? (0..<SeriesRef(index.seriesCount)).map { $0 } : Postings.intersect(positive)
        for n in negative where !result.isEmpty && !n.isEmpty { result = Postings.subtract(result, n) }
        return result
    }

    /// Series with `name="value"`.
    func postings(_ name: String, _ value: String) throws(StorageError) -> [SeriesRef] {
        guard let k = try index.nameOrdinal(name), let j = try index.valueIndex(name: k, value: value) else {
            return []
        }
        return try index.postings(j)
    }

    /// The union of the lists of `name`'s values for which `include` is true.
    func postings(_ name: String, where include: (String) -> Bool) throws(StorageError) -> [SeriesRef] {
        guard let k = try index.nameOrdinal(name) else { return [] }
        let entry = index.nameEntry(k)
        var lists: [[SeriesRef]] = []
        for j in entry.firstValue..<entry.firstValue + entry.valueCount {
            if include(try index.symbolString(index.valueEntry(j).symbol)) { lists.append(try index.postings(j)) }
        }
        return Postings.union(lists)
    }
}
