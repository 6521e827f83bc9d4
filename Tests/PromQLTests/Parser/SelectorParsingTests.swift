import MeridianModel
import Testing

@testable import PromQL

/// Vector and matrix selectors, subqueries, `offset` and `@`: the values the
/// parser stores, beyond how they print.
@Suite struct SelectorParsingTests {
    private func selector(_ query: String) throws -> VectorSelector {
        guard case .vectorSelector(let s) = try PromQLParser.parse(query) else {
            throw ParserTestFailure("not a vector selector: \(query)")
        }
        return s
    }

    @Test func nameBecomesTheLastMatcher() throws {
        let s = try selector(#"foo{a="b", c!="d", e=~"f.*", g!~"h",}"#)
        #expect(s.name == "foo")
        #expect(s.matchers.map(\.name) == ["a", "c", "e", "g", "__name__"])
        #expect(s.matchers.map(\.type) == [.equal, .notEqual, .regexMatch, .regexNoMatch, .equal])
        #expect(s.matchers.last?.value == "foo")
        #expect(s.position == PositionRange(start: 0, end: 37))
    }

    @Test func selectorsWithoutName() throws {
        let s = try selector(#"{__name__=~"x.*", job="api"}"#)
        #expect(s.name == nil)
        #expect(s.matchers.count == 2)
    }

    @Test(arguments: ["job:rate5m", ":foo", "sum", "by", "and", "offset", "start", "end", "without", "avg_over_time"])
    func wordsUsableAsMetricNames(name: String) throws {
        #expect(try selector(name).name == name)
        #expect(try selector(name + #"{a="b"}"#).name == name)
    }

    @Test func keywordsAreLabelNamesInsideBraces() throws {
        let s = try selector(#"foo{on="1", by="2", offset="3", inf="4", nan="5", bool="6"}"#)
        #expect(s.matchers.map(\.name) == ["on", "by", "offset", "inf", "nan", "bool", "__name__"])
    }

    @Test func stringsInAllThreeQuotes() throws {
        let s = try selector(#"foo{a="x\"y", b='x\'y', c=`x\ny`}"#)
        #expect(s.matchers.map(\.value).prefix(3) == [#"x"y"#, "x'y", #"x\ny"#])
    }

    @Test func offsets() throws {
        #expect(try selector("foo offset 5m").offset == 300_000)
        #expect(try selector("foo offset -1h30m").offset == -5_400_000)
        #expect(try selector("foo OFFSET 1y").offset == 365 * 86_400_000)
        let s = try selector("foo offset 5m")
        #expect(s.position == PositionRange(start: 0, end: 13))
    }

    @Test func atModifiers() throws {
        #expect(try selector("foo @ 1609746000").at == .timestamp(1_609_746_000_000))
        #expect(try selector("foo @ 1.5").at == .timestamp(1500))
        #expect(try selector("foo @ -0.0005").at == .timestamp(-1))
        #expect(try selector("foo @ start()").at == .start)
        #expect(try selector("foo @ end()").at == .end)
        let both = try selector("foo @ 10 offset 1m")
        #expect(both.at == .timestamp(10_000) && both.offset == 60_000)
        let reversed = try selector("foo offset 1m @ 10")
        #expect(reversed.at == .timestamp(10_000) && reversed.offset == 60_000)
    }

    @Test func matrixSelectors() throws {
        guard case .matrixSelector(let m) = try PromQLParser.parse("foo[5m] offset 1h @ 100") else {
            throw ParserTestFailure("not a matrix selector")
        }
        #expect(m.range == 300_000)
        #expect(m.selector.offset == 3_600_000)
        #expect(m.selector.at == .timestamp(100_000))
        #expect(m.position == PositionRange(start: 0, end: 23))
    }

    /// `@ start()` may precede a range (only a numeric `@` may not).
    @Test func atStartBeforeRange() throws {
        guard case .matrixSelector(let m) = try PromQLParser.parse("foo @ start()[5m]") else {
            throw ParserTestFailure("not a matrix selector")
        }
        #expect(m.selector.at == .start)
    }

    @Test func subqueries() throws {
        guard case .subquery(let s) = try PromQLParser.parse("rate(foo[5m])[1h:1m] offset 5m @ end()") else {
            throw ParserTestFailure("not a subquery")
        }
        #expect(s.range == 3_600_000)
        #expect(s.step == 60_000)
        #expect(s.offset == 300_000)
        #expect(s.at == .end)
        guard case .subquery(let defaultStep) = try PromQLParser.parse("foo[1h:]") else {
            throw ParserTestFailure("not a subquery")
        }
        #expect(defaultStep.step == 0)
        #expect(defaultStep.position == PositionRange(start: 0, end: 8))
    }

    /// Inside brackets Prometheus' lexer reads any letter as the colon.
    @Test func letterInBracketsActsAsColon() throws {
        #expect(try PromQLParser.parse("foo[5m x 1m]").description == "foo[5m:1m]")
    }

    @Test func commentsAndNewlines() throws {
        let query = "sum( # total\n  foo # the metric\n)"
        #expect(try PromQLParser.parse(query).description == "sum(foo)")
    }
}
