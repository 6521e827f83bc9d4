/// What Go's `regexp/syntax` (Go 1.19, as in Prometheus 2.42) refuses and
/// RE2 accepts, found in one left-to-right pass over the pattern's bytes.
///
/// RE2 and Go's parser share a design and agree on almost every pattern and
/// on the words of almost every error; the differences found by running
/// both on the same patterns are: `\C` (RE2: any byte; Go: a bad escape),
/// Unicode classes of scripts newer than Go's Unicode 13 tables
/// (`\p{Vithkuqi}`), non-ASCII capture names (`(?P<é>x)`), encoded
/// surrogates and other bytes Go's UTF-8 decoder refuses, and parse trees
/// nested more than 1000 deep. A `)` that closes Prometheus' own `^(?:`
/// wrapper is recorded too: Prometheus also parses the bare pattern and
/// refuses it, though the anchored one compiles.
struct GoRegexSyntax {
    /// Go's limit on the height of a parse tree (`maxHeight`).
    static let maxHeight = 1000

    /// The first problem Go reports and RE2 does not, at the byte offset
    /// where Go's parser meets it.
    private(set) var problem: (offset: Int, error: RegexSyntaxError)?
    /// The first `)` that closes more groups than the pattern opened.
    private(set) var strayParenOffset: Int?
    /// A lower bound on the height of Go's parse tree of `^(?:pattern)$`:
    /// each capture and each repetition adds a level, as in Go; the levels
    /// Go may add for concatenations and alternations are not counted.
    private(set) var height = 0

    private struct Frame {
        var capture: Bool
        var height = 0
        var last = 0
    }

    private let p: [UInt8]
    private var i = 0
    private var frames = [Frame(capture: false)]

    /// Scans `pattern` (the bare pattern, without Prometheus' anchors).
    /// - Complexity: O(n).
    init(_ pattern: [UInt8]) {
        p = pattern
        scan()
        while frames.count > 1 { closeGroup() }
        height = 1 + max(1, frames[0].height)
    }

    private mutating func scan() {
        while i < p.count, problem == nil {
            switch p[i] {
            case UInt8(ascii: "\\"): if !escape() { return }
            case UInt8(ascii: "["): if !characterClass() { return }
            case UInt8(ascii: "("): if !openGroup() { return }
            case UInt8(ascii: ")"):
                closeGroup()
                i += 1
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                repeatLast(end: i + 1)
            case UInt8(ascii: "{"):
                if let end = repeatCount(at: i) { repeatLast(end: end) } else { atom(length: 1) }
            case UInt8(ascii: "|"):
                frames[frames.count - 1].last = 0
                i += 1
            default:
                if !scalar() { return }
            }
        }
    }

    // MARK: items

    private mutating func atom(height h: Int = 1, length: Int) {
        frames[frames.count - 1].last = h
        frames[frames.count - 1].height = max(frames[frames.count - 1].height, h)
        i += length
    }

    /// A repetition operator ending before `end`, with its optional `?`.
    private mutating func repeatLast(end: Int) {
        let top = frames.count - 1
        if frames[top].last > 0 {
            frames[top].last += 1
            frames[top].height = max(frames[top].height, frames[top].last)
        }
        i = end
        if i < p.count, p[i] == UInt8(ascii: "?") { i += 1 }
    }

    /// One literal character; false after recording invalid UTF-8.
    private mutating func scalar() -> Bool {
        guard let length = Self.scalarLength(p, at: i) else {
            problem = (i, RegexSyntaxError(.invalidUTF8, bytes: p[i...] + Array(")$".utf8)))
            return false
        }
        atom(length: length)
        return true
    }

