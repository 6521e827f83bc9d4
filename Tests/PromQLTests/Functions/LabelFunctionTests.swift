import MeridianModel
import Testing

@testable import PromQL

/// label_replace / label_join cases from Prometheus 2.42 functions.test, plus
/// Go `regexp.Expand` template rules.
@Suite struct LabelFunctionTests {
    let metric10 = Labels(["__name__": "testmetric", "src": "source-value-10", "dst": "original-destination-value"])

    func replace(_ labels: Labels, _ dst: String, _ replacement: String, _ src: String, _ regex: String) throws
        -> Labels
    {
        try LabelReplace(destination: dst, replacement: replacement, source: src, regex: regex).apply(to: labels)
    }

    @Test func fullStringMatchAndReplace() throws {
        let out = try replace(metric10, "dst", "destination-value-$1", "src", "source-value-(.*)")
        #expect(out["dst"] == "destination-value-10")
        #expect(out["src"] == "source-value-10")
        #expect(out.metricName == "testmetric")
    }

    @Test func noSubstringMatch() throws {
        #expect(try replace(metric10, "dst", "destination-value-$1", "src", "value-(.*)") == metric10)
    }

    @Test func multipleGroups() throws {
        #expect(try replace(metric10, "dst", "$1-value-$2", "src", "(.*)-value-(.*)")["dst"] == "source-value-10")
    }

    @Test func missingSourceReadsAsEmpty() throws {
        #expect(try replace(metric10, "dst", "value-$1", "nonexistent-src", "source-value-(.*)") == metric10)
        #expect(try replace(metric10, "dst", "value-$1", "nonexistent-src", "(.*)")["dst"] == "value-")
        #expect(try replace(metric10, "dst", "value-$1", "src", "non-matching-regex") == metric10)
    }

    @Test func emptyResultRemovesTheLabel() throws {
        let out = try replace(metric10, "dst", "", "dst", ".*")
        #expect(out == Labels(["__name__": "testmetric", "src": "source-value-10"]))
    }

    @Test func newLabelIsInsertedInOrder() throws {
        let out = try replace(metric10, "aaa", "$1", "src", "source-(.*)")
        #expect(out.map(\.name) == ["__name__", "aaa", "dst", "src"])
        #expect(out["aaa"] == "value-10")
    }

