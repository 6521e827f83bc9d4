import Foundation
import MeridianModel

extension Evaluator {
    func evalAggregate(_ a: AggregateExpr) throws(QueryError) -> StepValue {
        var input = try evalVector(a.expr)
        var grouping = a.grouping
        if a.op == .countValues {
            guard case .string(let name)? = try a.param.map({ (p) throws(QueryError) in try eval(p) }) else {
                throw QueryError(.execution, "count_values needs a label name")
            }
            guard NameValidation.isValidLabelName(name) else { throw QueryError(.execution, "invalid label name \"\(name)\"") }
            if !a.without { grouping.append(name) }
            // Every point moves to a series of its own value's label set.
            try take(input.pointCount)
            input = Self.labellingValues(input, as: name)
        }
        let parameter = try a.param.flatMap { (p) throws(QueryError) -> [Double]? in
            a.op == .countValues ? nil : try evalScalar(p)
        }
        // Each series' group, found once.
        var groups: [Labels: Int] = [:]
        var groupLabels: [Labels] = []
        var groupOf: [Int] = []
        groupOf.reserveCapacity(input.series.count)
        for s in input.series {
            let key = groupingLabels(s.labels, grouping, without: a.without)
            if let g = groups[key] {
                groupOf.append(g)
            } else {
                groups[key] = groupLabels.count
                groupOf.append(groupLabels.count)
                groupLabels.append(key)
            }
        }
        switch a.op {
        case .topk, .bottomk:
            let index = try stepIndex(input)
            return .vector(try charging(atMost: input.pointCount) { () throws(QueryError) in
                try selectK(input, index, groupOf: groupOf, groupCount: groupLabels.count, k: parameter!, top: a.op == .topk)
            })
        case .quantile:
            let index = try stepIndex(input)
            return .vector(try charging(atMost: groupLabels.count * stepCount) { () throws(QueryError) in
                try quantiles(input, index, groupOf: groupOf, groupLabels: groupLabels, q: parameter!)
            })
        default:
            // A running accumulator per group and step (up to three words each).
            try take(2 * groupLabels.count * stepCount)
            return .vector(try charging(atMost: groupLabels.count * stepCount) { () throws(QueryError) in
                try accumulate(a.op, input, groupOf: groupOf, groupLabels: groupLabels)
            })
        }
    }

    /// The labels a series is grouped by: the `by` labels it has, or all but
    /// the `without` labels and `__name__`.
    func groupingLabels(_ labels: Labels, _ names: [String], without: Bool) -> Labels {
        if without {
            return Labels(sortedUnchecked: labels.filter { $0.name != metricNameLabel && !names.contains($0.name) })
        }
        return Labels(sortedUnchecked: labels.filter { names.contains($0.name) })
    }

    /// `count_values`: each point's value becomes a label, so one series
    /// splits into one per distinct value.
    private static func labellingValues(_ input: StepVector, as name: String) -> StepVector {
        var output = [Labels: Int]()
        var series: [StepSeries] = []
        for s in input.series {
            for p in s.points {
                var dictionary = Dictionary(uniqueKeysWithValues: s.labels.map { ($0.name, $0.value) })
                dictionary[name] = Aggregation.countValuesLabel(p.v)
                let labels = Labels(dictionary)
                if let i = output[labels] {
                    series[i].points.append(p)
                } else {
                    output[labels] = series.count
                    series.append(StepSeries(labels: labels, points: [p]))
                }
            }
        }
        for i in series.indices { series[i].points.sort { $0.step < $1.step } }
        return StepVector(series)
    }

    /// `sum min max avg group stddev stdvar count count_values`: one running
    /// accumulator per group and step, fed series by series.
    private func accumulate(
        _ op: AggregateOp, _ input: StepVector, groupOf: [Int], groupLabels: [Labels]
    ) throws(QueryError) -> StepVector {
        var accumulators = Array(repeating: [Accumulator?](repeating: nil, count: stepCount), count: groupLabels.count)
        for (i, s) in input.series.enumerated() {
            try progress(1 + s.points.count)
            let g = groupOf[i]
            for p in s.points {
                let step = Int(p.step)
                if accumulators[g][step] == nil {
                    accumulators[g][step] = Accumulator(op, first: p.v)
                } else {
                    accumulators[g][step]!.add(p.v, op)
                }
            }
        }
        var out: [StepSeries] = []
        for (g, labels) in groupLabels.enumerated() {
            try progress(stepCount)
            var points: [StepPoint] = []
            for step in 0..<stepCount {
                if let acc = accumulators[g][step] { points.append(StepPoint(step: Int32(step), v: acc.result(op))) }
            }
            if !points.isEmpty { out.append(StepSeries(labels: labels, points: points)) }
        }
        return StepVector(out)
    }

