import Testing

@testable import PromQL

/// Errors from the type check after parsing (`checkAST` in Prometheus).
/// Expected texts were taken from a running Prometheus 2.42.
@Suite struct TypeErrorTests {
    /// (query, full error text), as Prometheus 2.42 prints it.
    static let cases: [(String, String)] = [
        ("1 and 1", #"1:1: parse error: set operator "and" not allowed in binary scalar expression"#),
        ("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        ("1 or 1", #"1:1: parse error: set operator "or" not allowed in binary scalar expression"#),
        ("1 unless 1", #"1:1: parse error: set operator "unless" not allowed in binary scalar expression"#),
        (
            #"-"string""#,
            #"1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string""#
        ),
        (
            "-test[5m]",
            #"1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector""#
        ),
        ("1 or on(bar) foo", "1:1: parse error: vector matching only allowed between instant vectors"),
        ("foo == on(bar) 10", "1:1: parse error: vector matching only allowed between instant vectors"),
        ("foo and on(bar) group_left(baz) bar", #"1:1: parse error: no grouping allowed for "and" operation"#),
        ("foo and on(bar) group_right(baz) bar", #"1:1: parse error: no grouping allowed for "and" operation"#),
        ("foo or on(bar) group_left(baz) bar", #"1:1: parse error: no grouping allowed for "or" operation"#),
        (
            #"http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}"#,
            #"1:35: parse error: label "instance" must not occur in ON and GROUP clause at once"#
        ),
        ("foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"),
        ("foo + bool 10", "1:5: parse error: bool modifier can only be used on comparison operators"),
        ("foo and bool 10", "1:5: parse error: bool modifier can only be used on comparison operators"),
        ("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        (#"{x=""}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        (#"{x=~".*"}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        (#"foo{__name__="bar"}"#, #"1:1: parse error: metric name must not be set twice: "foo" or "bar""#),
        (
            "topk(some_metric, other_metric)",
            "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"
        ),
        (
            "count_values(5, other_metric)",
            "1:14: parse error: expected type string in aggregation parameter, got scalar"
        ),
        ("floor()", #"1:1: parse error: expected 1 argument(s) in call to "floor", got 0"#),
        ("floor(some_metric, other_metric)", #"1:1: parse error: expected 1 argument(s) in call to "floor", got 2"#),
        ("floor(some_metric, 1)", #"1:1: parse error: expected 1 argument(s) in call to "floor", got 2"#),
        ("floor(1)", #"1:7: parse error: expected type instant vector in call to function "floor", got scalar"#),
        (
            "hour(some_metric, some_metric, some_metric)",
            #"1:1: parse error: expected at most 1 argument(s) in call to "hour", got 3"#
        ),
        (
            "rate(some_metric)",
            #"1:6: parse error: expected type range vector in call to function "rate", got instant vector"#
        ),
        ("rate(avg)", #"1:6: parse error: expected type range vector in call to function "rate", got instant vector"#),
        (
            "test[5d] OFFSET 10s [10m:5s]",
            "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"
        ),
        (
            #"(foo + bar{nm="val"})[5m:][10m:5s]"#,
            "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"
        ),
        (
            "-foo[5m]",
            #"1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector""#
        ),
        ("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        ("1 + on(a) foo", "1:1: parse error: vector matching only allowed between instant vectors"),
        (
            "foo + on(a) group_left(a) bar",
            #"1:5: parse error: label "a" must not occur in ON and GROUP clause at once"#
        ),
        (#"foo{__name__="foo"}"#, #"1:1: parse error: metric name must not be set twice: "foo" or "foo""#),
        (#""a" + "b""#, "1:1: parse error: binary expression must contain only scalar and instant vector types"),
        ("foo[5m:][5m:]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"),
        ("1[5m:]", "1:1: parse error: subquery is only allowed on instant vector, got scalar instead"),
        (#""a"[5m:]"#, "1:1: parse error: subquery is only allowed on instant vector, got string instead"),
        ("rate(foo)", #"1:6: parse error: expected type range vector in call to function "rate", got instant vector"#),
        ("rate(1)", #"1:6: parse error: expected type range vector in call to function "rate", got scalar"#),
        ("vector(foo)", #"1:8: parse error: expected type scalar in call to function "vector", got instant vector"#),
        ("scalar(1)", #"1:8: parse error: expected type instant vector in call to function "scalar", got scalar"#),
        ("abs(1)", #"1:5: parse error: expected type instant vector in call to function "abs", got scalar"#),
        (#"abs("a")"#, #"1:5: parse error: expected type instant vector in call to function "abs", got string"#),
        ("round(foo, 1, 2)", #"1:1: parse error: expected at most 2 argument(s) in call to "round", got 3"#),
        ("round()", #"1:1: parse error: expected at least 1 argument(s) in call to "round", got 0"#),
        ("hour(foo, bar)", #"1:1: parse error: expected at most 1 argument(s) in call to "hour", got 2"#),
        (
            #"label_join(foo, "a", ",", "b", 1)"#,
            #"1:32: parse error: expected type string in call to function "label_join", got scalar"#
        ),
        (
            #"label_replace(foo, "a", "b", "c", 1)"#,
            #"1:35: parse error: expected type string in call to function "label_replace", got scalar"#
        ),
        (
            "histogram_quantile(0.9, foo[5m])",
            #"1:25: parse error: expected type instant vector in call to function "histogram_quantile", got range vector"#
        ),
        ("topk(foo, 5)", "1:11: parse error: expected type instant vector in aggregation expression, got scalar"),
        (#"quantile("a", foo)"#, "1:10: parse error: expected type scalar in aggregation parameter, got string"),
        ("count_values(1, foo)", "1:14: parse error: expected type string in aggregation parameter, got scalar"),
        (
            #"count_values("v", 1)"#,
            "1:19: parse error: expected type instant vector in aggregation expression, got scalar"
        ),
        ("max(1)", "1:5: parse error: expected type instant vector in aggregation expression, got scalar"),
        ("foo + bar[5m]", "1:7: parse error: binary expression must contain only scalar and instant vector types"),
        ("foo[5m] + bar", "1:1: parse error: binary expression must contain only scalar and instant vector types"),
        ("1 < 2 < 3", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        (#"foo{__name__!="x"}"#, #"1:1: parse error: metric name must not be set twice: "foo" or "x""#),
        ("quantile(foo, bar)", "1:10: parse error: expected type scalar in aggregation parameter, got instant vector"),
        (#"round(foo, "a")"#, #"1:12: parse error: expected type scalar in call to function "round", got string"#),
        ("label_join()", #"1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 0"#),
        (
            "sort_desc(foo[5m])",
            #"1:11: parse error: expected type instant vector in call to function "sort_desc", got range vector"#
        ),
    ]

    @Test(arguments: cases)
    func reportsPrometheusMessage(query: String, expected: String) {
        #expect(parseFailure(query) == expected)
    }
}