    @Test func invalidArgumentsThrowPrometheusMessages() {
        #expect(throws: FunctionError.self) { try replace(metric10, "dst", "value-$1", "src", "(.*") }
        do {
            _ = try LabelReplace(destination: "dst", replacement: "", source: "src", regex: "(.*")
        } catch {
            #expect(error.code == .invalidRegex)
            #expect(error.message == "invalid regular expression in label_replace(): (.*")
            #expect(error.cause != nil)
        }
        #expect(
            throws: FunctionError(
                .invalidLabelName, "invalid destination label name in label_replace(): invalid-label-name")
        ) {
            try LabelReplace(destination: "invalid-label-name", replacement: "", source: "src", regex: "(.*)")
        }
        // The regex is checked before the label name, as in Prometheus.
        do {
            _ = try LabelReplace(destination: "1bad", replacement: "", source: "src", regex: "[")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidRegex)
        }
    }

    @Test func matchesLikeRE2() throws {
        let labels = Labels(["src": "e\u{301}x"])  // e + combining acute: two scalars, one Character
        #expect(try replace(labels, "dst", "$1", "src", "(.).x")["dst"] == "e")
        #expect(try replace(Labels(["src": "\u{0663}"]), "dst", "digit", "src", "\\d")["dst"] == nil)
        #expect(try replace(Labels(["src": "a\nb"]), "dst", "x", "src", "a.b")["dst"] == nil)
        #expect(try replace(Labels(["src": "Ab"]), "dst", "$0", "src", "\\pLb")["dst"] == "Ab")
        #expect(try replace(Labels(["src": "aB"]), "dst", "$1", "src", "(?i)(a)b")["dst"] == "a")
        #expect(try replace(Labels(["src": "abcd"]), "dst", "$1|$2", "src", "(?:a|ab)(c|bcd)(d*)")["dst"] == "bcd|")
    }

    @Test func namedGroups() throws {
        let labels = Labels(["src": "host-42"])
        #expect(try replace(labels, "dst", "${id}", "src", "host-(?P<id>\\d+)")["dst"] == "42")
        #expect(try replace(labels, "dst", "$id!", "src", "host-(?P<id>\\d+)")["dst"] == "42!")
        #expect(try replace(labels, "dst", "$1", "src", "(?P<h>host)-(?P<id>\\d+)")["dst"] == "host")
        #expect(try replace(labels, "dst", "[$nope]", "src", "host-(\\d+)")["dst"] == "[]")
        // A repeated name reads the first group of that name that took part, as Go's Expand does.
        #expect(try replace(Labels(["src": "b"]), "dst", "<${n}>", "src", "(?P<n>a)?(?P<n>b)")["dst"] == "<b>")
        // Names compare as bytes: the Kelvin sign is not `K`.
        #expect(try replace(labels, "dst", "[$\u{212A}]", "src", "(?P<K>host)-42")["dst"] == "[]")
        // Go 1.19 (Prometheus 2.42) knows only the `(?P<name>` spelling.
        #expect(throws: FunctionError.self) { try replace(labels, "dst", "$id", "src", "host-(?<id>\\d+)") }
    }

    /// A pattern that only compiles inside Prometheus' `^(?:…)$` is fine
    /// here (Prometheus parses the bare pattern only for selectors).
    @Test func patternClosingTheAnchorsGroup() throws {
        #expect(try replace(Labels(["src": "ab"]), "dst", "$1-$2", "src", "a)(b")["dst"] == "b-")
    }

    /// 30 optional groups then 30 `a`s: exponential for a backtracking
    /// engine, linear on RE2. The answer is checked, not the time.
    @Test func pathologicalPatternMatches() throws {
        let pattern = String(repeating: "(a?)", count: 30) + String(repeating: "a", count: 30)
        let labels = Labels(["src": String(repeating: "a", count: 30)])
        #expect(try replace(labels, "dst", "[$1$30]", "src", pattern)["dst"] == "[]")
    }

    static let templateExpansionCases: [(String, String)] = [
        ("$1", "a"), ("${1}", "a"), ("$1x", ""), ("${1}x", "ax"), ("$$1", "$1"), ("$", "$"), ("x$", "x$"),
        ("${1", "${1"), ("$-", "$-"), ("${}", "${}"), ("$0", "ab"), ("$2$1", "ba"), ("$3", ""), ("$01", ""),
        ("$10", ""), ("${2}${1}${0}", "baab"), ("$é", ""), ("a$$$1", "a$a"),
    ]

    @Test(arguments: templateExpansionCases)
    func templateExpansion(template: String, expected: String) throws {
        let out = try replace(Labels(["src": "ab"]), "dst", template, "src", "(a)(b)")
        #expect((out["dst"] ?? "") == expected, "\(template)")
    }

    @Test func templateParsesOnce() {
        #expect(RegexTemplate("x${1}y$name").pieces == [.literal("x"), .group(1), .literal("y"), .named("name")])
        // Go stops accumulating once the number reaches 10^8: nine digits still
        // make a group number, ten make a name.
        #expect(RegexTemplate("$100000000").pieces == [.group(100_000_000)])
        #expect(RegexTemplate("$1000000000").pieces == [.named("1000000000")])
    }

    let joinInput = Labels([
        "__name__": "testmetric", "src": "a", "src1": "b", "src2": "c",
        "dst": "original-destination-value",
    ])

    @Test func labelJoin() throws {
        #expect(
            try LabelJoin(destination: "dst", separator: "-", sources: ["src", "src1", "src2"])
                .apply(to: joinInput)["dst"] == "a-b-c")
        #expect(
            try LabelJoin(destination: "dst", separator: "-", sources: ["src", "src3", "src1"])
                .apply(to: joinInput)["dst"] == "a--b")
        #expect(
            try LabelJoin(destination: "dst", separator: "", sources: ["emptysrc", "emptysrc1", "emptysrc2"])
                .apply(to: joinInput)["dst"] == nil)
        #expect(try LabelJoin(destination: "dst", separator: ", ", sources: []).apply(to: joinInput)["dst"] == nil)
        let created = try LabelJoin(destination: "dst", separator: ", ", sources: ["src", "src1", "src2"])
            .apply(to: Labels(["src": "foo", "src1": "bar", "src2": "foobar"]))
        #expect(created == Labels(["src": "foo", "src1": "bar", "src2": "foobar", "dst": "foo, bar, foobar"]))
    }

    @Test func labelJoinValidatesNames() {
        #expect(throws: FunctionError(.invalidLabelName, "invalid source label name in label_join(): bad-src")) {
            try LabelJoin(destination: "bad-dst", separator: "", sources: ["ok", "bad-src"])
        }
        #expect(throws: FunctionError(.invalidLabelName, "invalid destination label name in label_join(): bad-dst")) {
            try LabelJoin(destination: "bad-dst", separator: "", sources: ["ok"])
        }
    }

    // MARK: absent

    func absent(_ matchers: [(MatchType, String, String)]) throws -> Labels {
        AbsentLabels.labels(for: try matchers.map { try LabelMatcher($0.0, $0.1, $0.2) })
    }

    @Test func absentLabels() throws {
        #expect(try absent([(.equal, "__name__", "nonexistent")]) == .empty)
        #expect(
            try absent([
                (.equal, "__name__", "nonexistent"), (.equal, "job", "testjob"),
                (.equal, "instance", "testinstance"), (.regexMatch, "method", ".x"),
            ])
                == Labels(["instance": "testinstance", "job": "testjob"]))
        #expect(
            try absent([(.equal, "job", "testjob"), (.equal, "job", "testjob2"), (.equal, "foo", "bar")])
                == Labels(["foo": "bar"]))
        #expect(
            try absent([
                (.equal, "job", "testjob"), (.equal, "job", "testjob2"), (.equal, "job", "three"),
                (.equal, "foo", "bar"),
            ]) == Labels(["foo": "bar"]))
        #expect(
            try absent([(.equal, "job", "testjob"), (.regexMatch, "job", "testjob2"), (.equal, "foo", "bar")])
                == Labels(["foo": "bar"]))
        #expect(try absent([(.notEqual, "handler", "/foo")]) == .empty)
        #expect(
            try absent([(.equal, "handler", "/foo"), (.equal, "handler", "/bar"), (.equal, "instance", "127.0.0.1")])
                == Labels(["instance": "127.0.0.1"]))
        // Prometheus quirk: a later `=` after a non-equality matcher sets the label again.
        #expect(try absent([(.regexMatch, "job", "x.*"), (.equal, "job", "a")]) == Labels(["job": "a"]))
        #expect(try absent([(.equal, "job", "")]) == .empty)
    }
}