    /// `topk` and `bottomk`: per step and group, the k largest (smallest)
    /// elements, with their own labels. NaN ranks below every number for
    /// `topk` and above for `bottomk`, as in Prometheus.
    private func selectK(
        _ input: StepVector, _ index: StepIndex, groupOf: [Int], groupCount: Int, k: [Double], top: Bool
    ) throws(QueryError) -> StepVector {
        var kept = input.series.map { StepSeries(labels: $0.labels, points: []) }
        for step in 0..<stepCount {
            try progress(1 + index.entries[step].count)
            // Prometheus converts k to int64 and fails where that is impossible.
            guard k[step].isFinite, abs(k[step]) < 9.2e18 else {
                throw QueryError(.execution, "Scalar value \(GoFloatFormat.shortest(k[step])) overflows int64")
            }
            let want = Int(k[step])
            guard want >= 1 else { continue }
            var byGroup = Array(repeating: [StepIndex.Entry](), count: groupCount)
            for e in index.entries[step] { byGroup[groupOf[Int(e.series)]].append(e) }
            for entries in byGroup where !entries.isEmpty {
                let ranked = entries.sorted { a, b in
                    if a.v.isNaN { return false }
                    if b.v.isNaN { return true }
                    return top ? a.v > b.v : a.v < b.v
                }
                for e in ranked.prefix(want) {
                    kept[Int(e.series)].points.append(StepPoint(step: Int32(step), v: e.v))
                }
            }
        }
        return StepVector(kept.filter { !$0.points.isEmpty })
    }

    /// `quantile`: per step and group, the φ-quantile of the values.
    private func quantiles(
        _ input: StepVector, _ index: StepIndex, groupOf: [Int], groupLabels: [Labels], q: [Double]
    ) throws(QueryError) -> StepVector {
        var out = groupLabels.map { StepSeries(labels: $0, points: []) }
        for step in 0..<stepCount {
            try progress(1 + index.entries[step].count)
            var byGroup = Array(repeating: [Double](), count: groupLabels.count)
            for e in index.entries[step] { byGroup[groupOf[Int(e.series)]].append(e.v) }
            for (g, values) in byGroup.enumerated() where !values.isEmpty {
                out[g].points.append(StepPoint(step: Int32(step), v: Quantile.quantile(q[step], of: values)))
            }
        }
        return StepVector(out.filter { !$0.points.isEmpty })
    }
}

/// The running state of one group at one step, with Prometheus 2.42's
/// arithmetic (plain sums, the incremental mean, Welford's variance).
enum Accumulator {
    case value(Double)
    case count(Double)
    case mean(MeanAccumulator)
    case variance(VarianceAccumulator)

    init(_ op: AggregateOp, first v: Double) {
        switch op {
        case .avg: self = .mean(MeanAccumulator(first: v))
        case .stddev, .stdvar: self = .variance(VarianceAccumulator(first: v))
        case .count, .countValues, .group: self = .count(1)
        default: self = .value(v)
        }
    }

    mutating func add(_ v: Double, _ op: AggregateOp) {
        switch self {
        case .value(let current):
            switch op {
            case .max: self = .value(Aggregation.max(current, v))
            case .min: self = .value(Aggregation.min(current, v))
            default: self = .value(current + v)
            }
        case .count(let n):
            self = .count(n + 1)
        case .mean(var mean):
            mean.add(v)
            self = .mean(mean)
        case .variance(var variance):
            variance.add(v)
            self = .variance(variance)
        }
    }

    func result(_ op: AggregateOp) -> Double {
        switch self {
        case .value(let v): return v
        case .count(let n): return op == .group ? 1 : n
        case .mean(let mean): return mean.mean
        case .variance(let variance): return op == .stddev ? variance.standardDeviation : variance.variance
        }
    }
}
