import Foundation
import TestSupport

/// Runs every (case, evaluation) pair against both servers, a few at a time,
/// and collects every disagreement (a run never stops at the first).
struct DiffRunner {
    /// One disagreement.
    struct Mismatch: Sendable {
        let diffCase: DiffCase
        let evaluation: DiffEvaluation
        let detail: String
    }

    /// What a run found.
    struct Report: Sendable {
        var mismatches: [Mismatch] = []
        var evaluations = 0
        /// Cases whose oracle answer was empty, or an error, at every evaluation.
        var alwaysEmpty: [DiffCase] = []
        var alwaysError: [DiffCase] = []

        var failingCases: Int { Set(mismatches.map(\.diffCase.location)).count }
    }

    let oracleURL: String
    let candidateURL: String
    /// Requests in flight per server; two Prometheus processes share two cores.
    var concurrency = 6
    /// Parse and compare even byte-identical answers (`MERIDIAN_PROMQL_DIFF_FULL_COMPARE=1`),
    /// to check the comparator itself on every real answer.
    var compareIdenticalAnswers = ProcessInfo.processInfo.environment["MERIDIAN_PROMQL_DIFF_FULL_COMPARE"] != nil

    func run(_ cases: [(DiffCase, [DiffEvaluation])]) async -> Report {
        let jobs = cases.enumerated().flatMap { index, entry in entry.1.map { (index, entry.0, $0) } }
        var results = [[(DiffEvaluation, Shape, String?)]](repeating: [], count: cases.count)
        await withTaskGroup(of: (Int, DiffEvaluation, Shape, String?).self) { group in
            var next = 0
            func submit() {
                guard next < jobs.count else { return }
                let (index, diffCase, evaluation) = jobs[next]
                next += 1
                group.addTask { await evaluate(diffCase, evaluation, index) }
            }
            for _ in 0..<concurrency { submit() }
            while let (index, evaluation, oracle, detail) = await group.next() {
                results[index].append((evaluation, oracle, detail))
                submit()
            }
        }
        var report = Report()
        for (index, (diffCase, evaluations)) in cases.enumerated() {
            let outcomes = results[index]
            report.evaluations += outcomes.count
            // Report in the plan's order, not completion order.
            for evaluation in evaluations {
                if let detail = outcomes.first(where: { $0.0.name == evaluation.name })?.2 {
                    report.mismatches.append(Mismatch(diffCase: diffCase, evaluation: evaluation, detail: detail))
                }
            }
            if outcomes.allSatisfy({ $0.1 == .empty }) { report.alwaysEmpty.append(diffCase) }
            if outcomes.allSatisfy({ $0.1 == .error }) { report.alwaysError.append(diffCase) }
        }
        return report
    }

    /// What the oracle answered, roughly: to find cases that test little (always empty, always an error).
    enum Shape: Sendable { case empty, error, other }

    private func evaluate(_ diffCase: DiffCase, _ evaluation: DiffEvaluation, _ index: Int) async
        -> (Int, DiffEvaluation, Shape, String?)
    {
        let parameters =
            (diffCase.query.isEmpty ? [] : [(evaluation.caseParameter, diffCase.query)]) + evaluation.parameters
        async let oracle = Self.fetch(oracleURL + evaluation.path, parameters)
        async let candidate = Self.fetch(candidateURL + evaluation.path, parameters)
        let (o, c) = await (oracle, candidate)
        let shape = Self.shape(o)
        // Byte-identical answers agree; parsing JSON is most of the client's cost, so skip it.
        if !compareIdenticalAnswers, case .response(let a) = o, case .response(let b) = c, a.status == b.status,
            a.body == b.body
        {
            return (index, evaluation, shape, nil)
        }
        let ordered = diffCase.orderMatters && !evaluation.isRange
        let detail = OutcomeComparator.diff(oracle: QueryOutcome(o), candidate: QueryOutcome(c), orderMatters: ordered)
        return (index, evaluation, shape, detail)
    }

    private static func shape(_ fetched: QueryOutcome.Fetched) -> Shape {
        guard case .response(let response) = fetched else { return .error }
        if response.body.range(of: Data(#""status":"error""#.utf8)) != nil { return .error }
        return response.body.range(of: Data(#""result":[]"#.utf8)) != nil ? .empty : .other
    }

    private static func fetch(_ url: String, _ parameters: [(String, String)]) async -> QueryOutcome.Fetched {
        do {
            return .response(try await TestHTTP.get(url, parameters))
        } catch {
            return .transportError("\(error)")
        }
    }
}

extension DiffRunner.Report {
    /// Every failing query with up to three of its failing evaluations.
    func describeFailures() -> String {
        var byCase: [(DiffCase, [DiffRunner.Mismatch])] = []
        for mismatch in mismatches {
            if let last = byCase.indices.last, byCase[last].0.location == mismatch.diffCase.location {
                byCase[last].1.append(mismatch)
            } else {
                byCase.append((mismatch.diffCase, [mismatch]))
            }
        }
        var lines = ["\(byCase.count) queries differ (\(mismatches.count) of \(evaluations) evaluations):"]
        for (diffCase, list) in byCase {
            lines.append("FAIL \(diffCase.location)  \(diffCase.query)")
            for mismatch in list.prefix(3) { lines.append("    \(mismatch.evaluation.summary): \(mismatch.detail)") }
            if list.count > 3 {
                lines.append(
                    "    … and \(list.count - 3) more: "
                        + list.dropFirst(3).map(\.evaluation.name).joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
