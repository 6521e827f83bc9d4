import CRE2

/// Why a regular expression does not compile, as Go's `regexp/syntax` says
/// it: Prometheus 2.42 (Go 1.19) shows `*syntax.Error` to the user, so
/// Meridian words RE2's complaints the same way.
public struct RegexSyntaxError: Equatable, Sendable, CustomStringConvertible {
    /// Go's `syntax.ErrorCode`; the raw values are Go's texts.
    public enum Code: String, Sendable, CaseIterable {
        case internalError = "regexp/syntax: internal error"
        case invalidCharClass = "invalid character class"
        case invalidCharRange = "invalid character class range"
        case invalidEscape = "invalid escape sequence"
        case invalidNamedCapture = "invalid named capture"
        case invalidPerlOp = "invalid or unsupported Perl syntax"
        case invalidRepeatOp = "invalid nested repetition operator"
        case invalidRepeatSize = "invalid repeat count"
        case invalidUTF8 = "invalid UTF-8"
        case missingBracket = "missing closing ]"
        case missingParen = "missing closing )"
        case missingRepeatArgument = "missing argument to repetition operator"
        case trailingBackslash = "trailing backslash at end of expression"
        case unexpectedParen = "unexpected )"
        case nestingDepth = "expression nests too deeply"
    }

    /// What is wrong.
    public let code: Code
    /// The offending part of the pattern (Go's `Error.Expr`); bytes that are
    /// not UTF-8 read as U+FFFD each, as Go's JSON encoder writes them.
    public let expression: String

    /// Creates an error from Go's code and expression.
    public init(_ code: Code, _ expression: String) {
        self.code = code
        self.expression = expression
    }

    /// Creates an error from raw pattern bytes (which may not be UTF-8).
    init(_ code: Code, bytes: some Collection<UInt8>) {
        self.init(code, GoRegexSyntax.goString(bytes))
    }

    /// Go's error for RE2's complaint about a repetition operator. Go checks
    /// a count (`{1001}`) before it looks at what the count repeats, and
    /// quotes it without the `?` that may follow; RE2 finds `*{1001}` nested
    /// first and quotes `{1001}?`. A count that is fine but repeats too much
    /// (`(a{10}){101}?`) both quote with its `?`.
    init(repetition code: Code, bytes argument: [UInt8]) {
        var repetition = argument[...]
        if repetition.last == UInt8(ascii: "?") { repetition.removeLast() }
        if repetition.last == UInt8(ascii: "}"), let brace = repetition.lastIndex(of: UInt8(ascii: "{")),
            Self.isInvalidCount(repetition[(brace + 1)..<(repetition.endIndex - 1)])
        {
            self.init(.invalidRepeatSize, bytes: repetition[brace...])
        } else {
            self.init(code, bytes: argument)
        }
    }

    /// Whether `n`, `n,` or `n,m` is a count Go refuses: above 1000, `m`
    /// below `n`, or a number of 9 digits or more (Go's parser gives up there).
    private static func isInvalidCount(_ count: ArraySlice<UInt8>) -> Bool {
        let parts = count.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        let numbers = parts.map { digits -> Int? in
            digits.isEmpty || digits.count > 8 ? nil : digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        guard let low = numbers[0] else { return true }
        if numbers.count == 1 { return low > 1000 }
        if parts[1].isEmpty { return low > 1000 }
        guard let high = numbers[1] else { return true }
        return low > 1000 || high > 1000 || low > high
    }

    /// `error parsing regexp: CODE: `EXPR``, Go's `Error.Error()`.
    public var description: String { "error parsing regexp: \(code.rawValue): `\(expression)`" }

    /// Go's code for an RE2 error code. RE2 and Go's `regexp/syntax` share
    /// their design, and the offending part RE2 reports is the one Go
    /// reports, except where the caller knows better (invalid UTF-8, a
    /// program too large, see ``RE2Regex``). Nil for RE2's "no error".
    static func code(_ re2: cre2_error_code) -> Code? {
        switch re2 {
        case CRE2_NO_ERROR: return nil
        case CRE2_ERROR_BAD_ESCAPE: return .invalidEscape
        case CRE2_ERROR_BAD_CHAR_CLASS: return .invalidCharClass
        case CRE2_ERROR_BAD_CHAR_RANGE: return .invalidCharRange
        case CRE2_ERROR_MISSING_BRACKET: return .missingBracket
        case CRE2_ERROR_MISSING_PAREN: return .missingParen
        case CRE2_ERROR_UNEXPECTED_PAREN: return .unexpectedParen
        case CRE2_ERROR_TRAILING_BACKSLASH: return .trailingBackslash
        case CRE2_ERROR_REPEAT_ARGUMENT: return .missingRepeatArgument
        case CRE2_ERROR_REPEAT_SIZE: return .invalidRepeatSize
        case CRE2_ERROR_REPEAT_OP: return .invalidRepeatOp
        case CRE2_ERROR_BAD_PERL_OP: return .invalidPerlOp
        case CRE2_ERROR_BAD_UTF8: return .invalidUTF8
        case CRE2_ERROR_BAD_NAMED_CAPTURE: return .invalidNamedCapture
        // Go 1.19.8 reports a program over its size limit as an internal
        // error quoting the whole pattern (the 1.19 backport of ErrLarge).
        default: return .internalError
        }
    }
}
