import MeridianModel

/// `label_replace(v, dst, replacement, src, regex)`, compiled once per call
/// site so each series costs one match and one template expansion.
///
/// If `regex` matches the *whole* value of `src` (a missing label reads as
/// ""), `dst` is set to `replacement` with `$1`/`${name}` expanded; an
/// empty expansion removes `dst`. Without a match the labels are unchanged.
///
/// The pattern is RE2 syntax as Prometheus uses; Swift's regex engine runs
/// it, configured to match like RE2 where it can: Unicode scalars rather
/// than grapheme clusters, ASCII-only `\d \w \s` and POSIX classes, simple
/// word boundaries, `.` not matching `\n`, and `\pL` rewritten to `\p{L}`.
/// What cannot be made identical: Swift accepts constructs RE2 rejects
/// (backreferences, lookaround, possessive quantifiers), which Prometheus
/// would report as invalid; and Swift lacks a few RE2-only forms (`\C`,
/// `(?U)`), which fail here as invalid.
public struct LabelReplace: @unchecked Sendable {
    // Regex is immutable after construction; matching from several threads is safe.
    /// The label written.
    public let destination: String
    /// The label read.
    public let source: String
    /// The replacement template, as written.
    public let replacement: String
    /// The pattern, as written (unanchored).
    public let pattern: String
    private let regex: Regex<AnyRegexOutput>
    private let template: RegexTemplate

    /// Compiles the call's arguments.
    /// - Throws: ``FunctionError`` `.invalidRegex` first, then
    ///   `.invalidLabelName` for a bad `destination`, the order Prometheus checks in.
    public init(destination: String, replacement: String, source: String, regex pattern: String) throws(FunctionError) {
        do {
            regex = try Regex(RE2Compatibility.translate(pattern))
                .matchingSemantics(.unicodeScalar)
                .asciiOnlyCharacterClasses()
                .wordBoundaryKind(.simple)
        } catch {
            throw FunctionError(
                .invalidRegex, "invalid regular expression in label_replace(): \(pattern)", cause: "\(error)")
        }
        guard NameValidation.isValidLabelName(destination) else {
            throw FunctionError(.invalidLabelName, "invalid destination label name in label_replace(): \(destination)")
        }
        self.destination = destination
        self.source = source
        self.replacement = replacement
        self.pattern = pattern
        self.template = RegexTemplate(replacement)
    }

    /// The labels after replacement (the same set when the regex does not match).
    /// - Complexity: one anchored match of the source value, O(labels) to rebuild.
    public func apply(to labels: Labels) -> Labels {
        let value = labels[source] ?? ""
        guard let match = (try? regex.wholeMatch(in: value)) ?? nil else { return labels }
        let output = match.output
        var result = ""
        for piece in template.pieces {
            switch piece {
            case .literal(let text):
                result += text
            case .group(let index):
                if index < output.count, let range = output[index].range { result += value[range] }
            case .named(let name):
                for capture in output where capture.name == name {
                    if let range = capture.range {
                        result += value[range]
                        break
                    }
                }
            }
        }
        return labels.setting(destination, to: result)
    }
}

/// `label_join(v, dst, separator, src...)`: `dst` becomes the values of the
/// `src` labels (missing ones as "") joined by `separator`; an empty result
/// removes `dst`.
public struct LabelJoin: Sendable {
    /// The label written.
    public let destination: String
    /// The text between values.
    public let separator: String
    /// The labels read, in order.
    public let sources: [String]

    /// Checks the label names.
    /// - Throws: ``FunctionError`` `.invalidLabelName` for the first bad
    ///   source, then for a bad destination, in Prometheus' order.
    public init(destination: String, separator: String, sources: [String]) throws(FunctionError) {
        for source in sources where !NameValidation.isValidLabelName(source) {
            throw FunctionError(.invalidLabelName, "invalid source label name in label_join(): \(source)")
        }
        guard NameValidation.isValidLabelName(destination) else {
            throw FunctionError(.invalidLabelName, "invalid destination label name in label_join(): \(destination)")
        }
        self.destination = destination
        self.separator = separator
        self.sources = sources
    }

    /// The labels with `destination` set to the joined values.
    /// - Complexity: O(sources × log labels + labels).
    public func apply(to labels: Labels) -> Labels {
        var joined = ""
        for (i, source) in sources.enumerated() {
            if i > 0 { joined += separator }
            joined += labels[source] ?? ""
        }
        return labels.setting(destination, to: joined)
    }
}

extension Labels {
    /// A copy with `name` set to `value`, or without `name` when `value` is
    /// empty (Prometheus' label builder: an empty value is no label).
    /// - Complexity: O(n).
    func setting(_ name: String, to value: String) -> Labels {
        var result = labels.filter { $0.name != name }
        if !value.isEmpty {
            let position = result.firstIndex { name.utf8.lexicographicallyPrecedes($0.name.utf8) } ?? result.endIndex
            result.insert(Label(name: name, value: value), at: position)
        }
        return Labels(sortedUnchecked: result)
    }
}

/// Rewrites the RE2 spellings Swift's regex parser does not know.
enum RE2Compatibility {
    /// `\pL` → `\p{L}` and `\PL` → `\P{L}`; everything else, including
    /// escaped backslashes, passes through.
    static func translate(_ pattern: String) -> String {
        guard pattern.contains("\\p") || pattern.contains("\\P") else { return pattern }
        var out = ""
        var iterator = pattern.unicodeScalars.makeIterator()
        while let c = iterator.next() {
            guard c == "\\", let next = iterator.next() else {
                out.unicodeScalars.append(c)
                continue
            }
            out.unicodeScalars.append(c)
            out.unicodeScalars.append(next)
            if next == "p" || next == "P", let letter = iterator.next() {
                if letter == "{" {
                    out.unicodeScalars.append(letter)
                } else {
                    out += "{"
                    out.unicodeScalars.append(letter)
                    out += "}"
                }
            }
        }
        return out
    }
}
