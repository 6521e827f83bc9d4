import MeridianModel
import Testing

@testable import PromQL

@Suite struct GoFloatTests {
    static let parsesLikeStrconvCases: [(String, Double)] = [
        ("+Inf", Double.infinity), ("Inf", .infinity), ("inf", .infinity), ("-inf", -.infinity),
        ("infinity", .infinity), ("+Infinity", .infinity), ("-INFINITY", -.infinity), ("1e3", 1000), (".5", 0.5),
        ("5.", 5), ("0.1", 0.1), ("2e-1", 0.2), ("2.0e-1", 0.2), ("-.2", -0.2), ("+1", 1), ("1E3", 1000),
        ("1_000", 1000), ("1_000.000_1", 1000.0001), ("1e1_0", 1e10), ("0x1p-2", 0.25), ("0x1.8p1", 3),
        ("0X_1P0", 1), ("-0x.8p1", -1), ("1e-400", 0), ("007", 7), ("0", 0),
        (
            "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            1.7976931348623157e308
        ),
    ]

    @Test(arguments: parsesLikeStrconvCases)
    func parsesLikeStrconv(text: String, expected: Double) {
        #expect(GoFloat.parse(text) == expected, "\(text)")
    }

    @Test func parsesNaN() {
        #expect(GoFloat.parse("NaN")?.isNaN == true)
        #expect(GoFloat.parse("nan")?.isNaN == true)
    }

    static let rejectsLikeStrconvCases: [String] = [
        "", " 1", "1 ", "+nan", "-NaN", "infin", "infx", "inf ", "1e", "1e+", "e1", ".", "+", "-", "0x", "0x1",
        "1p3", "0x1e3", "1__0", "_1", "1_", "1_.5", "1._5", "1e400", "-1e400", "0x1p2000", "1,5", "1.2.3", "abc",
        "0b101", "++1", "1e+_3",
    ]

    @Test(arguments: rejectsLikeStrconvCases)
    func rejectsLikeStrconv(text: String) {
        #expect(GoFloat.parse(text) == nil, "\(text) parsed as \(String(describing: GoFloat.parse(text)))")
    }

    static let formatsLikeStrconvCases: [(Double, String)] = [
        (6.0, "6"), (0.1, "0.1"), (1.5, "1.5"), (-2.25, "-2.25"), (100, "100"), (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"), (123456789.125, "123456789.125"), (0.30000000000000004, "0.30000000000000004"),
        (-0.0, "-0"), (0, "0"), (.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"),
        (1.7976931348623157e308, "17976931348623157" + String(repeating: "0", count: 292)),
        (5e-324, "0." + String(repeating: "0", count: 323) + "5"), (1e16, "10000000000000000"),
        (123456789012345680, "123456789012345680"), (0.000123, "0.000123"),
    ]

    @Test(arguments: formatsLikeStrconvCases)
    func formatsLikeStrconv(value: Double, expected: String) {
        #expect(FloatFormat.prometheus(value) == expected)
        #expect(Aggregation.countValuesLabel(value) == expected)
    }

    @Test func formattedValuesReadBack() {
        for v in [0.1, 1.0 / 3, 2.0 / 3e10, 1e300, 4.9e-324, 12345.678901234567] {
            #expect(GoFloat.parse(FloatFormat.prometheus(v)) == v)
        }
    }
}
