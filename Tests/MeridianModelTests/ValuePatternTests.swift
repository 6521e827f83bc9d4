import Testing

@testable import MeridianModel

@Suite struct ValuePatternTests {
    static let values = [
        "", "a", "b", "ab", "abc", "api", "api-1", "web", "a\nb", "api\n", "\n", "K", "\u{212A}", "e\u{301}", "é",
        "prefix", "prefix-x", "pre", "x|y", "|", "日本", "\u{301}b", "a|\u{301}b", "\u{600}", "\u{600}x",
    ]

    /// Each fast path answers exactly what RE2 answers for the same pattern.
    @Test(arguments: [
        ".*", ".+", "a|b|ab", "api", "", "|a", "K|x", "é|e", "prefix.*", "api.*", "日本|x", "a|a",
        // A bar or a dot that Swift joins to the Character next to it.
        "a|\u{301}b", "\u{600}.*",
    ])
    func fastPathAgreesWithRE2(pattern: String) throws {
        let fast = try ValuePattern(pattern)
        let slow = try RE2Regex(uncached: pattern)
        for value in Self.values {
            #expect(fast.matches(value) == slow.matches(value), "\(pattern) on \(value.debugDescription)")
        }
    }

    @Test func literalAlternationsAreListed() throws {
        #expect(try ValuePattern("a|b|c").literals == ["a", "b", "c"])
        #expect(try ValuePattern("a.*").literals == nil)
        // Split at the byte `|`, though Swift reads `|` + U+0301 as one Character.
        #expect(try ValuePattern("a|\u{301}b").literals == ["a", "\u{301}b"])
        // Canonically equal but different bytes: a Set would merge them, so RE2 answers.
        #expect(try ValuePattern("e\u{301}|é").literals == nil)
        #expect(try ValuePattern("e\u{301}|é").matches("é"))
    }

    /// `(a?){30}a{30}` spelt out: a selector with it answers at once.
    @Test func pathologicalSelectorMatches() throws {
        let pattern = String(repeating: "(a?)", count: 30) + String(repeating: "a", count: 30)
        let matcher = try LabelMatcher(.regexMatch, "job", pattern)
        #expect(matcher.matches(String(repeating: "a", count: 30)))
        #expect(!matcher.matches(String(repeating: "a", count: 29)))
        #expect(!matcher.matches(String(repeating: "a", count: 29) + "b"))
    }

    @Test func fastPathsStillRefuseWhatPrometheusRefuses() {
        #expect(throws: ModelError.self) { try ValuePattern("a)(b") }
        #expect(throws: ModelError.self) { try ValuePattern("a)(?:b.*") }
    }
}
