/// The four ways a selector can match a label (`=`, `!=`, `=~`, `!~`).
public enum MatchType: String, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case regexMatch = "=~"
    case regexNoMatch = "!~"
}

/// A label matcher as in `{job=~"api|web"}`. A missing label matches as the empty
/// value, as in Prometheus: `{foo=""}` selects series without `foo`.
///
/// Regular expressions are fully anchored (`^(?:re)$`) and run on RE2, in
/// linear time, as Go's regexp does in Prometheus. Patterns that are plain
/// literals or alternations of literals, `.*`, `.+` and `prefix.*` are
/// answered without running the regex.
public struct LabelMatcher: Sendable, CustomStringConvertible {
    /// The label name.
    public let name: String
    /// The value or pattern as written.
    public let value: String
    /// How the value is compared.
    public let type: MatchType
    private let pattern: ValuePattern?

    /// Creates a matcher; throws ``ModelError/invalidRegex(_:)`` with Go's
    /// words for a pattern Prometheus would refuse.
    public init(_ type: MatchType, _ name: String, _ value: String) throws {
        self.name = name
        self.value = value
        self.type = type
        switch type {
        case .equal, .notEqual: pattern = nil
        case .regexMatch, .regexNoMatch: pattern = try ValuePattern(value)
        }
    }

    /// Whether a label value (empty for a missing label) satisfies this matcher.
    public func matches(_ candidate: String) -> Bool {
        switch type {
        case .equal: return candidate == value
        case .notEqual: return candidate != value
        case .regexMatch: return pattern!.matches(candidate)
        case .regexNoMatch: return !pattern!.matches(candidate)
        }
    }

    /// Whether the matcher selects series that lack the label entirely.
    public var matchesEmpty: Bool { matches("") }

    /// The literal values a regex matcher can match, when its pattern is an
    /// alternation of literals (`a|b|c`); nil otherwise.
    public var literalAlternatives: [String]? { pattern?.literals }

    /// `name="value"` with the operator, as PromQL prints it.
    public var description: String { "\(name)\(type.rawValue)\"\(escapeLabelValue(value))\"" }
}
