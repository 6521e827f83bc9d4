import CRE2

/// A regular expression compiled by RE2, anchored as Prometheus anchors its
/// label regexes (`^(?:pattern)$`), matched on UTF-8 bytes.
///
/// RE2 matches in time linear in the text, whatever the pattern: Prometheus
/// runs Go's `regexp`, which has the same guarantee, so a pattern such as
/// `(a?){30}a{30}` must not pin a core here either (a backtracking engine
/// takes minutes on it). Patterns are accepted or refused as Go 1.19 does,
/// with Go's error text (see ``GoRegexSyntax`` and ``RegexSyntaxError``).
///
/// Immutable once built; RE2 allows matching from several threads at once,
/// so one instance serves every query (see ``compile(_:)`` for the cache).
public final class RE2Regex: @unchecked Sendable {
    /// RE2's memory budget for one regex: its program and its lazily built
    /// DFA caches. Go 1.19 gives a program about 128 MiB (`maxSize`), so
    /// patterns Go takes, such as `\pL{1000}` (1.2 million RE2 instructions;
    /// RE2's default 8 MiB refuses it), compile here too.
    static let maxMemory: Int64 = 128 << 20

    /// The pattern as written, without the anchors.
    public let pattern: String
    /// The number of capturing groups, not counting the whole match.
    public let groupCount: Int
    /// The name of each group by number (index 0, the whole match, has none).
    public let groupNames: [String?]
    /// The size of RE2's program, its measure of what the regex costs.
    public let programSize: Int
    /// Go's error for the bare pattern when only Prometheus' wrapper makes
    /// it compile (`a)(b`): selectors refuse it, `label_replace` does not.
    let bareError: RegexSyntaxError?

    let handle: OpaquePointer

    /// Compiles `pattern` without looking at the cache.
    /// - Throws: ``ModelError/invalidRegex(_:)`` with Go's error.
    /// - Complexity: RE2's compile, linear in the pattern and its expansion.
    public init(uncached pattern: String) throws(ModelError) {
        let bytes = Array(pattern.utf8)
        let syntax = GoRegexSyntax(bytes)
        if let problem = syntax.problem {
            // Go parses left to right: an error RE2 finds before the
            // Go-only problem is the one Go reports.
            throw .invalidRegex(Self.errorBefore(problem.offset, in: bytes) ?? problem.error)
        }
        let anchored = Self.anchored(bytes)
        let compiled = try Self.compileRE2(anchored)
        guard syntax.height <= GoRegexSyntax.maxHeight else {
            cre2_free(compiled)
            throw .invalidRegex(RegexSyntaxError(.nestingDepth, bytes: anchored))
        }
        handle = compiled
        self.pattern = pattern
        bareError = syntax.strayParenOffset.map { _ in RegexSyntaxError(.unexpectedParen, pattern) }
        groupCount = Int(cre2_group_count(compiled))
        programSize = Int(cre2_program_size(compiled))
        groupNames = (0...groupCount).map { index in
            var length = 0
            guard let name = cre2_group_name(compiled, Int32(index), &length) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: name, count: length), as: UTF8.self)
        }
    }

    deinit { cre2_free(handle) }

    /// Whether the whole of `text` matches.
    /// - Complexity: O(n) in the bytes of `text`; no allocation.
    public func matches(_ text: String) -> Bool {
        if let result = text.utf8.withContiguousStorageIfAvailable({ matches(utf8: $0) }) { return result }
        var copy = text
        return copy.withUTF8 { matches(utf8: $0) }
    }

    /// Whether all of `bytes` (UTF-8) match.
    /// - Complexity: O(n) in `bytes`; no allocation.
    public func matches(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.withMemoryRebound(to: CChar.self) { chars in
            cre2_full_match(handle, chars.baseAddress, chars.count) != 0
        }
    }

    // MARK: compiling

    /// `^(?:` pattern `)$`, the form Prometheus compiles.
    static func anchored(_ pattern: some Collection<UInt8>) -> [UInt8] {
        Array("^(?:".utf8) + pattern + Array(")$".utf8)
    }

    /// RE2's compiled form of `anchored`; the caller frees it.
    /// - Throws: RE2's error in Go's words.
    private static func compileRE2(_ anchored: [UInt8]) throws(ModelError) -> OpaquePointer {
        var error = cre2_error()
        let handle = anchored.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cre2_compile($0.baseAddress, $0.count, maxMemory, &error) }
        }
        if let handle { return handle }
        defer { cre2_free_error(&error) }
        let code = RegexSyntaxError.code(error.code) ?? .internalError
        let argument = error.arg.map { Array(UnsafeRawBufferPointer(start: $0, count: error.arg_length)) } ?? []
        switch code {
        case .internalError:
            // Too large a program: Go quotes the whole pattern.
            throw .invalidRegex(RegexSyntaxError(code, bytes: anchored))
        case .invalidUTF8:
            // RE2 names no position; Go quotes the rest from the first bad byte.
            var offset = 0
            while offset < anchored.count, let length = GoRegexSyntax.scalarLength(anchored, at: offset) {
                offset += length
            }
            throw .invalidRegex(RegexSyntaxError(code, bytes: anchored[offset...]))
        case .invalidRepeatOp, .invalidRepeatSize:
            throw .invalidRegex(RegexSyntaxError(repetition: code, bytes: argument))
        default:
            throw .invalidRegex(RegexSyntaxError(code, bytes: argument))
        }
    }

    /// The error Go's parser meets in `prefix` of the pattern, before it
    /// reaches what follows; nil when the prefix only fails for being cut
    /// short. ``GoRegexSyntax`` cuts between items, so what the prefix can
    /// leave open is a group or a class, never an escape: an escape RE2
    /// refuses at the end of the prefix (`\e` in `\e\C`) is one Go refuses too.
    private static func errorBefore(_ offset: Int, in pattern: [UInt8]) -> RegexSyntaxError? {
        let opened = Array("^(?:".utf8) + pattern[..<offset]
        let error: RegexSyntaxError
        do {
            cre2_free(try compileRE2(opened))
            return nil
        } catch let thrown {
            // ModelError has one case; Swift does not yet see a
            // `catch .invalidRegex` as exhaustive.
            guard case .invalidRegex(let found) = thrown else { return nil }
            error = found
        }
        switch error.code {
        case .missingParen, .missingBracket, .trailingBackslash, .internalError, .invalidUTF8: return nil
        // Go quotes the whole pattern, not the part it had read.
        case .unexpectedParen: return RegexSyntaxError(.unexpectedParen, bytes: anchored(pattern))
        default: return error
        }
    }
}
