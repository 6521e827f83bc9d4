import MeridianModel

/// Vector selectors, their label matchers, and the label lists of `by`,
/// `without`, `on`, `ignoring` and `group_left`/`group_right`.
extension Parser {
    /// `name`, `name{…}` or `{…}`; `name` is the already consumed metric name.
    ///
    /// The name becomes a `__name__` matcher after the others, where
    /// Prometheus puts it. Whether the selector selects anything (a non-empty
    /// matcher, a single name) is checked with the types, after parsing.
    mutating func parseVectorSelector(name: Token?) throws(ParseError) -> VectorSelector {
        var matchers: [LabelMatcher] = []
        var position = name?.range ?? PositionRange(start: 0, end: 0)
        if try peek().kind == .leftBrace {
            let braces: PositionRange
            (matchers, braces) = try parseLabelMatchers()
            position = PositionRange(start: name?.start ?? braces.start, end: braces.end)
        }
        if let name {
            do {
                matchers.append(try LabelMatcher(.equal, metricNameLabel, name.text))
            } catch {
                preconditionFailure("an equality matcher cannot fail: \(error)")
            }
        }
        return VectorSelector(name: name?.text, matchers: matchers, position: position)
    }

    /// `{name op "value", …}` with an optional trailing comma; returns the
    /// matchers and the position of the braces.
    private mutating func parseLabelMatchers() throws(ParseError) -> ([LabelMatcher], PositionRange) {
        let open = try advance()
        var matchers: [LabelMatcher] = []
        while true {
            let label = try peek()
            if label.kind == .rightBrace { break }
            guard label.kind == .identifier else {
                throw unexpected(label, in: "label matching", expected: "identifier or \"}\"")
            }
            try advance()
            let opToken = try peek()
            let type: MatchType
            switch opToken.kind {
            case .assign: type = .equal
            case .op(.neq): type = .notEqual
            case .regexMatch: type = .regexMatch
            case .regexNoMatch: type = .regexNoMatch
            default: throw unexpected(opToken, in: "label matching", expected: "label matching operator")
            }
            try advance()
            let valueToken = try peek()
            guard valueToken.kind == .string else {
                throw unexpected(valueToken, in: "label matching", expected: "string")
            }
            try advance()
            let value = try string(valueToken)
            do {
                matchers.append(try LabelMatcher(type, label.text, value))
            } catch {
                // Go's regexp words these differently; the position matches.
                throw parseError(PositionRange(start: label.start, end: valueToken.end), "\(error)")
            }
            let separator = try peek()
            if separator.kind == .rightBrace { break }
            guard separator.kind == .comma else {
                throw unexpected(separator, in: "label matching", expected: "\",\" or \"}\"")
            }
            try advance()
        }
        let close = try advance()
        return (matchers, PositionRange(start: open.start, end: close.end))
    }

    /// `(label, …)`, possibly empty, with an optional trailing comma. Keywords
    /// are fine as label names here (`by (on, offset)`).
    mutating func parseGroupingLabels() throws(ParseError) -> [String] {
        let open = try peek()
        guard open.kind == .leftParen else { throw unexpected(open, in: "grouping opts", expected: "\"(\"") }
        try advance()
        var labels: [String] = []
        if try consume(.rightParen) != nil { return labels }
        while true {
            let label = try peek()
            guard Parser.canBeLabel(label.kind) else {
                throw unexpected(label, in: "grouping opts", expected: "label")
            }
            try advance()
            guard isLabelName(label.text) else { throw unexpected(label, in: "grouping opts", expected: "label") }
            labels.append(label.text)
            let separator = try peek()
            if separator.kind == .rightParen { break }
            guard separator.kind == .comma else {
                throw unexpected(separator, in: "grouping opts", expected: "\",\" or \")\"")
            }
            try advance()
            if try peek().kind == .rightParen { break }
        }
        try advance()
        return labels
    }

    /// The tokens Prometheus' `maybe_label` rule takes as a grouping label:
    /// every word but `without`, which its grammar leaves out.
    private static func canBeLabel(_ kind: TokenKind) -> Bool {
        switch kind {
        case .keyword(.without): return false
        case .identifier, .metricIdentifier, .aggregator, .keyword, .preprocessor: return true
        case .op(let op): return op.isSetOperator || op == .atan2
        default: return false
        }
    }
}
