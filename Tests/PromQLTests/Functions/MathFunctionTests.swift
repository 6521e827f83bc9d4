import Testing

@testable import PromQL

@Suite struct MathFunctionTests {
    typealias F = FunctionFixtures

    static let goldenValuesCases: [(String, Double, Double)] = [
        ("sin", 10.0, -0.5440211108893699), ("sin", 20, 0.9129452507276277),
        ("cos", 10, -0.8390715290764524), ("cos", 20, 0.40808206181339196),
        ("tan", 10, 0.6483608274590867), ("tan", 20, 2.2371609442247427),
        ("asin", -0.1, -0.10016742116155944), ("asin", 9.9, .nan),
        ("acos", -0.1, 1.670963747956456), ("acos", 9.9, .nan),
        ("atan", 10, 1.4711276743037345), ("atan", 20, 1.5208379310729538),
        ("sinh", 10, 11013.232920103324), ("sinh", 20, 2.4258259770489514e+08),
        ("cosh", 10, 11013.232920103324), ("cosh", 20, 2.4258259770489514e+08),
        ("tanh", 10, 0.9999999958776927), ("tanh", 20, 1),
        ("asinh", 10, 2.99822295029797), ("asinh", 20, 3.6895038689889055),
        ("acosh", 10, 2.993222846126381), ("acosh", 20, 3.6882538673612966),
        ("exp", 10, 22026.465794806718), ("exp", 20, 485165195.4097903), ("exp", -10, 4.5399929762484854e-05),
        ("exp", 0, 1), ("ln", 10, 2.302585092994046), ("ln", 20, 2.995732273553991), ("ln", 0, -.infinity),
        ("ln", -10, .nan), ("sqrt", 10, 3.1622776601683795), ("sqrt", 20, 4.47213595499958),
        ("log2", 10, 3.3219280948873626), ("log2", 20, 4.321928094887363), ("log2", 0, -.infinity),
        ("log2", -10, .nan), ("log10", 10, 1), ("log10", 20, 1.301029995663981), ("log10", 0, -.infinity),
        ("log10", -10, .nan), ("abs", -100, 100), ("ceil", 0.4, 1), ("floor", 0.8, 0),
    ]

    @Test(arguments: goldenValuesCases)
    func goldenValues(name: String, input: Double, expected: Double) throws {
        let function = try #require(MathFunction(name: name))
        #expect(F.almostEqual(function(input), expected), "\(name)(\(input)) = \(function(input))")
    }

    @Test func everyFunctionPassesNaNThrough() {
        for function in MathFunction.allCases {
            #expect(function(.nan).isNaN, "\(function)")
        }
        #expect(MathFunction.allCases.allSatisfy { PromQLFunction.named($0.rawValue) != nil })
    }

    static let sgnCases: [(Double, Double)] = [
        (-Double.infinity, -1.0), (.infinity, 1), (-50, -1), (0, 0), (100, 1),
    ]

    @Test(arguments: sgnCases)
    func sgn(input: Double, expected: Double) {
        #expect(MathFunctions.sgn(input) == expected)
    }

    @Test func sgnKeepsNaNAndSignedZero() {
        #expect(MathFunctions.sgn(.nan).isNaN)
        #expect(MathFunctions.sgn(-0.0).sign == .minus)
    }

    @Test func degreesAndRadians() {
        #expect(MathFunctions.deg(Double.pi) == 180)
        #expect(MathFunctions.rad(180) == Double.pi)
        #expect(F.almostEqual(MathFunctions.deg(1), 57.29577951308232))
    }

    static let roundCases: [(Double, Double, Double)] = [
        // aggregators.test, values 100 and 200 scaled as the queries do.
        (0.4, 1.0, 0.0), (0.8, 1, 1), (-0.4, 1, 0), (-0.8, 1, -1), (0.5, 1, 1), (1.0, 1, 1), (-0.5, 1, 0),
        (-1, 1, -1), (1.5, 1, 2), (2, 1, 2), (-1.5, 1, -1), (-2, 1, -2), (0.05, 0.1, 0.1), (0.1, 0.1, 0.1),
        (2.15, 0.1, 2.2), (2.2, 0.1, 2.2), (5.25, 0.1, 5.3), (5.3, 0.1, 5.3), (-5.25, 0.1, -5.2),
        (-5.3, 0.1, -5.3), (2.5, 5, 5), (5, 5, 5), (4.5, 5, 5), (9, 5, 10),
    ]

    @Test(arguments: roundCases)
    func round(input: Double, toNearest: Double, expected: Double) {
        #expect(F.almostEqual(MathFunctions.round(input, toNearest: toNearest), expected))
    }

    @Test func roundSpecialValues() {
        #expect(MathFunctions.round(.nan).isNaN)
        #expect(MathFunctions.round(.infinity) == .infinity)
        #expect(MathFunctions.round(2.5) == 3)
        #expect(MathFunctions.round(-2.5) == -2)
    }

