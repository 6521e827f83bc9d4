import Foundation

/// Compares a candidate's answer with the oracle's (Prometheus 2.42) and says
/// how they differ, compactly: nil when they agree.
///
/// Agreement means: the same HTTP status and `status`; for errors the same
/// `errorType`, and for `bad_data` (parse and parameter errors) the same text;
/// for `execution` errors the same text once label sets in `{…}` and series
/// lists in `[…]` are blanked (Prometheus names the colliding series in an
/// order that depends on its maps). For results: the same `resultType`, the
/// same label sets (each once), the same timestamps, and values within 1e-9
/// relative (NaN == NaN, ±Inf exact, and bit-equal values written alike).
/// Differences below 1e-12 also pass: where Prometheus cancels to 0 (an
/// average that is 0, say), another summation order leaves 1e-17, and no
/// value in the data set is that small.
/// The order of series counts only when ``DiffCase/orderMatters``, and then as
/// the sequence of values, because Prometheus' sort is not stable on ties.
enum OutcomeComparator {
    static let relativeTolerance = 1e-9
    static let absoluteTolerance = 1e-12
    static let maxDetails = 3

    static func diff(oracle: QueryOutcome, candidate: QueryOutcome, orderMatters: Bool) -> String? {
        var details: [String] = []
        if oracle.httpStatus != candidate.httpStatus {
            details.append("HTTP \(oracle.httpStatus) vs \(candidate.httpStatus)")
        }
        switch (oracle.body, candidate.body) {
        case (.error(let oType, let oText), .error(let cType, let cText)):
            if oType != cType { details.append("errorType \(oType) vs \(cType)") }
            let same = oType == "bad_data" ? oText == cText : blanked(oText) == blanked(cText)
            if !same { details.append("error \(quote(oText)) vs \(quote(cText))") }
        case (.success(let oType, let oSeries), .success(let cType, let cSeries)):
            if oType != cType {
                details.append("resultType \(oType) vs \(cType)")
            } else {
                details += compareSeries(oSeries, cSeries, ordered: orderMatters && oType == "vector")
            }
        default:
            details.append("\(describe(oracle.body)) vs \(describe(candidate.body))")
        }
        if details.isEmpty { return nil }
        let shown = details.prefix(maxDetails).joined(separator: "; ")
        return details.count > maxDetails ? shown + "; … \(details.count - maxDetails) more" : shown
    }

    private static func compareSeries(
        _ oracle: [QueryOutcome.Series], _ candidate: [QueryOutcome.Series], ordered: Bool
    ) -> [String] {
        var details: [String] = []
        let oIndex = Dictionary(oracle.map { ($0.labels, $0) }) { first, _ in first }
        var cIndex: [[String: String]: QueryOutcome.Series] = [:]
        for series in candidate {
            if cIndex.updateValue(series, forKey: series.labels) != nil {
                details.append("candidate returns \(series.labelText) twice")
            }
        }
        let onlyOracle = oracle.filter { cIndex[$0.labels] == nil }.map(\.labelText).sorted()
        let onlyCandidate = candidate.filter { oIndex[$0.labels] == nil }.map(\.labelText).sorted()
        if !onlyOracle.isEmpty || !onlyCandidate.isEmpty {
            details.append(
                "series \(oracle.count) vs \(candidate.count): only oracle \(sample(onlyOracle)), only candidate \(sample(onlyCandidate))"
            )
        }
        for series in oracle.sorted(by: { $0.labelText < $1.labelText }) {
            guard let other = cIndex[series.labels] else { continue }
            if let point = comparePoints(series.points, other.points) { details.append("\(series.labelText) \(point)") }
        }
        if ordered && details.isEmpty {
            let oValues = oracle.map { $0.points.first?.value ?? "" }
            let cValues = candidate.map { $0.points.first?.value ?? "" }
            if let i = oValues.indices.first(where: { !valuesEqual(oValues[$0], cValues[$0]) }) {
                details.append(
                    "order differs at position \(i): \(oValues[i]) (\(oracle[i].labelText)) vs \(cValues[i]) (\(candidate[i].labelText))"
                )
            }
        }
        return details
    }

    private static func comparePoints(_ oracle: [QueryOutcome.Point], _ candidate: [QueryOutcome.Point]) -> String? {
        if oracle.map(\.t) != candidate.map(\.t) {
            let o = Set(oracle.map(\.t)), c = Set(candidate.map(\.t))
            let firstO = o.subtracting(c).min().map { " e.g. t=\(seconds($0)) only in oracle" } ?? ""
            let firstC = c.subtracting(o).min().map { " e.g. t=\(seconds($0)) only in candidate" } ?? ""
            return "timestamps differ (\(oracle.count) vs \(candidate.count) points)\(firstO)\(firstC)"
        }
        for (o, c) in zip(oracle, candidate) where !valuesEqual(o.value, c.value) {
            return "@\(seconds(o.t)): \(o.value) vs \(c.value)"
        }
        return nil
    }

    /// NaN == NaN; "+Inf", "-Inf" and "NaN" must be written exactly so; finite
    /// values within the tolerance, and written alike when they are bit-equal.
    /// The one exception is the sign of zero: where it comes from the order in
    /// which a sort leaves equal elements (`quantile` over `0` and `-0`), Go's
    /// unstable sort decides it, and no client can rely on it.
    static func valuesEqual(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = number(a), let y = number(b), x.isFinite, y.isFinite else { return false }
        if x == 0 && y == 0 { return true }
        if x == y { return false }  // the same value written differently
        return abs(x - y) <= max(absoluteTolerance, relativeTolerance * max(abs(x), abs(y)))
    }

    private static func number(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }

    /// The error text with `{…}` and `[…]` contents blanked.
    static func blanked(_ text: String) -> String {
        var out = "", depth = 0
        for ch in text {
            if ch == "{" || ch == "[" {
                if depth == 0 { out.append(ch) }
                depth += 1
            } else if (ch == "}" || ch == "]") && depth > 0 {
                depth -= 1
                if depth == 0 { out.append(ch) }
            } else if depth == 0 {
                out.append(ch)
            }
        }
        return out
    }

    private static func describe(_ body: QueryOutcome.Body) -> String {
        switch body {
        case .success(let type, let series): "success \(type) (\(series.count) series)"
        case .error(let type, let text): "error \(type) \(quote(text))"
        case .malformed(let why): "malformed answer: \(why)"
        }
    }

    private static func sample(_ labels: [String]) -> String {
        labels.isEmpty ? "none" : "\(labels.count) (e.g. \(labels[0].prefix(160)))"
    }

    private static func quote(_ text: String) -> String { "\"\(text.prefix(240))\"" }

    private static func seconds(_ ms: Int64) -> String { String(format: "%lld.%03lld", ms / 1000, ms % 1000) }
}
