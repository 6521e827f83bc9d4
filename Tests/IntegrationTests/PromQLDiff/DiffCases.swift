import Foundation
import TestSupport

/// One query from a case file, named by file and line for the report.
struct DiffCase: Sendable {
    let query: String
    let file: String
    let line: Int
    /// Where it runs: every evaluation unless an `#evaluations:` line of its file says otherwise.
    var evaluations: [DiffEvaluation] = DiffEvaluation.all

    var location: String { "\(file):\(line)" }

    /// Reads every `*.promql` in `promql-cases/` next to this suite (one query
    /// a line; blank lines and `#` comments skipped), in file-name order.
    /// `#evaluations: on-sample full` runs the queries below it only at those
    /// evaluations (time-independent ones, such as parse errors); `#evaluations: all` resets.
    static func loadAll(directory: String = casesDirectory) throws -> [DiffCase] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".promql") }.sorted()
        var cases: [DiffCase] = []
        for file in files {
            let text = try String(contentsOfFile: (directory as NSString).appendingPathComponent(file), encoding: .utf8)
            var evaluations = DiffEvaluation.all
            for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("#evaluations:") {
                    evaluations = try DiffEvaluation.named(
                        line.dropFirst("#evaluations:".count), at: "\(file):\(index + 1)")
                    continue
                }
                if line.isEmpty || line.hasPrefix("#") { continue }
                cases.append(DiffCase(query: line, file: file, line: index + 1, evaluations: evaluations))
            }
        }
        return cases
    }

    /// `Tests/IntegrationTests/promql-cases`, found from this file (no SwiftPM resources).
    static var casesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("promql-cases").path
    }

    /// Whether the order of an instant vector is part of the answer: only for
    /// `sort` and `sort_desc` at the top (Prometheus 2.42 leaves every other
    /// instant vector in an unspecified order, and sorts range results by labels).
    var orderMatters: Bool {
        var q = Substring(query).trimmingCharacters(in: .whitespaces)[...]
        while q.hasPrefix("(") && q.hasSuffix(")") {
            q = q.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)[...]
        }
        return q.hasPrefix("sort(") || q.hasPrefix("sort_desc(")
    }
}

/// Where a query is evaluated: an instant query at `time`, or a range query.
struct DiffEvaluation: Sendable {
    let name: String
    /// The API parameters other than the case's own text.
    let parameters: [(String, String)]
    let isRange: Bool
    let path: String
    /// The parameter that carries the case's text: `query`, or `match[]` for
    /// the series and label endpoints.
    let caseParameter: String

    init(name: String, parameters: [(String, String)], isRange: Bool) {
        self.init(
            name: name, parameters: parameters, isRange: isRange,
            path: isRange ? "/api/v1/query_range" : "/api/v1/query", caseParameter: "query")
    }

    private init(name: String, parameters: [(String, String)], isRange: Bool, path: String, caseParameter: String) {
        self.name = name
        self.parameters = parameters
        self.isRange = isRange
        self.path = path
        self.caseParameter = caseParameter
    }

    /// `match[]=<case>` on a series or label endpoint, over the whole data.
    static func matching(_ name: String, path: String) -> DiffEvaluation {
        DiffEvaluation(
            name: name, parameters: [("start", seconds(-60)), ("end", seconds(7200))], isRange: false, path: path,
            caseParameter: "match[]")
    }
    var summary: String { "\(name) (" + parameters.map { "\($0)=\($1)" }.joined(separator: " ") + ")" }

    static func instant(_ name: String, _ offsetSeconds: Double) -> DiffEvaluation {
        DiffEvaluation(name: name, parameters: [("time", seconds(offsetSeconds))], isRange: false)
    }

    static func range(_ name: String, _ from: Double, _ to: Double, step: String) -> DiffEvaluation {
        DiffEvaluation(
            name: name, parameters: [("start", seconds(from)), ("end", seconds(to)), ("step", step)], isRange: true)
    }

    /// The evaluations listed by name (space-separated), or all of them for `all`.
    static func named(_ list: Substring, at location: String) throws -> [DiffEvaluation] {
        let names = list.split(separator: " ").map(String.init)
        if names == ["all"] { return all }
        return try names.map { name in
            guard let evaluation = (all + selectorEndpoints).first(where: { $0.name == name }) else {
                throw TestFailure("\(location): no evaluation named \(name)")
            }
            return evaluation
        }
    }

    /// Absolute Unix seconds for an offset from the data's start, with ms precision.
    private static func seconds(_ offset: Double) -> String {
        let ms = DiffDataSet.start + Int64((offset * 1000).rounded())
        return String(format: "%lld.%03lld", ms / 1000, ms % 1000)
    }

    /// The instant times (offsets in seconds from the data's start) and ranges
    /// every case runs at, and what each one lands on.
    static let all: [DiffEvaluation] = [
        .instant("start+90s", 90),  // windows reaching before the first sample
        .instant("on-sample", 1800),  // exactly on a sample of the aligned api targets
        .instant("between", 2827.5),  // between two samples
        .instant("in-gap", 3903.123),  // flappy idx 0 back, idx 1-2 stale; gappy gone past the lookback
        .instant("last-sample", 7185),
        .instant("end+3m", 7380),  // inside the lookback after the data
        .instant("end+6m", 7560),  // past it: every series gone
        .range("full", 0, 7200, step: "60"),
        .range("unaligned", 17.3, 6793.7, step: "47"),
        .range("tail", 6600, 7680, step: "30s"),
        .range("stale-zone", 3240, 4500, step: "15"),
        .range("coarse", 180, 7200, step: "10m"),
    ]

    /// The endpoints that take series selectors in `match[]`, for cases that
    /// name them in `#evaluations:`.
    static let selectorEndpoints: [DiffEvaluation] = [
        .matching("series", path: "/api/v1/series"),
        .matching("labels", path: "/api/v1/labels"),
        .matching("job-values", path: "/api/v1/label/job/values"),
    ]
}
