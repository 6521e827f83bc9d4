import Testing

@testable import PromQL

/// The token stream, including the lexer's context rules.
@Suite struct LexerTests {
    private func tokens(_ query: String) -> [(TokenKind, Int, String)] {
        var lexer = Lexer(query)
        var out: [(TokenKind, Int, String)] = []
        while true {
            let token = lexer.nextToken()
            if token.kind == .eof { return out }
            out.append((token.kind, token.start, token.text))
            if token.kind == .error { return out }
        }
    }

    private func kinds(_ query: String) -> [TokenKind] { tokens(query).map(\.0) }

    @Test func selectorTokensAndByteOffsets() {
        let got = tokens(#"rate(foo{a=~"é"}[5m])"#)
        #expect(
            got.map(\.0) == [
                .identifier, .leftParen, .identifier, .leftBrace, .identifier, .regexMatch, .string, .rightBrace,
                .leftBracket, .duration, .rightBracket, .rightParen,
            ])
        #expect(got.map(\.1) == [0, 4, 5, 8, 9, 10, 12, 16, 17, 18, 20, 21], "offsets count bytes, é is two")
    }

    @Test func keywordsAreCaseInsensitive() {
        #expect(
            kinds("SUM By OFFSET and Inf nan") == [
                .aggregator(.sum), .keyword(.by), .keyword(.offset), .op(.and), .number, .number,
            ])
    }

    @Test func keywordsInsideBracesAreIdentifiers() {
        #expect(kinds(#"{by="x"}"#) == [.leftBrace, .identifier, .assign, .string, .rightBrace])
    }

    @Test func operators() {
        #expect(
            kinds("+ - * / % ^ == != > < >= <= atan2 @") == [
                .op(.add), .op(.sub), .op(.mul), .op(.div), .op(.mod), .op(.pow), .op(.eql), .op(.neq),
                .op(.gtr), .op(.lss), .op(.gte), .op(.lte), .op(.atan2), .at,
            ])
    }

    @Test func metricIdentifiers() {
        #expect(kinds("job:rate5m :x foo") == [.metricIdentifier, .metricIdentifier, .identifier])
    }

    @Test func numbersVersusDurations() {
        #expect(kinds("1 1.5 0x1f 1e3 5m 1h30m") == [.number, .number, .number, .number, .duration, .duration])
    }

    @Test func subqueryBracketsAndColon() {
        #expect(kinds("foo[ 1h : 5m ]") == [.identifier, .leftBracket, .duration, .colon, .duration, .rightBracket])
    }

    @Test func commentsAreSkipped() {
        #expect(kinds("foo # a comment\n+ bar") == [.identifier, .op(.add), .identifier])
    }

    @Test func errorEndsTheStream() {
        let got = tokens("foo $ bar")
        #expect(got.last?.0 == .error)
        #expect(got.last?.1 == 4)
        #expect(got.last?.2 == "unexpected character: '$'")
    }

    @Test func errorDescriptions() {
        let cases: [(Token, String)] = [
            (Token(kind: .identifier, start: 0, text: "foo"), #"identifier "foo""#),
            (Token(kind: .string, start: 0, text: #""abcdefghijk""#), #"string "\"abcdefghi"..."#),
            (Token(kind: .keyword(.by), start: 0, text: "BY"), "<BY>"),
            (Token(kind: .aggregator(.sum), start: 0, text: "sum"), "<aggr:sum>"),
            (Token(kind: .op(.and), start: 0, text: "and"), "<op:and>"),
            (Token(kind: .comma, start: 0, text: ","), #"",""#),
            (Token(kind: .eof, start: 0, text: ""), "end of input"),
        ]
        for (token, text) in cases {
            #expect(token.errorDescription == text)
        }
    }
}
