import Testing

@testable import PromQL

/// Errors found while splitting the query into tokens: characters, strings,
/// escapes, numbers, durations and unbalanced brackets. Expected texts were
/// taken from a running Prometheus 2.42 (`/api/v1/format_query`).
@Suite struct LexerErrorTests {
    /// (query, full error text), as Prometheus 2.42 prints it.
    static let cases: [(String, String)] = [
        (".", "1:1: parse error: unexpected character: '.'"),
        ("2.5.", "1:4: parse error: unexpected character: '.'"),
        ("0deadbeef", #"1:1: parse error: bad number or duration syntax: "0de""#),
        ("(1))", "1:5: parse error: unexpected right parenthesis ')'"),
        ("((1)", "1:5: parse error: unclosed left parenthesis"),
        ("(", "1:2: parse error: unclosed left parenthesis"),
        ("1 !~ 1", "1:3: parse error: unexpected character after '!': '~'"),
        ("1 =~ 1", "1:3: parse error: unexpected character after '=': '~'"),
        ("}", "1:1: parse error: unexpected character: '}'"),
        ("some}", "1:5: parse error: unexpected character: '}'"),
        (#"some_metric{a:b="b"}"#, "1:14: parse error: unexpected character inside braces: ':'"),
        (#"foo{a*"b"}"#, "1:6: parse error: unexpected character inside braces: '*'"),
        (#"foo{a>="b"}"#, "1:6: parse error: unexpected character inside braces: '>'"),
        ("foo{1}", "1:5: parse error: unexpected character inside braces: '1'"),
        ("foo[5mm]", #"1:5: parse error: bad duration syntax: "5mm""#),
        ("foo[5m1]", #"1:5: parse error: bad duration syntax: "5m1""#),
        ("foo[5m:1m1]", #"1:8: parse error: bad number or duration syntax: "1m1""#),
        (#"foo["5m"]"#, "1:5: parse error: missing unit character in duration"),
        ("foo[]", "1:5: parse error: missing unit character in duration"),
        ("foo[1]", "1:5: parse error: missing unit character in duration"),
        ("some_metric[5m] OFFSET 1mm", #"1:24: parse error: bad number or duration syntax: "1mm""#),
        (#"`\``"#, "1:4: parse error: unterminated raw string"),
        (#""\"#, "1:1: parse error: escape sequence not terminated"),
        (#""\c""#, "1:1: parse error: unknown escape sequence U+0063 'c'"),
        (#""\x.""#, "1:1: parse error: illegal character U+002E '.' in escape sequence"),
        ("(1))", "1:5: parse error: unexpected right parenthesis ')'"),
        ("((1)", "1:5: parse error: unclosed left parenthesis"),
        ("foo @ start(]", "1:13: parse error: unexpected right bracket ']'"),
        ("foo{a!}", "1:6: parse error: unexpected character after '!' inside braces: '}'"),
        ("foo{a=~1}", "1:8: parse error: unexpected character inside braces: '1'"),
        (#"foo{1="a"}"#, "1:5: parse error: unexpected character inside braces: '1'"),
        ("foo[5m:1m:1m]", "1:10: parse error: unexpected colon ':'"),
        ("foo[5d1y]", #"1:5: parse error: bad duration syntax: "5d1""#),
        ("foo]", "1:4: parse error: unexpected right bracket ']'"),
        ("foo[5m", "1:7: parse error: unclosed left bracket"),
        ("sum(\n  foo\n)\n)", "4:2: parse error: unexpected right parenthesis ')'"),
        (".", "1:1: parse error: unexpected character: '.'"),
        ("$", "1:1: parse error: unexpected character: '$'"),
        ("foo ~ bar", "1:5: parse error: unexpected character: '~'"),
        ("foo =~ bar", "1:5: parse error: unexpected character after '=': '~'"),
        ("foo !~ bar", "1:5: parse error: unexpected character after '!': '~'"),
        ("foo ! bar", "1:5: parse error: unexpected character after '!': ' '"),
        (#""unterminated"#, "1:1: parse error: unterminated quoted string"),
        ("'unterminated", "1:1: parse error: unterminated quoted string"),
        ("`unterminated", "1:1: parse error: unterminated raw string"),
        (#""\q""#, "1:1: parse error: unknown escape sequence U+0071 'q'"),
        (#"'\"'"#, #"1:1: parse error: unknown escape sequence U+0022 '"'"#),
        (#""\'""#, "1:1: parse error: unknown escape sequence U+0027 '''"),
        (#""\u12""#, #"1:1: parse error: illegal character U+0022 '"' in escape sequence"#),
        (#""\uD800""#, "1:1: parse error: escape sequence is an invalid Unicode code point"),
        (#""\U00110000""#, "1:1: parse error: escape sequence is an invalid Unicode code point"),
        (#""\777""#, "1:1: parse error: escape sequence is an invalid Unicode code point"),
        (#""\x4""#, #"1:1: parse error: illegal character U+0022 '"' in escape sequence"#),
        (#""\x4g""#, "1:1: parse error: illegal character U+0067 'g' in escape sequence"),
        (#""\"#, "1:1: parse error: escape sequence not terminated"),
        ("]", "1:1: parse error: unexpected right bracket ']'"),
        ("}", "1:1: parse error: unexpected character: '}'"),
    ]

    @Test(arguments: cases)
    func reportsPrometheusMessage(query: String, expected: String) {
        #expect(parseFailure(query) == expected)
    }
}
