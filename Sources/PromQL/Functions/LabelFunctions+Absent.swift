import MeridianModel

/// Label helpers for `absent` and `absent_over_time`.
public enum AbsentLabels {
    /// The labels of the element `absent(selector)` returns: those the
    /// selector pins down with `=`, so `absent(up{job="api"})` says which
    /// series is missing.
    ///
    /// As Prometheus 2.42 (`createLabelsForAbsentFunction`): `__name__` is
    /// never included; a name matched with `=` twice, or with any other
    /// operator after `=`, is dropped; `=""` adds nothing (an empty value is
    /// no label). For anything other than a selector the engine passes no
    /// matchers and gets the empty set.
    /// - Complexity: O(m log m) in the matchers.
    public static func labels(for matchers: [LabelMatcher]) -> Labels {
        var values: [String: String] = [:]
        var seenEqual: Set<String> = []
        for matcher in matchers where matcher.name != metricNameLabel {
            if matcher.type == .equal && !seenEqual.contains(matcher.name) {
                values[matcher.name] = matcher.value.isEmpty ? nil : matcher.value
                seenEqual.insert(matcher.name)
            } else {
                values[matcher.name] = nil
            }
        }
        return Labels(values)
    }
}
