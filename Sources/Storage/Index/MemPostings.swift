import MeridianModel

/// The inverted index of the head: for every label name and value, the sorted
/// refs of the series that carry that pair.
///
/// Names and values are stored once here as `String`s (the head's symbol
/// table): every series with `job="node"` shares the same two strings.
struct MemPostings: PostingsSource {
    var byName: [String: [String: [SeriesRef]]] = [:]
    /// Every series, sorted: the starting set for selectors with only negative matchers.
    var all: [SeriesRef] = []

    /// Adds a series. Refs usually arrive in increasing order (append); an older
    /// ref (checkpoint replay) is inserted in place.
    /// - Complexity: O(labels) amortized for increasing refs.
    mutating func add(_ ref: SeriesRef, _ labels: Labels) {
        Self.insertSorted(ref, into: &all)
        for label in labels {
            Self.insertSorted(ref, into: &byName[label.name, default: [:]][label.value, default: []])
        }
    }

    private static func insertSorted(_ ref: SeriesRef, into list: inout [SeriesRef]) {
        if let last = list.last, last >= ref {
            var low = 0
            var high = list.count
            while low < high {
                let mid = (low + high) / 2
                if list[mid] < ref { low = mid + 1 } else { high = mid }
            }
            if low < list.count && list[low] == ref { return }
            list.insert(ref, at: low)
        } else {
            list.append(ref)
        }
    }

    func allPostings() -> [SeriesRef] { all }

    /// Series with `name="value"`.
    func postings(_ name: String, _ value: String) -> [SeriesRef] { byName[name]?[value] ?? [] }

    /// Sorted names of every label.
    var labelNames: [String] { byName.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }

    /// Sorted values of label `name`.
    func labelValues(_ name: String) -> [String] {
        (byName[name]?.keys).map { $0.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } } ?? []
    }

    /// The union of the postings of `name`'s values for which `include` is true.
    func postings(_ name: String, where include: (String) -> Bool) -> [SeriesRef] {
        guard let values = byName[name] else { return [] }
        return Postings.union(values.compactMap { include($0.key) ? $0.value : nil })
    }
}

/// Set operations on sorted ref lists.
enum Postings {
    /// Refs present in every list.
    /// - Complexity: O(sum of lengths), smallest list first.
    static func intersect(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        guard var result = lists.min(by: { $0.count < $1.count }) else { return [] }
        for list in lists where !result.isEmpty {
            var out: [SeriesRef] = []
            out.reserveCapacity(result.count)
            var i = 0
            var j = 0
            while i < result.count && j < list.count {
                let a = result[i]
                let b = list[j]
                if a == b {
                    out.append(a)
                    i += 1
                    j += 1
                } else if a < b {
                    i += 1
                } else {
                    j = gallop(list, from: j, to: a)
                }
            }
            result = out
        }
        return result
    }

    /// First index at or after `from` whose ref is >= `target` (exponential search,
    /// so a short list intersected with a long one skips most of it).
    private static func gallop(_ list: [SeriesRef], from: Int, to target: SeriesRef) -> Int {
        var step = 1
        var low = from
        var high = from
        while high < list.count && list[high] < target {
            low = high
            high += step
            step <<= 1
        }
        high = min(high, list.count)
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Refs present in any list, sorted and unique.
    static func union(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        switch lists.count {
        case 0: return []
        case 1: return lists[0]
        default:
            var out = lists.flatMap { $0 }
            out.sort()
            var unique: [SeriesRef] = []
            unique.reserveCapacity(out.count)
            for r in out where unique.last != r { unique.append(r) }
            return unique
        }
    }

    /// Refs in `a` that are not in `b`.
    static func subtract(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        var out: [SeriesRef] = []
        out.reserveCapacity(a.count)
        var j = 0
        for r in a {
            while j < b.count && b[j] < r { j += 1 }
            if j < b.count && b[j] == r { continue }
            out.append(r)
        }
        return out
    }
}
