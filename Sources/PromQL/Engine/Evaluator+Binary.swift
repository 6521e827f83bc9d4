import MeridianModel

extension Evaluator {
    func evalBinary(_ b: BinaryExpr) throws(QueryError) -> StepValue {
        let lhs = try eval(b.lhs)
        let rhs = try eval(b.rhs)
        switch (lhs, rhs) {
        case (.scalar(let l), .scalar(let r)):
            try take(stepCount)
            return .scalar(l.indices.map { i in
                let (value, keep) = BinaryArithmetic.apply(b.op, l[i], r[i])
                return b.op.isComparison ? (keep ? 1 : 0) : value
            })
        case (.vector(let v), .scalar(let s)):
            return .vector(try vectorScalar(b, v, s, scalarOnLeft: false))
        case (.scalar(let s), .vector(let v)):
            return .vector(try vectorScalar(b, v, s, scalarOnLeft: true))
        case (.vector(let l), .vector(let r)):
            if b.op.isSetOperator { return .vector(try setOperation(b, l, r)) }
            return .vector(try vectorVector(b, l, r))
        default:
            throw QueryError(.execution, "binary operation on \(b.lhs.type.rawValue) and \(b.rhs.type.rawValue)")
        }
    }

    /// `vector op scalar` and `scalar op vector`, point by point.
    private func vectorScalar(
        _ b: BinaryExpr, _ vector: StepVector, _ scalar: [Double], scalarOnLeft: Bool
    ) throws(QueryError) -> StepVector {
        let dropName = BinaryArithmetic.dropsMetricName(b.op, returnBool: b.returnBool)
        return try map(vector, dropName: dropName) { v, step in
            let other = scalar[step]
            var (value, keep) =
                scalarOnLeft ? BinaryArithmetic.apply(b.op, other, v) : BinaryArithmetic.apply(b.op, v, other)
            // A filtering comparison keeps the vector's value, on either side.
            if b.op.isComparison && scalarOnLeft { value = v }
            if b.returnBool { return keep ? 1 : 0 }
            return keep ? value : nil
        }
    }

    /// The key two series match on: the `on` labels, or every label but the
    /// `ignoring` ones and `__name__`.
    func matchSignature(_ labels: Labels, _ matching: VectorMatching?) -> Labels {
        let names = matching?.matchingLabels ?? []
        if matching?.on == true {
            return Labels(sortedUnchecked: labels.filter { names.contains($0.name) })
        }
        return Labels(sortedUnchecked: labels.filter { $0.name != metricNameLabel && !names.contains($0.name) })
    }

    /// `and`, `or`, `unless`: per step, by signature; the left side's labels
    /// and values are kept.
    private func setOperation(_ b: BinaryExpr, _ lhs: StepVector, _ rhs: StepVector) throws(QueryError) -> StepVector {
        let leftKeys = lhs.series.map { matchSignature($0.labels, b.matching) }
        let rightKeys = rhs.series.map { matchSignature($0.labels, b.matching) }
        let left = try stepIndex(lhs)
        let right = try stepIndex(rhs)
        return try charging(atMost: lhs.pointCount + rhs.pointCount) { () throws(QueryError) in
            try setOperation(b, lhs, rhs, left, right, leftKeys, rightKeys)
        }
    }

    private func setOperation(
        _ b: BinaryExpr, _ lhs: StepVector, _ rhs: StepVector, _ left: StepIndex, _ right: StepIndex,
        _ leftKeys: [Labels], _ rightKeys: [Labels]
    ) throws(QueryError) -> StepVector {
        var keep = lhs.series.map { StepSeries(labels: $0.labels, points: []) }
        var extra = rhs.series.map { StepSeries(labels: $0.labels, points: []) }
        for step in 0..<stepCount {
            try progress(1 + left.entries[step].count + right.entries[step].count)
            let rightHere = Set(right.entries[step].map { rightKeys[Int($0.series)] })
            switch b.op {
            case .and:
                for e in left.entries[step] where rightHere.contains(leftKeys[Int(e.series)]) {
                    keep[Int(e.series)].points.append(StepPoint(step: Int32(step), v: e.v))
                }
            case .unless:
                for e in left.entries[step] where !rightHere.contains(leftKeys[Int(e.series)]) {
                    keep[Int(e.series)].points.append(StepPoint(step: Int32(step), v: e.v))
                }
            default:  // or
                var leftHere = Set<Labels>()
                for e in left.entries[step] {
                    keep[Int(e.series)].points.append(StepPoint(step: Int32(step), v: e.v))
                    leftHere.insert(leftKeys[Int(e.series)])
                }
                for e in right.entries[step] where !leftHere.contains(rightKeys[Int(e.series)]) {
                    extra[Int(e.series)].points.append(StepPoint(step: Int32(step), v: e.v))
                }
            }
        }
        return try StepVector((keep + extra).filter { !$0.points.isEmpty }).mergingSameLabels()
    }
}

extension Evaluator {
    /// `vector` turned step-major, charged first: a list per step (counted
    /// as two points: its slot and its header) and an entry per point.
    func stepIndex(_ vector: StepVector) throws(QueryError) -> StepIndex {
        try take(2 * stepCount + vector.pointCount)
        return StepIndex(vector, stepCount: stepCount)
    }
}

/// A step vector turned step-major: for each step, the series with a value
/// there. For operations whose rules are per step (matching, `topk`).
struct StepIndex {
    struct Entry {
        var series: Int32
        var v: Double
    }

    var entries: [[Entry]]

    init(_ vector: StepVector, stepCount: Int) {
        entries = Array(repeating: [], count: stepCount)
        for (i, s) in vector.series.enumerated() {
            for p in s.points { entries[Int(p.step)].append(Entry(series: Int32(i), v: p.v)) }
        }
    }
}
