import MeridianModel
import Testing

@Suite struct LabelsTests {
    @Test func sortsAndDeduplicates() {
        let labels = Labels([Label(name: "b", value: "1"), Label(name: "a", value: "2"), Label(name: "b", value: "3")])
        #expect(labels.map(\.name) == ["a", "b"])
        #expect(labels["b"] == "3")
        #expect(labels["c"] == nil)
        #expect(labels.description == #"{a="2", b="3"}"#)
        #expect(Labels(["__name__": "up", "job": "x\"y"]).description == #"up{job="x\"y"}"#)
    }

    @Test func ordersLikePrometheus() {
        let a = Labels(["__name__": "up", "job": "a"])
        let b = Labels(["__name__": "up", "job": "b"])
        let short = Labels(["__name__": "up"])
        #expect(a < b)
        #expect(short < a)
        #expect(!(a < a))
    }

    @Test func hashDependsOnEveryByteAndBoundary() {
        let base = LabelsHash.of(Labels(["a": "bc"]))
        #expect(base == LabelsHash.of(Labels(["a": "bc"])))
        #expect(base != LabelsHash.of(Labels(["ab": "c"])))
        #expect(base != LabelsHash.of(Labels(["a": "bd"])))
        #expect(LabelsHash.of(Labels(["a": "b", "c": "d"])) != LabelsHash.of(Labels(["a": "bc", "d": ""])))
    }

    @Test func validatesNames() {
        #expect(NameValidation.isValidMetricName("http:requests_total"))
        #expect(!NameValidation.isValidMetricName("1up"))
        #expect(NameValidation.isValidLabelName("_job2"))
        #expect(!NameValidation.isValidLabelName("job:x"))
        #expect(!NameValidation.isValidLabelName(""))
    }

    @Test func staleMarkerIsOneNaN() {
        #expect(StaleMarker.isStale(StaleMarker.value))
        #expect(!StaleMarker.isStale(.nan))
        #expect(Sample(t: 1, v: StaleMarker.value) != Sample(t: 1, v: .nan))
    }
}

@Suite struct LabelMatcherTests {
    @Test(arguments: [
        (MatchType.equal, "a", "a", true), (.equal, "a", "b", false), (.notEqual, "a", "b", true),
        (.regexMatch, "a|b", "b", true), (.regexMatch, "a|b", "ab", false), (.regexMatch, "a.*", "abc", true),
        (.regexMatch, "a.*", "ba", false), (.regexMatch, "[0-9]+", "123", true), (.regexMatch, "[0-9]+", "12a", false),
        (.regexNoMatch, "a.*", "ba", true), (.regexMatch, ".*", "", true), (.regexMatch, ".+", "", false),
        (.regexMatch, "(foo|bar)baz", "barbaz", true), (.regexMatch, "x|", "", true),
    ])
    func matches(type: MatchType, pattern: String, candidate: String, expected: Bool) throws {
        #expect(try LabelMatcher(type, "l", pattern).matches(candidate) == expected)
    }

    @Test func rejectsBadRegex() {
        #expect(throws: ModelError.self) { try LabelMatcher(.regexMatch, "l", "(") }
    }
}