    @Test func clamp() {
        #expect([-50.0, 0, 100].map { MathFunctions.clampMax($0, max: 75) } == [-50, 0, 75])
        #expect([-50.0, 0, 100].map { MathFunctions.clampMin($0, min: -25) } == [-25, 0, 100])
        #expect([-50.0, 0, 100].map { MathFunctions.clamp($0, min: -25, max: 75) } == [-25, 0, 75])
        #expect([-50.0, 0, 100].allSatisfy { MathFunctions.clamp($0, min: 0, max: .nan)!.isNaN })
        #expect([-50.0, 0, 100].allSatisfy { MathFunctions.clamp($0, min: .nan, max: 0)!.isNaN })
        #expect(MathFunctions.clamp(1, min: 5, max: -5) == nil)
        #expect(MathFunctions.clampMax(.nan, max: 1).isNaN)
        #expect(MathFunctions.clampMin(.nan, min: -.infinity).isNaN)
        #expect(MathFunctions.clampMax(.nan, max: -.infinity) == -.infinity)
        #expect(MathFunctions.clampMin(.nan, min: .infinity) == .infinity)
        #expect(MathFunctions.clampMin(-0.0, min: 0).sign == .plus)
        #expect(MathFunctions.clampMax(0.0, max: -0.0).sign == .minus)
    }
}

@Suite struct DateFunctionTests {
    static let goldenValuesCases: [(DateFunction, Double, Double)] = [
        // functions.test: 1136239445 is 2006-01-02 22:04:05 UTC, a Monday.
        (DateFunction.year, 0.0, 1970.0), (.month, 0, 1), (.dayOfMonth, 0, 1), (.dayOfYear, 0, 1),
        (.dayOfWeek, 0, 4), (.hour, 0, 0), (.minute, 0, 0), (.year, 1136239445, 2006),
        (.month, 1136239445, 1), (.dayOfMonth, 1136239445, 2), (.dayOfYear, 1136239445, 2),
        (.dayOfWeek, 1136239445, 1), (.hour, 1136239445, 22), (.minute, 1136239445, 4),
        (.year, 1230767999, 2008), (.year, 1230768000, 2009), (.month, 1456790399, 2),
        (.dayOfMonth, 1456790399, 29), (.month, 1456790400, 3), (.dayOfMonth, 1456790400, 1),
        (.dayOfYear, 1483191420, 366), (.dayOfYear, 1672493820, 365), (.daysInMonth, 1454284800, 29),
        (.daysInMonth, 1485907200, 28), (.daysInMonth, 0, 31), (.daysInMonth, 951782400, 29),
        (.daysInMonth, 4105123200, 28),
    ]

    @Test(arguments: goldenValuesCases)
    func goldenValues(function: DateFunction, seconds: Double, expected: Double) {
        #expect(function(seconds) == expected)
    }

    @Test func truncatesTowardZeroBeforeConverting() {
        #expect(DateFunction.hour(-0.5) == 0)
        #expect(DateFunction.year(-1.5) == 1969)
        #expect(DateFunction.minute(-1.5) == 59)
        #expect(DateFunction.dayOfWeek(-1) == 3)
        #expect(DateFunction.hour(3599.999) == 0)
    }

    @Test func farDates() {
        // 1900 is not a leap year; 2000 is. -62135596800 is 0001-01-01.
        #expect(DateFunction.daysInMonth(-2_206_310_400) == 28)  // 1900-02-01
        #expect(DateFunction.year(-62_135_596_800) == 1)
        #expect(DateFunction.year(-62_135_596_801) == 0)
        #expect(DateFunction.dayOfYear(253_402_300_799) == 365)  // 9999-12-31 23:59:59
    }

    /// Checked against Prometheus 2.42 (promtool) on amd64.
    @Test func nonFiniteValuesWrapLikeGo() {
        for v in [Double.nan, .infinity, -.infinity, 1e19, -1e19] {
            #expect(DateFunction.year(v) == 292_277_026_596)
            #expect(DateFunction.month(v) == 12)
            #expect(DateFunction.dayOfMonth(v) == 4)
            #expect(DateFunction.dayOfWeek(v) == 0)
            #expect(DateFunction.dayOfYear(v) == 339)
            #expect(DateFunction.daysInMonth(v) == 31)
            #expect(DateFunction.hour(v) == 15)
            #expect(DateFunction.minute(v) == 30)
        }
        let nearMax = 9.2233720368547e18
        #expect(DateFunction.year(nearMax) == 292_277_026_596)
        #expect(DateFunction.dayOfMonth(nearMax) == 3)
        #expect(DateFunction.dayOfWeek(nearMax) == 6)
        #expect(DateFunction.dayOfYear(nearMax) == 338)
        #expect(DateFunction.hour(nearMax) == 18)
        #expect(DateFunction.minute(nearMax) == 27)
        #expect(DateFunction.allCases.allSatisfy { PromQLFunction.named($0.rawValue) != nil })
    }
}
