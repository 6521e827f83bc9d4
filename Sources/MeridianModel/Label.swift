/// One label: a name and a value. `__name__` holds the metric name.
public struct Label: Hashable, Comparable, Sendable {
    /// The label name, `[a-zA-Z_][a-zA-Z0-9_]*`.
    public var name: String
    /// The label value: any non-empty UTF-8 text.
    public var value: String

    /// Creates a label.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Orders by name, then by value, comparing UTF-8 bytes like Prometheus does.
    public static func < (lhs: Label, rhs: Label) -> Bool {
        if lhs.name != rhs.name { return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8) }
        return lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
    }
}

/// The reserved name of the label that holds the metric name.
public let metricNameLabel = "__name__"
