import Testing

@testable import PromQL

/// Grammar errors, including the context yacc's error rules add (`in
/// aggregation`, `in grouping opts`, `in label matching`, …), and the checks
/// Prometheus makes while parsing (offsets, `@`, ranges, durations, arity of
/// aggregations). Expected texts were taken from a running Prometheus 2.42.
@Suite struct SyntaxErrorTests {
    /// (query, full error text), as Prometheus 2.42 prints it.
    static let cases: [(String, String)] = [
        ("", "1:1: parse error: no expression found in input"),
        ("# just a comment\n\n", "1:1: parse error: no expression found in input"),
        ("1+", "1:3: parse error: unexpected end of input"),
        ("100..4", #"1:5: parse error: unexpected number ".4""#),
        ("1 /", "1:4: parse error: unexpected end of input"),
        ("*1", "1:1: parse error: unexpected <op:*>"),
        ("*test", "1:1: parse error: unexpected <op:*>"),
        (
            "1 offset 1d",
            "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"
        ),
        ("foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times"),
        ("a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>"),
        ("foo + group_left(baz) bar", "1:7: parse error: unexpected <group_left>"),
        ("foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"),
        ("foo @ -Inf", "1:1: parse error: timestamp out of bounds for @ modifier: -Inf"),
        ("foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN"),
        ("{", "1:2: parse error: unexpected end of input inside braces"),
        ("some{", "1:6: parse error: unexpected end of input inside braces"),
        ("some_metric{a=b}", #"1:15: parse error: unexpected identifier "b" in label matching, expected string"#),
        ("foo{gibberish}", #"1:14: parse error: unexpected "}" in label matching, expected label matching operator"#),
        ("foo{__name__= =}", #"1:15: parse error: unexpected "=" in label matching, expected string"#),
        ("foo{,}", #"1:5: parse error: unexpected "," in label matching, expected identifier or "}""#),
        (#"foo{__name__ == "bar"}"#, #"1:15: parse error: unexpected "=" in label matching, expected string"#),
        (
            #"foo{__name__="bar" lol}"#,
            #"1:20: parse error: unexpected identifier "lol" in label matching, expected "," or "}""#
        ),
        ("foo[5y1hs]", #"1:5: parse error: not a valid duration string: "5y1hs""#),
        ("foo[5m1h]", #"1:5: parse error: not a valid duration string: "5m1h""#),
        ("foo[5m1m]", #"1:5: parse error: not a valid duration string: "5m1m""#),
        ("foo[0m]", "1:5: parse error: duration must be greater than 0"),
        ("some_metric[5m] OFFSET 1", #"1:24: parse error: unexpected number "1" in offset, expected duration"#),
        ("some_metric[5m] OFFSET", "1:23: parse error: unexpected end of input in offset, expected duration"),
        ("some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range"),
        ("some_metric[5m] @ 1m", #"1:19: parse error: unexpected duration "1m" in @, expected timestamp"#),
        ("some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp"),
        ("some_metric @ 1234 [5m]", "1:20: parse error: no @ modifiers allowed before range"),
        ("(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors"),
        ("sum without(==)(some_metric)", "1:13: parse error: unexpected <op:==> in grouping opts, expected label"),
        ("sum without(,)(some_metric)", #"1:13: parse error: unexpected "," in grouping opts, expected label"#),
        ("sum without(foo,,)(some_metric)", #"1:17: parse error: unexpected "," in grouping opts, expected label"#),
        ("sum some_metric by (test)", #"1:5: parse error: unexpected identifier "some_metric""#),
        (
            "sum (some_metric) by test",
            #"1:22: parse error: unexpected identifier "test" in grouping opts, expected "(""#
        ),
        ("sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided"),
        ("MIN keep_common (some_metric)", #"1:5: parse error: unexpected identifier "keep_common""#),
        ("MIN (some_metric) keep_common", #"1:19: parse error: unexpected identifier "keep_common""#),
        ("sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>"),
        ("sum without (test) (some_metric) by (test)", "1:34: parse error: unexpected <by>"),
        (
            "topk(some_metric)",
            "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"
        ),
        ("topk(some_metric,)", "1:17: parse error: trailing commas not allowed in function call args"),
        (
            "rate(some_metric[5m]) @ 1234",
            "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery"
        ),
        (
            "non_existent_function_far_bar()",
            #"1:1: parse error: unknown function with name "non_existent_function_far_bar""#
        ),
        ("-=", #"1:2: parse error: unexpected "=""#),
        ("++-++-+-+-<", "1:11: parse error: unexpected <op:<>"),
        ("e-+=/(0)", #"1:4: parse error: unexpected "=""#),
        ("a>b()", #"1:3: parse error: unknown function with name "b""#),
        ("rate(food[1m])[1h] offset 1h", "1:15: parse error: ranges only allowed for vector selectors"),
        ("rate(food[1m])[1h] @ 100", "1:15: parse error: ranges only allowed for vector selectors"),
        ("start()", #"1:6: parse error: unexpected "(""#),
        ("{} 1 2 3", #"1:4: parse error: unexpected number "1""#),
        (#"{a="b"} -1 2 3"#, #"1:12: parse error: unexpected number "2""#),
        ("sum +", "1:6: parse error: unexpected end of input"),
        ("on", "1:1: parse error: unexpected <on>"),
        ("bool", "1:1: parse error: unexpected <bool>"),
        ("ignoring", "1:1: parse error: unexpected <ignoring>"),
        ("group_left", "1:1: parse error: unexpected <group_left>"),
        ("sum(foo +)", #"1:10: parse error: unexpected ")" in aggregation"#),
        ("sum by (a) foo", #"1:12: parse error: unexpected identifier "foo" in aggregation"#),
        ("sum without", #"1:12: parse error: unexpected end of input in grouping opts, expected "(""#),
        ("sum by (a:b) (x)", #"1:9: parse error: unexpected metric identifier "a:b" in grouping opts, expected label"#),
        ("sum(foo) by (a) by (b)", "1:17: parse error: unexpected <by>"),
        ("sum(sum by (a) (x) by (b))", "1:20: parse error: unexpected <by> in aggregation"),
        ("foo offset 5m offset 5m", "1:1: parse error: offset may not be set multiple times"),
        ("foo[5m:1]", #"1:8: parse error: unexpected number "1" in subquery selector, expected duration or "]""#),
        ("foo[5m 1m]", #"1:8: parse error: unexpected duration "1m" in subquery or range, expected ":" or "]""#),
        ("foo[5m:1m 1m]", #"1:11: parse error: unexpected duration "1m" in subquery selector, expected "]""#),
        ("foo @ -", "1:8: parse error: unexpected end of input in @, expected timestamp"),
        ("foo @ start", "1:12: parse error: unexpected end of input in @, expected timestamp"),
        ("foo offset -", "1:13: parse error: unexpected end of input in offset, expected duration"),
        ("sum(foo,)", "1:8: parse error: trailing commas not allowed in function call args"),
        ("rate(foo,)", "1:9: parse error: trailing commas not allowed in function call args"),
        ("foo == on(a) bool bar", "1:14: parse error: unexpected <bool>"),
        (#"foo{a="b" c="d"}"#, #"1:11: parse error: unexpected identifier "c" in label matching, expected "," or "}""#),
        ("foo{a}", #"1:6: parse error: unexpected "}" in label matching, expected label matching operator"#),
        ("foo{a=}", #"1:7: parse error: unexpected "}" in label matching, expected string"#),
        ("foo{=}", #"1:5: parse error: unexpected "=" in label matching, expected identifier or "}""#),
        (#"foo{a="b""#, "1:10: parse error: unexpected end of input inside braces"),
        ("foo @ start() @ end()", "1:1: parse error: @ <timestamp> may not be set multiple times"),
        ("foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times"),
        ("foo offset 0s", "1:12: parse error: duration must be greater than 0"),
        ("foo[0s]", "1:5: parse error: duration must be greater than 0"),
        ("foo[99999999999999999999y]", "1:5: parse error: duration out of range"),
        ("foo[300y]", "1:5: parse error: duration out of range"),
        ("RATE(foo[5m])", #"1:1: parse error: unknown function with name "RATE""#),
        ("sum by (inf) (foo)", #"1:9: parse error: unexpected number "inf" in grouping opts, expected label"#),
        ("sum by (1) (foo)", #"1:9: parse error: unexpected number "1" in grouping opts, expected label"#),
        ("sum by (a b) (foo)", #"1:11: parse error: unexpected identifier "b" in grouping opts, expected "," or ")""#),
        ("sum by job (foo)", #"1:8: parse error: unexpected identifier "job" in grouping opts, expected "(""#),
        (
            "sum(foo, bar)",
            "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2"
        ),
        ("sum()", "1:1: parse error: no arguments for aggregate expression provided"),
        ("sum(foo) by", #"1:12: parse error: unexpected end of input in grouping opts, expected "(""#),
        (
            "topk(foo)",
            "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"
        ),
        (
            "1 offset 5m",
            "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"
        ),
        (
            #""a" offset 5m"#,
            "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"
        ),
        (
            "rate(foo[5m]) @ 1",
            "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery"
        ),
        (
            "(foo) @ 1",
            "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery"
        ),
        ("# only", "1:1: parse error: no expression found in input"),
        ("0x", #"1:1: parse error: error parsing number: strconv.ParseFloat: parsing "0x": invalid syntax"#),
        ("1e", #"1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e": invalid syntax"#),
        ("1e+", #"1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e+": invalid syntax"#),
        ("1m", #"1:1: parse error: unexpected duration "1m""#),
        ("1h30m", #"1:1: parse error: unexpected duration "1h30m""#),
        ("foo offset 5m offset 5m @ 1", "1:1: parse error: offset may not be set multiple times"),
        ("foo offset", "1:11: parse error: unexpected end of input in offset, expected duration"),
        ("foo offset 5", #"1:12: parse error: unexpected number "5" in offset, expected duration"#),
        ("foo offset bar", #"1:12: parse error: unexpected identifier "bar" in offset, expected duration"#),
        ("foo @ bar", #"1:7: parse error: unexpected identifier "bar" in @, expected timestamp"#),
        ("foo @ 1m", #"1:7: parse error: unexpected duration "1m" in @, expected timestamp"#),
        ("foo @ Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"),
        ("foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN"),
        ("foo @ -Inf", "1:1: parse error: timestamp out of bounds for @ modifier: -Inf"),
        (
            "foo @ 9223372036854775807",
            "1:1: parse error: timestamp out of bounds for @ modifier: 9223372036854775808.000000"
        ),
        (
            "foo @ 1e100",
            "1:1: parse error: timestamp out of bounds for @ modifier: 10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104.000000"
        ),
        ("foo bool", "1:5: parse error: unexpected <bool>"),
        ("foo + on", #"1:9: parse error: unexpected end of input in grouping opts, expected "(""#),
        ("foo + on(a b", #"1:12: parse error: unexpected identifier "b" in grouping opts, expected "," or ")""#),
        ("foo group_left bar", "1:5: parse error: unexpected <group_left>"),
        ("foo + group_right bar", "1:7: parse error: unexpected <group_right>"),
        ("*", "1:1: parse error: unexpected <op:*>"),
        (#"foo "a""#, #"1:5: parse error: unexpected string "\"a\"""#),
        ("sum(foo) by (a) without (b)", "1:17: parse error: unexpected <without>"),
        ("sum without (a) (foo) without (b)", "1:23: parse error: unexpected <without>"),
        ("foo[5m:1m] @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times"),
        ("foo offset 5m[5m]", "1:14: parse error: no offset modifiers allowed before range"),
        ("foo @ 1 [5m]", "1:9: parse error: no @ modifiers allowed before range"),
        ("foo + on(a) group_left on", #"1:24: parse error: unexpected <on> in grouping opts, expected "(""#),
        ("sum(foo[5m)", #"1:11: parse error: unexpected ")" in subquery or range, expected ":" or "]""#),
        ("sum(foo offset)", #"1:15: parse error: unexpected ")" in offset, expected duration"#),
        ("sum(rate(foo +))", #"1:15: parse error: unexpected ")" in aggregation"#),
        ("topk(5 foo)", #"1:8: parse error: unexpected identifier "foo" in aggregation"#),
        (#"foo "abcdefghijklmnop""#, #"1:5: parse error: unexpected string "\"abcdefghi"..."#),
        (#"foo "abc""#, #"1:5: parse error: unexpected string "\"abc\"""#),
        ("foo 'abc'", #"1:5: parse error: unexpected string "'abc'""#),
        ("foo `abc`", #"1:5: parse error: unexpected string "`abc`""#),
        ("foo 123456789012345", #"1:5: parse error: unexpected number "1234567890"..."#),
        ("foo 5m", #"1:5: parse error: unexpected duration "5m""#),
        (
            "foo{a=\"b\",\n  c=\"d\" e}",
            #"2:9: parse error: unexpected identifier "e" in label matching, expected "," or "}""#
        ),
        ("foo[1h 1m]", #"1:8: parse error: unexpected duration "1m" in subquery or range, expected ":" or "]""#),
        (
            "sum by (foo:bar) (x)",
            #"1:9: parse error: unexpected metric identifier "foo:bar" in grouping opts, expected label"#
        ),
        (#"sum by ("a") (x)"#, #"1:9: parse error: unexpected string "\"a\"" in grouping opts, expected label"#),
        ("on + 1", "1:1: parse error: unexpected <on>"),
        ("rate(foo offset 1h [5m])", "1:20: parse error: no offset modifiers allowed before range"),
    ]

    @Test(arguments: cases)
    func reportsPrometheusMessage(query: String, expected: String) {
        #expect(parseFailure(query) == expected)
    }
}
