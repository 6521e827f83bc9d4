import MeridianModel

/// A series that breaks the label rules of remote-write or a per-series
/// ``RemoteWriteLimits/Limit``, and the message that tells the sender which
/// series and which label. Built only on the error path, so it may allocate
/// freely.
enum LabelProblem: Equatable {
    case noLabels
    case emptyName
    case invalidName(String)
    case duplicateName(String)
    case unsorted(name: String, after: String)
    case emptyValue(name: String)
    case invalidValueUTF8(name: String)
    case invalidMetricName(String)
    case missingMetricName
    /// More labels than ``RemoteWriteLimits/maxLabelsPerSeries`` (`limit`).
    case tooManyLabels(count: Int, limit: Int)
    /// A name of `bytes` bytes, over ``RemoteWriteLimits/maxLabelNameLength``.
    case nameTooLong(name: String, bytes: Int, limit: Int)
    /// A value of `bytes` bytes, over ``RemoteWriteLimits/maxLabelValueLength``.
    case valueTooLong(name: String, bytes: Int, limit: Int)

    /// The error for this problem in series number `index` (0-based, in request
    /// order), whose labels are `labels` as sent.
    func error(seriesIndex index: Int, labels: [(name: String, value: String)]) -> RemoteWriteError {
        let series = SeriesDescription.format(labels)
        switch self {
        case .noLabels:
            return RemoteWriteError(.invalidLabels, "series at index \(index) has no labels")
        case .emptyName:
            return RemoteWriteError(.invalidLabels, "empty label name in series \(series)")
        case .invalidName(let name):
            return RemoteWriteError(.invalidLabels, "invalid label name \(quoted(name)) in series \(series)")
        case .duplicateName(let name):
            return RemoteWriteError(.invalidLabels, "duplicate label name \(quoted(name)) in series \(series)")
        case .unsorted(let name, let after):
            return RemoteWriteError(
                .invalidLabels, "label names not sorted in series \(series): \(quoted(name)) after \(quoted(after))")
        case .emptyValue(let name):
            return RemoteWriteError(.invalidLabels, "empty value for label \(quoted(name)) in series \(series)")
        case .invalidValueUTF8(let name):
            return RemoteWriteError(
                .invalidUTF8, "value of label \(quoted(name)) is not valid UTF-8 in series \(series)")
        case .invalidMetricName(let value):
            return RemoteWriteError(.invalidLabels, "invalid metric name \(quoted(value)) in series \(series)")
        case .missingMetricName:
            return RemoteWriteError(.invalidLabels, "missing metric name (label __name__) in series \(series)")
        case .tooManyLabels(let count, let limit):
            return RemoteWriteError(
                limit: .labelsPerSeries,
                "series \(series) has \(count) labels, \(Self.over(limit, .labelsPerSeries))")
        case .nameTooLong(let name, let bytes, let limit):
            return RemoteWriteError(
                limit: .labelNameLength,
                "label name \(quoted(name)) is \(bytes) bytes long, \(Self.over(limit, .labelNameLength)), "
                    + "in series \(series)")
        case .valueTooLong(let name, let bytes, let limit):
            return RemoteWriteError(
                limit: .labelValueLength,
                "value of label \(quoted(name)) is \(bytes) bytes long, \(Self.over(limit, .labelValueLength)), "
                    + "in series \(series)")
        }
    }

    /// How every limit message ends: the allowed value and the config key that
    /// sets it, e.g. `over the limit of 30 (remote_write.max_labels_per_series)`.
    static func over(_ allowed: Int, _ limit: RemoteWriteLimits.Limit) -> String {
        "over the limit of \(allowed) (\(limit.configKey))"
    }

    private func quoted(_ text: String) -> String {
        "\"\(escapeLabelValue(SeriesDescription.truncated(text)))\""
    }
}

/// How error messages print a series: every label as sent, in order, values
/// escaped as in PromQL, e.g. `{__name__="up", job="node"}`.
enum SeriesDescription {
    /// Longer values are cut, so that a hostile sender cannot make the error
    /// body (and the log line quoting it) megabytes long.
    static let maxValueCharacters = 120
    /// Past this many labels the rest are elided for the same reason.
    static let maxLabels = 40

    static func format(_ labels: [(name: String, value: String)]) -> String {
        var parts = labels.prefix(maxLabels).map {
            "\(truncated($0.name))=\"\(escapeLabelValue(truncated($0.value)))\""
        }
        if labels.count > maxLabels { parts.append("… \(labels.count - maxLabels) more") }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    static func truncated(_ text: String) -> String {
        text.count <= maxValueCharacters ? text : String(text.prefix(maxValueCharacters)) + "…"
    }

    /// The labels of the `TimeSeries` in `reader`'s bounds, read leniently
    /// (stopping at the first malformed field) for an error message.
    static func labels(of reader: WireReader) -> [(name: String, value: String)] {
        var r = reader
        var out: [(name: String, value: String)] = []
        while !r.isAtEnd {
            guard let tag = try? r.readTag() else { break }
            guard tag == 0x0a else {
                if (try? r.skipField(tag: tag, depth: 2)) == nil { break }
                continue
            }
            guard let body = try? r.readLengthDelimited() else { break }
            var label = r.subReader(body)
            var name = ""
            var value = ""
            while !label.isAtEnd {
                guard let inner = try? label.readTag() else { break }
                if inner == 0x0a || inner == 0x12, let text = try? label.readLengthDelimited() {
                    let bytes = UnsafeRawBufferPointer(start: r.base + text.start, count: text.count)
                    let string = String(decoding: bytes, as: UTF8.self)
                    if inner == 0x0a { name = string } else { value = string }
                } else if (try? label.skipField(tag: inner, depth: 3)) == nil {
                    break
                }
            }
            out.append((name, value))
        }
        return out
    }
}
