import Testing

@testable import PromQL

/// How operators group: precedence, associativity, unary signs and postfix
/// modifiers, as Prometheus' yacc precedence declarations decide.
@Suite struct PrecedenceTests {
    static let cases: [(String, String)] = [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("1 * 2 + 3", "((1 * 2) + 3)"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("8 / 4 / 2", "((8 / 4) / 2)"),
        ("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"),
        ("2 * 3 ^ 2", "(2 * (3 ^ 2))"),
        ("2 ^ 3 * 2", "((2 ^ 3) * 2)"),
        ("1 + 2 % 3", "(1 + (2 % 3))"),
        ("a atan2 b * c", "((a atan2 b) * c)"),
        ("a + b atan2 c", "(a + (b atan2 c))"),
        ("a + b > c", "((a + b) > c)"),
        ("a > b and c", "((a > b) and c)"),
        ("a and b or c", "((a and b) or c)"),
        ("a or b and c", "(a or (b and c))"),
        ("a unless b or c", "((a unless b) or c)"),
        ("a and b unless c", "((a and b) unless c)"),
        ("a == bool b + 1", "(a == bool (b + 1))"),
        ("1 < bool 2 < bool 3", "((1 < bool 2) < bool 3)"),
        // Unary minus binds like `*`: tighter than `+`, looser than `^`.
        ("-2 ^ 2", "-(2 ^ 2)"),
        ("-a ^ b", "-(a ^ b)"),
        ("-a * b", "(-a * b)"),
        ("-a + b", "(-a + b)"),
        ("a + -b * c", "(a + (-b * c))"),
        ("2 ^ -1 * 3", "((2 ^ -1) * 3)"),
        ("a ^ -b ^ c", "(a ^ -(b ^ c))"),
        ("- - a", "--a"),
        ("(-2) ^ 2", "(paren(-2) ^ 2)"),
        // Postfix modifiers stick to the operand before them.
        ("a + b offset 5m", "(a + b offset 5m)"),
        ("-a offset 5m", "-a offset 5m"),
        ("a + b @ 10", "(a + b @ 10.000)"),
        ("a offset 1m * b @ 1", "(a offset 1m * b @ 1.000)"),
        ("sum(a) by (x) + b", "(sum(a) + b)"),
    ]

    @Test(arguments: cases)
    func groups(query: String, expected: String) throws {
        #expect(outline(try PromQLParser.parse(query)) == expected)
    }

    /// A sign directly on a number literal folds into it, as in Prometheus.
    @Test func signFoldsIntoNumberLiterals() throws {
        guard case .number(let value, let position) = try PromQLParser.parse("-1") else {
            Issue.record("not a number")
            return
        }
        #expect(value == -1)
        #expect(position == PositionRange(start: 0, end: 2))
        guard case .number(let twice, _) = try PromQLParser.parse("- -1") else {
            Issue.record("not a number")
            return
        }
        #expect(twice == 1)
        guard case .unary(.minus, .paren, _) = try PromQLParser.parse("-(1)") else {
            Issue.record("a parenthesised number stays a unary expression")
            return
        }
    }

    @Test func negativePowerEvaluatesAsPrometheusDoes() throws {
        // -2^2 is -(2^2); the tree must not hold the literal -2.
        guard case .unary(.minus, .binary(let power), _) = try PromQLParser.parse("-2^2") else {
            Issue.record("expected unary minus over a power")
            return
        }
        #expect(power.op == .pow)
    }
}
