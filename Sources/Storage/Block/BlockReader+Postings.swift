import MeridianModel

/// The block index as a ``PostingsSource``: `postings(for:)` selects series
/// numbers, which follow label order, so results come sorted by labels.
extension BlockReader: PostingsSource {
    typealias Failure = StorageError

    /// Every series number: series are numbered 0 up in label order.
    func allPostings() -> [SeriesRef] { (0..<SeriesRef(index.seriesCount)).map { $0 } }

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
