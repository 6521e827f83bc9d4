// Prometheus writes strings, runes and numbers into its error messages and
// printed queries with Go's fmt verbs; these helpers reproduce the ones it
// uses so our messages compare equal byte for byte.

/// Go's `%q` for a string (`strconv.Quote`): double quotes, printable
/// characters as they are, the rest escaped.
func goQuote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        if scalar == "\"" {
            out += "\\\""
        } else {
            appendEscaped(scalar, quote: "\"", to: &out)
        }
    }
    return out + "\""
}

/// Go's `%q` for a rune (`strconv.QuoteRune`); nil stands for end of input,
/// which Go prints as the replacement character.
func goQuoteRune(_ scalar: Unicode.Scalar?) -> String {
    guard let scalar else { return "'\u{FFFD}'" }
    var out = "'"
    if scalar == "'" {
        out += "\\'"
    } else {
        appendEscaped(scalar, quote: "'", to: &out)
    }
    return out + "'"
}

/// Go's `%#U`: `U+0063 'c'`, or just `U+0007` when the rune is not printable.
func goUnicodeFormat(_ scalar: Unicode.Scalar) -> String {
    var hex = String(scalar.value, radix: 16, uppercase: true)
    while hex.count < 4 { hex = "0" + hex }
    return isGoPrintable(scalar) ? "U+\(hex) '\(Character(scalar))'" : "U+\(hex)"
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and
/// the ASCII space.
func isGoPrintable(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == " " { return true }
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
        .nonspacingMark, .spacingMark, .enclosingMark,
        .decimalNumber, .letterNumber, .otherNumber,
        .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
        .initialPunctuation, .finalPunctuation, .otherPunctuation,
        .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
        return true
    default:
        return false
    }
}

private func appendEscaped(_ scalar: Unicode.Scalar, quote: Unicode.Scalar, to out: inout String) {
    switch scalar {
    case "\\": out += "\\\\"
    case "\u{07}": out += "\\a"
    case "\u{08}": out += "\\b"
    case "\u{0C}": out += "\\f"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case "\u{0B}": out += "\\v"
    default:
        if isGoPrintable(scalar) {
            out.unicodeScalars.append(scalar)
        } else if scalar.value < 0x80 {
            out += "\\x" + hexDigits(scalar.value, width: 2)
        } else if scalar.value <= 0xFFFF {
            out += "\\u" + hexDigits(scalar.value, width: 4)
        } else {
            out += "\\U" + hexDigits(scalar.value, width: 8)
        }
    }
}

private func hexDigits(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
