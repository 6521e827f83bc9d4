import Testing

@testable import MeridianModel

@Suite struct RE2RegexTests {
    /// Patterns that take a backtracking engine exponential time: RE2 runs
    /// them in time linear in the text. Each asserts the answer, not a time;
    /// the suite's time limit catches a regression to backtracking.
    @Test(.timeLimit(.minutes(1))) func catastrophicPatternsFinish() throws {
        // (a?){30}a{30} written out, against "a" × 30: it matches.
        let spelled = String(repeating: "(a?)", count: 30) + String(repeating: "a", count: 30)
        let regex = try RE2Regex.compile(spelled)
        let values = (0...60).map { String(repeating: "a", count: $0) }
        #expect(values.filter(regex.matches).count == 31)  // 30 to 60 a's
        #expect(regex.groupCount == 30)

        let nested = try RE2Regex.compile("(x+x+)+y")
        let long = String(repeating: "x", count: 100_000)
        #expect(!nested.matches(long))
        #expect(nested.matches(long + "y"))
        let inputs = (1...200).map { String(repeating: "x", count: $0 * 50) + ($0 % 2 == 0 ? "y" : "") }
        #expect(inputs.filter(nested.matches).count == 100)
    }

    @Test func matchesGoSemantics() throws {
        let cases: [(String, String, Bool)] = [
            ("\\pL+", "été", true), ("\\d+", "\u{0663}", false), ("\\w+", "é", false), ("\\s", "\u{0B}", false),
            ("(?i)straße", "STRAßE", true), ("(?i)k", "\u{212A}", true), (".", "\n", false), ("(?s).", "\n", true),
            ("", "", true), ("", "a", false), ("[[:alpha:]]+", "abc", true), ("[[:alpha:]]", "é", false),
            ("a|ab", "ab", true), ("\\Aa\\z", "a", true), ("a$b", "ab", false), ("\\p{Greek}+", "αβγ", true),
            ("\\Qa.b\\E", "axb", false), ("(?i)[[:upper:]]", "a", true), ("\\pN+", "Ⅻ", true), ("\\p{Nd}", "Ⅻ", false),
            ("[^a]", "\n", true), ("(?U)a+", "aaa", true), ("\\x{10FFFF}", "\u{10FFFF}", true), ("\\0", "\0", true),
            // The anchors wrap the whole pattern, alternation included.
            ("a|b", "ab", false), ("a)(b", "ab", true),
        ]
        for (pattern, text, expected) in cases {
            #expect(try RE2Regex.compile(pattern).matches(text) == expected, "\(pattern) on \(text.debugDescription)")
        }
    }

    @Test func reportsGroupsAsByteRanges() throws {
        let regex = try RE2Regex.compile("(?P<first>.)(é)?(?P<rest>.*)")
        #expect(regex.groupNames == [nil, "first", nil, "rest"])
        let found = regex.withFullMatch(of: "e\u{301}x", groups: 4) { bytes, groups in
            groups.map { $0.map { String(decoding: bytes[$0], as: UTF8.self) } }
        }
        // RE2 sees scalars, not Characters: `.` takes the "e" of "é" spelt e + U+0301.
        #expect(found == ["e\u{301}x", "e", nil, "\u{301}x"])
        #expect(regex.withFullMatch(of: "", groups: 1) { _, groups in groups } == nil)
    }

    @Test func cacheReturnsTheSameCompiledRegex() throws {
        let cache = RE2RegexCache(.init())
        let a = try cache.regex(for: "cache-(a|b)+")
        let b = try cache.regex(for: "cache-(a|b)+")
        #expect(a === b)
        #expect(cache.count == 1)
        #expect(throws: ModelError.self) { try cache.regex(for: "(") }
        #expect(cache.count == 1)
    }

    /// "K" and the Kelvin sign are equal Strings but different patterns.
    @Test func cacheTellsCanonicallyEqualPatternsApart() throws {
        let cache = RE2RegexCache(.init())
        let latin = try cache.regex(for: "K")
        let kelvin = try cache.regex(for: "\u{212A}")
        #expect(latin !== kelvin)
        #expect(cache.count == 2)
        #expect(kelvin.matches("\u{212A}") && !kelvin.matches("K"))
        #expect(latin.matches("K") && !latin.matches("\u{212A}"))
    }

    @Test func cacheStaysWithinItsBounds() throws {
        let cache = RE2RegexCache(.init(entries: 8, patternBytes: 200, programSize: 1 << 20))
        for i in 0..<100 { _ = try cache.regex(for: "bound-\(i)-[a-z]+") }
        #expect(cache.count <= 8)
        let recent = try cache.regex(for: "bound-99-[a-z]+")
        #expect(try cache.regex(for: "bound-99-[a-z]+") === recent)
        let byBytes = RE2RegexCache(.init(entries: 100, patternBytes: 64, programSize: 1 << 20))
        for i in 0..<20 { _ = try byBytes.regex(for: "bytes-\(i)-[0-9]{3}") }  // 17 or 18 bytes each
        #expect(byBytes.count <= 3)
        let byProgram = RE2RegexCache(.init(entries: 100, patternBytes: 1 << 20, programSize: 1000))
        _ = try byProgram.regex(for: "\\pL{100}")  // far more than 1000 instructions: not kept
        #expect(byProgram.count == 0)
    }

    @Test func matchesFromManyThreadsAtOnce() async throws {
        let regex = try RE2Regex.compile("(?i)job-[0-9]+-(api|web)")
        let counts = await withTaskGroup(of: Int.self) { group in
            for t in 0..<8 {
                group.addTask {
                    (0..<2000).filter { regex.matches("JOB-\($0 + t)-\($0 % 3 == 0 ? "api" : "db")") }.count
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 667, count: 8))
    }
}
