import Testing

@testable import PromQL

@Suite struct FunctionTableTests {
    @Test func signaturesFollowPrometheus() {
        #expect(PromQLFunction.named("rate")?.argTypes == [.matrix])
        #expect(PromQLFunction.named("rate")?.returnType == .vector)
        #expect(PromQLFunction.named("quantile_over_time")?.argTypes == [.scalar, .matrix])
        #expect(PromQLFunction.named("label_join")?.variadic == -1)
        #expect(PromQLFunction.named("hour")?.variadic == 1)
        #expect(PromQLFunction.named("scalar")?.returnType == .scalar)
        #expect(PromQLFunction.named("histogram_count") == nil, "native histograms are out of scope")
        #expect(PromQLFunction.named("nope") == nil)
    }

    @Test func everyFunctionTheIssueListsIsKnown() {
        let listed = """
            abs absent absent_over_time ceil changes clamp clamp_max clamp_min day_of_month day_of_week \
            day_of_year days_in_month delta deriv exp floor histogram_quantile holt_winters hour idelta \
            increase irate label_join label_replace ln log2 log10 minute month predict_linear rate resets \
            round scalar sgn sort sort_desc sqrt time timestamp vector year avg_over_time min_over_time \
            max_over_time sum_over_time count_over_time quantile_over_time stddev_over_time \
            stdvar_over_time last_over_time present_over_time sin cos tan asin acos atan sinh cosh tanh \
            asinh acosh atanh deg rad pi
            """
        let missing = listed.split(separator: " ").filter { PromQLFunction.named(String($0)) == nil }
        #expect(missing.isEmpty, "unknown: \(missing)")
    }
}
