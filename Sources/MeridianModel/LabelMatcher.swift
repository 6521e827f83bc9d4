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
/// Regular expressions are fully anchored (`^(?:re)$`). Patterns that are plain
/// literals or alternations of literals, and `.*` / `.+`, never touch the regex engine.
public struct LabelMatcher: Sendable, CustomStringConvertible {
    /// The label name.
    public let name: String
    /// The value or pattern as written.
    public let value: String
    /// How the value is compared.
    public let type: MatchType
    private let pattern: ValuePattern?

    /// Creates a matcher; throws ``ModelError/invalidRegex(_:_:)`` for a bad pattern.
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

/// Errors raised while building model values.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// A regular expression that does not compile.
    case invalidRegex(String, String)
    /// A regular expression using syntax RE2 lacks, with Go's message.
    case unsupportedRegex(String)

    public var description: String {
        switch self {
        case .invalidRegex(let pattern, let reason): return "invalid regular expression \"\(pattern)\": \(reason)"
        case .unsupportedRegex(let message): return message
        }
    }
}

/// A compiled, anchored value pattern with fast paths for the shapes
/// dashboards write most (`.*`, `.+`, `a|b|c`, `prefix.*`).
final class ValuePattern: @unchecked Sendable {
    // Regex is immutable after construction; matching from several threads is safe.
    private enum Kind {
        case any
        case nonEmpty
        case literals(Set<String>)
        case prefix(String)
        case regex(Regex<AnyRegexOutput>)
    }

    private let kind: Kind
    let literals: [String]?

    init(_ source: String) throws {
        if source == ".*" {
            kind = .any
            literals = nil
        } else if source == ".+" {
            kind = .nonEmpty
            literals = nil
        } else if let alternatives = ValuePattern.literalAlternatives(source) {
            kind = .literals(Set(alternatives))
            literals = alternatives
        } else if source.hasSuffix(".*"), let prefix = ValuePattern.literalAlternatives(String(source.dropLast(2))),
            prefix.count == 1
        {
            kind = .prefix(prefix[0])
            literals = nil
        } else {
            if let unsupported = RE2Syntax.unsupported(source) {
                throw ModelError.unsupportedRegex(unsupported)
            }
            do {
                kind = .regex(try Regex("^(?:" + source + ")$"))
            } catch {
                throw ModelError.invalidRegex(source, "\(error)")
            }
            literals = nil
        }
    }

    func matches(_ candidate: String) -> Bool {
        switch kind {
        case .any: return true
        case .nonEmpty: return !candidate.isEmpty
        case .literals(let set): return set.contains(candidate)
        case .prefix(let prefix): return candidate.hasPrefix(prefix)
        case .regex(let regex): return (try? regex.wholeMatch(in: candidate)) != nil
        }
    }

    /// Splits `a|b|c` into literals when no alternative contains a regex metacharacter.
    static func literalAlternatives(_ source: String) -> [String]? {
        let meta: Set<Character> = ["\\", ".", "+", "*", "?", "(", ")", "[", "]", "{", "}", "^", "$"]
        if source.contains(where: { meta.contains($0) }) { return nil }
        return source.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }
}
