import Foundation
import Testing

/// The comparator on hand-written answers: the differential run compares
/// byte-identical answers without parsing them, so a Prometheus-against-
/// Prometheus run alone would not show that it tells real differences apart.
@Suite struct OutcomeComparatorTests {
    private func vector(_ items: [(String, String)], time: String = "1700000000") -> QueryOutcome {
        let result = items.map { #"{"metric":\#($0.0),"value":[\#(time),"\#($0.1)"]}"# }.joined(separator: ",")
        return outcome(#"{"status":"success","data":{"resultType":"vector","result":[\#(result)]}}"#)
    }

    private func outcome(_ json: String, status: Int = 200) -> QueryOutcome {
        QueryOutcome(httpStatus: status, json: Data(json.utf8))
    }

    private func diff(_ a: QueryOutcome, _ b: QueryOutcome, ordered: Bool = false) -> String? {
        OutcomeComparator.diff(oracle: a, candidate: b, orderMatters: ordered)
    }

    @Test func seriesOrderDoesNotMatterUnlessSorted() {
        let a = vector([(#"{"a":"1"}"#, "1"), (#"{"a":"2"}"#, "2")])
        let b = vector([(#"{"a":"2"}"#, "2"), (#"{"a":"1"}"#, "1")])
        #expect(diff(a, b) == nil)
        #expect(diff(a, b, ordered: true)?.contains("order differs at position 0") == true)
        // Ties may come in any order.
        let tied = vector([(#"{"a":"1"}"#, "5"), (#"{"a":"2"}"#, "5")])
        let swapped = vector([(#"{"a":"2"}"#, "5"), (#"{"a":"1"}"#, "5")])
        #expect(diff(tied, swapped, ordered: true) == nil)
    }

    @Test func valuesWithinToleranceAndSpecialValuesExactly() {
        #expect(diff(vector([("{}", "1000")]), vector([("{}", "1000.0000000001")])) == nil)
        #expect(diff(vector([("{}", "1000")]), vector([("{}", "1000.001")])) != nil)
        #expect(diff(vector([("{}", "NaN")]), vector([("{}", "NaN")])) == nil)
        #expect(diff(vector([("{}", "NaN")]), vector([("{}", "0")])) != nil)
        #expect(diff(vector([("{}", "+Inf")]), vector([("{}", "Inf")])) != nil)
        #expect(diff(vector([("{}", "-Inf")]), vector([("{}", "-1e308")])) != nil)
        #expect(diff(vector([("{}", "1000000")]), vector([("{}", "1e+06")])) != nil, "the same value written otherwise")
        #expect(diff(vector([("{}", "0")]), vector([("{}", "1e-17")])) == nil)
    }

    @Test func labelSetsAndTimestampsMustMatch() {
        let a = vector([(#"{"a":"1"}"#, "1")])
        #expect(diff(a, vector([(#"{"a":"1","__name__":"x"}"#, "1")]))?.contains("only oracle 1") == true)
        #expect(diff(a, vector([(#"{"a":"1"}"#, "1")], time: "1700000000.001"))?.contains("timestamps differ") == true)
        #expect(diff(a, vector([(#"{"a":"1"}"#, "1"), (#"{"a":"1"}"#, "1")]))?.contains("twice") == true)
        #expect(diff(a, vector([])) != nil)
        let matrix = outcome(
            #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"1"},"values":[[1700000000,"1"]]}]}}"#
        )
        #expect(diff(a, matrix)?.contains("resultType vector vs matrix") == true)
    }

    @Test func errorsCompareStatusTypeAndText() {
        let parse = outcome(#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: x"}"#, status: 400)
        #expect(diff(parse, parse) == nil)
        #expect(
            diff(
                parse, outcome(#"{"status":"error","errorType":"bad_data","error":"1:6: parse error: x"}"#, status: 400)
            ) != nil)
        #expect(
            diff(
                parse, outcome(#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: x"}"#, status: 422)
            ) != nil)
        #expect(diff(parse, vector([])) != nil)
        let execution = outcome(
            #"{"status":"error","errorType":"execution","error":"found duplicate series for the match group {a=\"1\"} on the right hand-side of the operation: [{b=\"1\"}, {b=\"2\"}];many-to-many matching not allowed"}"#,
            status: 422)
        let reordered = outcome(
            #"{"status":"error","errorType":"execution","error":"found duplicate series for the match group {a=\"1\"} on the right hand-side of the operation: [{b=\"2\"}, {b=\"1\"}];many-to-many matching not allowed"}"#,
            status: 422)
        let otherSide = outcome(
            #"{"status":"error","errorType":"execution","error":"found duplicate series for the match group {a=\"1\"} on the left hand-side of the operation: [{b=\"2\"}, {b=\"1\"}];many-to-many matching not allowed"}"#,
            status: 422)
        #expect(diff(execution, reordered) == nil)
        #expect(diff(execution, otherSide) != nil)
        #expect(diff(execution, outcome("404 page not found", status: 404))?.contains("HTTP 422 vs 404") == true)
    }
}
