import Testing

@testable import PromQL

/// Numbers, strings and durations, converted with Go's rules.
@Suite struct LiteralTests {
    private func number(_ query: String) throws -> Double {
        guard case .number(let value, _) = try PromQLParser.parse(query) else { throw ParserTestFailure("not a number") }
        return value
    }

    private func string(_ query: String) throws -> String {
        guard case .string(let value, _) = try PromQLParser.parse(query) else { throw ParserTestFailure("not a string") }
        return value
    }

    @Test func numbers() throws {
        #expect(try number("1") == 1)
        #expect(try number("1.5e3") == 1500)
        #expect(try number("1E-3") == 0.001)
        #expect(try number(".5") == 0.5)
        #expect(try number("5.") == 5)
        #expect(try number("0x1f") == 31)
        #expect(try number("0XFF") == 255)
        #expect(try number("010") == 8, "a leading zero is octal, as strconv.ParseInt reads it")
        #expect(try number("09") == 9, "not octal, so read as a float")
        #expect(try number("12345678901234567890") == 12_345_678_901_234_567_890)
        #expect(try number("Inf") == .infinity)
        #expect(try number("-inf") == -.infinity)
        #expect(try number("iNf") == .infinity)
        #expect(try number("NaN").isNaN)
        #expect(try number("-0").sign == .minus)
    }

    @Test func doubleQuotedEscapes() throws {
        #expect(try string(#""a\nb\tc\\d\"e""#) == "a\nb\tc\\d\"e")
        #expect(try string(#""\a\b\f\r\v""#) == "\u{07}\u{08}\u{0C}\r\u{0B}")
        #expect(try string(#""\x41\101\u00e9\U0001F600""#) == "AAé😀")
        #expect(try string(#""héllo""#) == "héllo")
    }

    @Test func singleQuotedEscapes() throws {
        #expect(try string(#"'it\'s'"#) == "it's")
        #expect(try string(#"'say "hi"'"#) == "say \"hi\"")
    }

    @Test func rawStringsKeepBackslashes() throws {
        #expect(try string(#"`a\nb\x`"#) == #"a\nb\x"#)
        #expect(try string("`two\nlines`") == "two\nlines")
    }

    @Test func durations() {
        #expect(PromQLParser.parseDuration("5m") == 300_000)
        #expect(PromQLParser.parseDuration("1h30m") == 5_400_000)
        #expect(PromQLParser.parseDuration("1y") == 31_536_000_000)
        #expect(PromQLParser.parseDuration("1w") == 604_800_000)
        #expect(PromQLParser.parseDuration("1d") == 86_400_000)
        #expect(PromQLParser.parseDuration("1ms") == 1)
        #expect(PromQLParser.parseDuration("1m1ms") == 60_001)
        let allUnits: Int64 = 31_536_000_000 + 1_209_600_000 + 259_200_000 + 14_706_007
        #expect(PromQLParser.parseDuration("1y2w3d4h5m6s7ms") == allUnits)
        #expect(PromQLParser.parseDuration("0") == 0)
        #expect(PromQLParser.parseDuration("0s") == 0)
        #expect(PromQLParser.parseDuration("290y") != nil)
    }

    @Test(arguments: [
        "", "5", "1.5h", "5m1h", "1s1s", "1ms1s", "-5m", "5M", "1h 30m", "300y", "99999999999999999999s", "m",
    ])
    func invalidDurations(text: String) {
        #expect(PromQLParser.parseDuration(text) == nil)
    }

    @Test func durationFormatting() {
        #expect(DurationSyntax.format(0) == "0s")
        #expect(DurationSyntax.format(5_400_000) == "1h30m")
        #expect(DurationSyntax.format(90 * 86_400_000) == "90d", "weeks only when exact")
        #expect(DurationSyntax.format(14 * 86_400_000) == "2w")
        #expect(DurationSyntax.format(365 * 86_400_000) == "1y")
        #expect(DurationSyntax.format(366 * 86_400_000) == "366d")
        #expect(DurationSyntax.format(1001) == "1s1ms")
    }

    @Test func goFloatFormatting() {
        let cases: [(Double, String)] = [
            (1, "1"), (0.5, "0.5"), (100_000, "100000"), (1_000_000, "1e+06"), (123_456_789, "1.23456789e+08"),
            (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e-7, "1.5e-07"), (1e100, "1e+100"), (-2.5, "-2.5"),
            (-0.0, "-0"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"), (0.1 + 0.2, "0.30000000000000004"),
        ]
        for (value, text) in cases {
            #expect(GoFloatFormat.shortest(value) == text)
        }
    }

    @Test func goQuoting() {
        #expect(goQuote("a\"b\\c\n\t") == #""a\"b\\c\n\t""#)
        #expect(goQuote("é\u{7F}\u{01}\u{200B}") == #""é\x7f\x01\u200b""#)
        #expect(goQuoteRune("'") == #"'\''"#)
        #expect(goUnicodeFormat("c") == "U+0063 'c'")
    }
}
