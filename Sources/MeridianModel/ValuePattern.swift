/// A regex matcher's pattern, anchored as Prometheus anchors it, with fast
/// paths for the shapes dashboards write most (`.*`, `.+`, `a|b|c`,
/// `prefix.*`); everything else runs on RE2 (``RE2Regex``), in linear time.
///
/// The fast paths answer exactly what the regex would: they compare bytes,
/// as Go does (Swift's `==` and `hasPrefix` treat canonically equivalent
/// strings as equal, so "K" would equal the Kelvin sign), and `.` does not
/// match a newline.
final class ValuePattern: Sendable {
    private enum Kind {
        case any
        case nonEmpty
        case literals(Set<String>)
        case prefix([UInt8])
        case regex(RE2Regex)
    }

    private let kind: Kind
    /// The alternatives of a literal alternation (`a|b|c`), nil otherwise.
    let literals: [String]?

    /// Compiles `source`, refusing what Prometheus refuses with Go's error.
    /// - Throws: ``ModelError/invalidRegex(_:)``.
    init(_ source: String) throws(ModelError) {
        // Every pattern goes through RE2 once (cached), so that a fast path
        // never accepts a pattern Prometheus refuses.
        let regex = try RE2Regex.compile(source)
        // Prometheus also parses the bare pattern, which `a)(b` fails.
        if let bareError = regex.bareError { throw .invalidRegex(bareError) }
        if let alternatives = ValuePattern.literalAlternatives(source),
            Set(alternatives.map { Array($0.utf8) }).count == Set(alternatives).count
        {
            kind = .literals(Set(alternatives))
            literals = alternatives
            return
        }
        literals = nil
        if source == ".*" {
            kind = .any
        } else if source == ".+" {
            kind = .nonEmpty
        } else if source.utf8.suffix(2).elementsEqual(".*".utf8),
            let prefix = ValuePattern.literalAlternatives(String(decoding: source.utf8.dropLast(2), as: UTF8.self)),
            prefix.count == 1
        {
            kind = .prefix(Array(prefix[0].utf8))
        } else {
            kind = .regex(regex)
        }
    }

    /// Whether all of `candidate` matches.
    /// - Complexity: O(n) in the bytes of `candidate`; no allocation.
    func matches(_ candidate: String) -> Bool {
        switch kind {
        case .any: return !candidate.utf8.contains(0x0A)
        case .nonEmpty: return !candidate.isEmpty && !candidate.utf8.contains(0x0A)
        case .literals(let set):
            guard let found = set.firstIndex(of: candidate) else { return false }
            return set[found].utf8.elementsEqual(candidate.utf8)
        case .prefix(let prefix):
            let bytes = candidate.utf8
            guard bytes.starts(with: prefix) else { return false }
            return !bytes.dropFirst(prefix.count).contains(0x0A)
        case .regex(let regex): return regex.matches(candidate)
        }
    }

    /// Splits `a|b|c` into literals when no alternative contains a regex
    /// metacharacter. Splits bytes, not Characters: a `|` followed by a
    /// combining mark is one Character to Swift but still a bar to RE2.
    static func literalAlternatives(_ source: String) -> [String]? {
        let meta: Set<UInt8> = Set("\\.+*?()[]{}^$".utf8)
        if source.utf8.contains(where: { meta.contains($0) }) { return nil }
        return source.utf8.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
    }
}