    /// `\…` outside a class; false when scanning cannot go on.
    private mutating func escape() -> Bool {
        guard i + 1 < p.count else { return false }
        switch p[i + 1] {
        case UInt8(ascii: "C"):
            problem = (i, RegexSyntaxError(.invalidEscape, "\\C"))
            return false
        case UInt8(ascii: "p"), UInt8(ascii: "P"):
            guard let end = unicodeClassEnd(checked: true) else { return false }
            atom(length: end - i)
            return true
        case UInt8(ascii: "x"):
            atom(length: hexEscapeLength(at: i))
            return true
        case UInt8(ascii: "Q"):
            i += 2
            while i < p.count {
                if p[i] == UInt8(ascii: "\\"), i + 1 < p.count, p[i + 1] == UInt8(ascii: "E") {
                    i += 2
                    return true
                }
                if !scalar() { return false }
            }
            return true
        default:
            guard let length = Self.scalarLength(p, at: i + 1) else {
                i += 1
                return scalar()
            }
            atom(length: 1 + length)
            return true
        }
    }

    /// The end of `\pX`, `\p{Name}` or `\p{^Name}` at `i`; records a name
    /// Go's tables lack when `checked`. Nil when scanning cannot go on.
    private mutating func unicodeClassEnd(checked: Bool) -> Int? {
        var end = i + 2
        guard end < p.count else { return nil }
        var name: ArraySlice<UInt8>
        if p[end] == UInt8(ascii: "{") {
            guard let close = p[end...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
            name = p[(end + 1)..<close]
            end = close + 1
        } else {
            let length = Self.scalarLength(p, at: end) ?? 1
            name = p[end..<(end + length)]
            end += length
        }
        if name.first == UInt8(ascii: "^") { name = name.dropFirst() }
        if checked, !GoRegexSyntax.unicodeClassNames.contains(String(decoding: name, as: UTF8.self)) {
            problem = (i, RegexSyntaxError(.invalidCharRange, bytes: p[i..<end]))
            return nil
        }
        return end
    }

    /// The length of `\x41` or `\x{41}` at `offset`. Go reads the two
    /// characters after `\x` as runes, so a bad escape such as `\x4K`
    /// (Kelvin sign) ends after the whole of `K`, not inside it.
    private func hexEscapeLength(at offset: Int) -> Int {
        if offset + 2 < p.count, p[offset + 2] == UInt8(ascii: "{"),
            let close = p[(offset + 2)...].firstIndex(of: UInt8(ascii: "}"))
        {
            return close + 1 - offset
        }
        var end = offset + 2
        for _ in 0..<2 where end < p.count { end += Self.scalarLength(p, at: end) ?? 1 }
        return end - offset
    }

    /// `[…]`, one item; false when scanning cannot go on.
    private mutating func characterClass() -> Bool {
        let start = i
        i += 1
        if i < p.count, p[i] == UInt8(ascii: "^") { i += 1 }
        let first = i
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "]"), i > first {
                i += 1
                let length = i - start
                i = start
                atom(length: length)
                return true
            }
            if c == UInt8(ascii: "["), i + 1 < p.count, p[i + 1] == UInt8(ascii: ":"),
                let close = Self.find(":]", in: p, from: i + 2)
            {
                i = close + 2
            } else if c == UInt8(ascii: "\\") {
                guard i + 1 < p.count else { return false }
                let e = p[i + 1]
                if e == UInt8(ascii: "p") || e == UInt8(ascii: "P") {
                    // After `x-` the escape ends a range, where Go and RE2
                    // both refuse a class; RE2 words that error as Go does.
                    let endsRange = i >= first + 2 && p[i - 1] == UInt8(ascii: "-")
                    guard let end = unicodeClassEnd(checked: !endsRange) else { return false }
                    i = end
                } else if e == UInt8(ascii: "x") {
                    i += hexEscapeLength(at: i)
                } else {
                    i += 1 + (Self.scalarLength(p, at: i + 1) ?? 1)
                }
            } else {
                guard let length = Self.scalarLength(p, at: i) else { return scalar() }
                i += length
            }
        }
        return false
    }

    /// `(`, `(?:`, `(?P<name>`, or a flag group `(?i)`; false when scanning
    /// cannot go on (RE2 refuses what follows, as Go does).
    private mutating func openGroup() -> Bool {
        guard i + 1 < p.count, p[i + 1] == UInt8(ascii: "?") else {
            frames.append(Frame(capture: true))
            i += 1
            return true
        }
        if i + 3 < p.count, p[i + 2] == UInt8(ascii: "P"), p[i + 3] == UInt8(ascii: "<") {
            guard let close = p[(i + 4)...].firstIndex(of: UInt8(ascii: ">")) else { return false }
            // Go 1.19 takes ASCII word characters only; newer RE2 takes any letter.
            if p[(i + 4)..<close].contains(where: { $0 >= 0x80 }) {
                problem = (i, RegexSyntaxError(.invalidNamedCapture, bytes: p[i...close]))
                return false
            }
            frames.append(Frame(capture: true))
            i = close + 1
            return true
        }
        var j = i + 2
        while j < p.count, "imsU-".utf8.contains(p[j]) { j += 1 }
        guard j < p.count else { return false }
        if p[j] == UInt8(ascii: ")") {
            i = j + 1
            return true
        }
        guard p[j] == UInt8(ascii: ":") else { return false }
        frames.append(Frame(capture: false))
        i = j + 1
        return true
    }

    private mutating func closeGroup() {
        guard frames.count > 1 else {
            // Closes Prometheus' `(?:` wrapper; what follows sits beside it.
            if strayParenOffset == nil { strayParenOffset = i }
            frames[0].last = frames[0].height
            return
        }
        let group = frames.removeLast()
        let h = max(1, group.height) + (group.capture ? 1 : 0)
        frames[frames.count - 1].last = h
        frames[frames.count - 1].height = max(frames[frames.count - 1].height, h)
    }

    /// The end of `{n}`, `{n,}` or `{n,m}` at `offset`, or nil when the
    /// brace is a literal (as in Go, `a{,5}` and `a{x}` are literals).
    private func repeatCount(at offset: Int) -> Int? {
        var j = offset + 1
        func digits() -> Bool {
            let start = j
            while j < p.count, p[j] >= UInt8(ascii: "0"), p[j] <= UInt8(ascii: "9") { j += 1 }
            return j > start
        }
        guard digits(), j < p.count else { return nil }
        if p[j] == UInt8(ascii: ",") {
            j += 1
            guard j < p.count else { return nil }
            if p[j] != UInt8(ascii: "}") { guard digits(), j < p.count else { return nil } }
        }
        return p[j] == UInt8(ascii: "}") ? j + 1 : nil
    }

    // MARK: bytes

    /// The length of the UTF-8 scalar at `offset`, or nil where Go's
    /// decoder returns `RuneError` of width 1 (see ``UTF8Sequence``).
    static func scalarLength(_ bytes: [UInt8], at offset: Int) -> Int? {
        UTF8Sequence.length(at: offset, count: bytes.count) { bytes[$0] }
    }

    /// The bytes as Go's JSON encoder writes them: each byte that does not
    /// start a valid scalar becomes one U+FFFD (Swift's own repair would
    /// merge a truncated sequence into one).
    static func goString(_ bytes: some Collection<UInt8>) -> String {
        let array = Array(bytes)
        var valid: [UInt8] = []
        valid.reserveCapacity(array.count)
        var k = 0
        while k < array.count {
            if let length = scalarLength(array, at: k) {
                valid += array[k..<(k + length)]
                k += length
            } else {
                valid += [0xEF, 0xBF, 0xBD]
                k += 1
            }
        }
        return String(decoding: valid, as: UTF8.self)
    }

    private static func find(_ needle: String, in bytes: [UInt8], from start: Int) -> Int? {
        let n = Array(needle.utf8)
        guard start + n.count <= bytes.count else { return nil }
        for k in start...(bytes.count - n.count) where bytes[k..<(k + n.count)].elementsEqual(n) { return k }
        return nil
    }
}
