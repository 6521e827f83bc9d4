/// Go's `regexp.Expand` template language, which `label_replace` uses for
/// its replacement string.
///
/// `$1` or `${1}` is a group by number, `$name` or `${name}` a group by
/// name; `$$` is a literal `$`. A name is the longest run of letters,
/// digits and `_`, so `$1x` means group "1x" (nothing), not group 1
/// then "x" — write `${1}x`. Unknown or unmatched groups expand to nothing;
/// a `$` that starts no valid reference is copied literally.
struct RegexTemplate: Sendable {
    enum Piece: Sendable, Equatable {
        case literal(String)
        case group(Int)
        case named(String)
    }

    let pieces: [Piece]

    /// Parses the template once, so applying it per series is a walk over pieces.
    init(_ template: String) {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(template)
        while let dollar = rest.firstIndex(of: "$") {
            literal += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "$" {
                literal += "$"
                rest = rest.dropFirst()
                continue
            }
            guard let (reference, remainder) = Self.extract(rest) else {
                literal += "$"
                continue
            }
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
            pieces.append(reference)
            rest = remainder
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    /// Go's `extract`: a name (braced or not) after `$`, as a group number
    /// when it is all digits without a leading zero (and below 10⁸).
    static func extract(_ s: Substring) -> (Piece, Substring)? {
        var rest = s
        let braced = rest.first == "{"
        if braced { rest = rest.dropFirst() }
        let nameEnd = rest.unicodeScalars.firstIndex { !isNameScalar($0) } ?? rest.endIndex
        let name = rest[..<nameEnd]
        if name.isEmpty { return nil }
        rest = rest[nameEnd...]
        if braced {
            guard rest.first == "}" else { return nil }
            rest = rest.dropFirst()
        }
        var number: Int? = 0
        for scalar in name.unicodeScalars {
            guard let n = number, n < 100_000_000, scalar >= "0" && scalar <= "9" else {
                number = nil
                break
            }
            number = n * 10 + Int(scalar.value - 48)
        }
        if name.first == "0" && name.count > 1 { number = nil }
        if let number { return (.group(number), rest) }
        return (.named(String(name)), rest)
    }

    /// Go's `unicode.IsLetter || unicode.IsDigit || '_'`.
    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        let category = scalar.properties.generalCategory
        return category.isLetter || category == .decimalNumber
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isLetter: Bool {
        switch self {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
}
