/// A label set sorted by name, each name at most once: the identity of a series.
///
/// Construction sorts; equality and hashing are of the sorted list, so two label
/// sets that name the same series are equal however they were built.
public struct Labels: Hashable, Sendable, RandomAccessCollection, CustomStringConvertible {
    /// The labels, sorted by name (UTF-8 byte order), names unique.
    public private(set) var labels: [Label]

    /// Creates a label set from labels in any order. Later duplicates of a name win.
    public init(_ labels: [Label]) {
        var sorted = labels.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        var unique: [Label] = []
        unique.reserveCapacity(sorted.count)
        for label in sorted {
            if let last = unique.last, last.name == label.name {
                unique[unique.count - 1] = label
            } else {
                unique.append(label)
            }
        }
        sorted = unique
        self.labels = sorted
    }

    /// Creates a label set from name/value pairs, e.g. `["__name__": "up", "job": "node"]`.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(pairs.map { Label(name: $0.key, value: $0.value) })
    }

    /// Creates a label set from a dictionary.
    public init(_ dictionary: [String: String]) {
        self.init(dictionary.map { Label(name: $0.key, value: $0.value) })
    }

    /// Wraps labels that the caller guarantees are sorted by name with unique names.
    public init(sortedUnchecked labels: [Label]) {
        self.labels = labels
    }

    /// The empty label set.
    public static let empty = Labels(sortedUnchecked: [])

    public var startIndex: Int { labels.startIndex }
    public var endIndex: Int { labels.endIndex }
    public subscript(position: Int) -> Label { labels[position] }

    /// The value of the label `name`, or nil when the set has no such label.
    /// - Complexity: O(log n).
    public subscript(name: String) -> String? {
        var low = 0
        var high = labels.count
        while low < high {
            let mid = (low + high) / 2
            let candidate = labels[mid].name
            if candidate == name { return labels[mid].value }
            if candidate.utf8.lexicographicallyPrecedes(name.utf8) { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// The metric name (`__name__`), if any.
    public var metricName: String? { self[metricNameLabel] }

    /// Prometheus' text form: `name{a="b", c="d"}` with escaped values.
    public var description: String {
        var out = metricName ?? ""
        let rest = labels.filter { $0.name != metricNameLabel }
        if rest.isEmpty && !out.isEmpty { return out }
        out += "{"
        out += rest.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ", ")
        out += "}"
        return out
    }
}

/// Escapes a label value the way Prometheus' text formats do.
public func escapeLabelValue(_ value: String) -> String {
    var out = ""
    out.reserveCapacity(value.utf8.count)
    for ch in value.unicodeScalars {
        switch ch {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out
}

extension Labels: Comparable {
    /// Orders label sets as Prometheus sorts series: label by label (name, then
    /// value, in UTF-8 byte order); a prefix sorts first.
    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        let n = Swift.min(lhs.count, rhs.count)
        for i in 0..<n {
            let a = lhs.labels[i]
            let b = rhs.labels[i]
            if a.name != b.name { return a.name.utf8.lexicographicallyPrecedes(b.name.utf8) }
            if a.value != b.value { return a.value.utf8.lexicographicallyPrecedes(b.value.utf8) }
        }
        return lhs.count < rhs.count
    }
}
