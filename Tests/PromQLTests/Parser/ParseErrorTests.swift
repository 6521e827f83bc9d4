import Testing

@testable import PromQL

/// Where errors point: line and byte column, as Prometheus counts them.
@Suite struct ParseErrorTests {
    private func error(_ query: String) -> ParseError? {
        do {
            _ = try PromQLParser.parse(query)
            return nil
        } catch {
            return error
        }
    }

    @Test func lineAndColumnOnLaterLines() throws {
        let e = try #require(error("foo +\n  bar baz"))
        #expect(e.line == 2)
        #expect(e.column == 7)
        #expect(e.position.start == 12)
        #expect(e.description == #"2:7: parse error: unexpected identifier "baz""#)
    }

    @Test func columnsCountBytes() throws {
        let e = try #require(error(#"{é="x"} $"#))
        #expect(e.description == "1:2: parse error: unexpected character inside braces: 'é'")
        let later = try #require(error(#"foo{a="é"} $"#))
        #expect(later.column == 13, "é takes two bytes")
    }

    @Test func typeErrorsPointAtTheOperand() throws {
        let e = try #require(error("rate(foo)"))
        #expect(e.position == PositionRange(start: 5, end: 8))
        #expect(e.message == #"expected type range vector in call to function "rate", got instant vector"#)
    }

    @Test func syntaxErrorsComeBeforeTypeErrors() {
        // `{}` alone is a type error, but the syntax error after it wins.
        #expect(error("{} +")?.message == "unexpected end of input")
    }

    @Test func emptyQuery() {
        #expect(error("")?.description == "1:1: parse error: no expression found in input")
        #expect(error("  # nothing\n")?.description == "1:1: parse error: no expression found in input")
    }

    /// Swift strings cannot hold invalid UTF-8; the replacement character
    /// that stands for it is rejected inside strings, as Prometheus rejects
    /// the invalid bytes.
    @Test func replacementCharacterInStrings() {
        #expect(error("foo{a=\"\u{FFFD}\"}")?.description == "1:7: parse error: invalid UTF-8 rune")
    }
}

/// Pathological nesting is refused before it can overflow the stack of
/// the parser, the type checker, the printer or the engine.
@Suite struct NestingLimitTests {
    enum Shape: String, CaseIterable {
        case parentheses, orChain, calls, signs

        func query(depth n: Int) -> String {
            switch self {
            case .parentheses: return String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n)
            case .orChain: return "foo" + String(repeating: " or foo", count: n)
            case .calls: return String(repeating: "abs(", count: n) + "foo" + String(repeating: ")", count: n)
            case .signs: return String(repeating: "-", count: n) + "foo"
            }
        }
    }

    @Test(arguments: Shape.allCases)
    func deepQueriesAreRefusedNotCrashed(shape: Shape) throws {
        _ = try PromQLParser.parse(shape.query(depth: 400))
        let error = parseFailure(shape.query(depth: 20_000))
        #expect(error?.hasSuffix("parse error: query is nested too deeply (more than 500 levels)") == true)
    }
}
