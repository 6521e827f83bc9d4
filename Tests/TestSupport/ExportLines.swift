import Foundation
import MeridianModel

/// Parses `/api/v1/export` output back into series and samples, exactly:
/// values are read with Swift's correctly rounded `Double(String)`, and the
/// strings `"NaN"`, `"+Inf"`, `"-Inf"`, `"StaleNaN"` map to their bit patterns.
public enum ExportLines {
    /// Every line of an export body as (labels, samples).
    public static func parse(_ body: Data) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") where !line.isEmpty {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let metric = object["metric"] as? [String: String]
            else { throw TestFailure("bad export line: \(line)") }
            let values = try rawArray(named: "values", in: line).map(parseValue)
            let timestamps = try rawArray(named: "timestamps", in: line).map { token -> Timestamp in
                guard let t = Timestamp(token) else { throw TestFailure("bad timestamp \(token)") }
                return t
            }
            guard values.count == timestamps.count else { throw TestFailure("values/timestamps differ: \(line)") }
            out[Labels(metric)] = zip(timestamps, values).map { Sample(t: $0, v: $1) }
        }
        return out
    }

    /// The raw comma-separated tokens of `"name":[…]` (values hold no commas or brackets).
    private static func rawArray(named name: String, in line: Substring) throws -> [String] {
        guard let start = line.range(of: "\"\(name)\":[") else { throw TestFailure("no \(name) in \(line)") }
        guard let end = line[start.upperBound...].firstIndex(of: "]") else { throw TestFailure("unterminated \(name)") }
        let inner = line[start.upperBound..<end]
        return inner.isEmpty ? [] : inner.split(separator: ",").map(String.init)
    }

    private static func parseValue(_ token: String) throws -> Double {
        switch token {
        case "\"NaN\"": return .nan
        case "\"+Inf\"": return .infinity
        case "\"-Inf\"": return -.infinity
        case "\"StaleNaN\"": return StaleMarker.value
        default:
            guard let v = Double(token) else { throw TestFailure("bad value \(token)") }
            return v
        }
    }
}
