import MeridianModel

/// `label_replace(v, dst, replacement, src, regex)`, compiled once per call
/// site so each series costs one match and one template expansion.
///
/// If `regex` matches the *whole* value of `src` (a missing label reads as
/// ""), `dst` is set to `replacement` with `$1`/`${name}` expanded; an
/// empty expansion removes `dst`. Without a match the labels are unchanged.
///
/// The regex runs on RE2 with Prometheus' anchors (`^(?:regex)$`), so it
/// accepts, refuses and matches as Go's regexp does (see `RE2Regex`), in
/// time linear in the value. Unlike a selector, a pattern that only
/// compiles thanks to those anchors (`a)(b`) is fine here, as in Prometheus.
public struct LabelReplace: Sendable {
    /// The label written.
    public let destination: String
    /// The label read.
    public let source: String
    /// The replacement template, as written.
    public let replacement: String
    /// The pattern, as written (unanchored).
    public let pattern: String
    private let regex: RE2Regex
    private let pieces: [Piece]
    /// The groups the template can use: RE2 reports no more than these.
    private let groupsUsed: Int

    /// A template piece with its group references resolved against the regex.
    private enum Piece: Sendable {
        case literal([UInt8])
        /// The first of these groups that took part in the match (one number,
        /// or every group of a name, as Go's `Expand` looks them up).
        case group([Int])
    }

    /// Compiles the call's arguments.
    /// - Throws: ``FunctionError`` `.invalidRegex` first, then
    ///   `.invalidLabelName` for a bad `destination`, the order Prometheus checks in.
    public init(destination: String, replacement: String, source: String, regex pattern: String) throws(FunctionError) {
        do {
            regex = try RE2Regex.compile(pattern)
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
        let regex = regex
        pieces = RegexTemplate(replacement).pieces.map { piece in
            switch piece {
            case .literal(let text): return .literal(Array(text.utf8))
            case .group(let index): return .group(index <= regex.groupCount ? [index] : [])
            case .named(let name):
                // Bytes, not String equality: `$\u{212A}` (Kelvin sign) is not group `K`.
                let bytes = Array(name.utf8)
                return .group(
                    regex.groupNames.indices.filter { regex.groupNames[$0]?.utf8.elementsEqual(bytes) ?? false })
            }
        }
        let highestGroup = pieces.reduce(0) { highest, piece in
            guard case .group(let groups) = piece else { return highest }
            return max(highest, groups.max() ?? 0)
        }
        groupsUsed = 1 + highestGroup
    }

    /// The labels after replacement (the same set when the regex does not match).
    /// - Complexity: one anchored match of the source value, O(labels) to rebuild.
    public func apply(to labels: Labels) -> Labels {
        let value = labels[source] ?? ""
        let expanded = regex.withFullMatch(of: value, groups: groupsUsed) { bytes, groups in
            var out: [UInt8] = []
            for piece in pieces {
                switch piece {
                case .literal(let text):
                    out += text
                case .group(let candidates):
                    if let range = candidates.lazy.compactMap({ $0 < groups.count ? groups[$0] : nil }).first {
                        out += bytes[range]
                    }
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        guard let expanded else { return labels }
        return labels.setting(destination, to: expanded)
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
