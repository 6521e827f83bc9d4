import MeridianModel

extension Evaluator {
    /// Arithmetic and comparisons between two vectors: elements pair up by
    /// signature at each step, one-to-one unless `group_left`/`group_right`
    /// says which side may have several; Prometheus' errors when a side that
    /// must be unique is not.
    func vectorVector(_ b: BinaryExpr, _ lhs: StepVector, _ rhs: StepVector) throws(QueryError) -> StepVector {
        let matching = b.matching ?? VectorMatching(cardinality: .oneToOne)
        // The "many" side is iterated; group_right swaps the sides (values keep their order).
        let swapped = matching.cardinality == .oneToMany
        let many = swapped ? rhs : lhs
        let one = swapped ? lhs : rhs
        let manyKeys = many.series.map { matchSignature($0.labels, matching) }
        let oneKeys = one.series.map { matchSignature($0.labels, matching) }
        let manyIndex = try stepIndex(many)
        let oneIndex = try stepIndex(one)
        // Each point of the "many" side makes at most one output point.
        return try charging(atMost: many.pointCount) { () throws(QueryError) in
            try match(b, matching, many: many, manyKeys, manyIndex, one: one, oneKeys, oneIndex)
        }
    }

    /// The pairing of ``vectorVector(_:_:_:)``, step by step.
    private func match(
        _ b: BinaryExpr, _ matching: VectorMatching, many: StepVector, _ manyKeys: [Labels], _ manyIndex: StepIndex,
        one: StepVector, _ oneKeys: [Labels], _ oneIndex: StepIndex
    ) throws(QueryError) -> StepVector {
        let swapped = matching.cardinality == .oneToMany
        let dropName = BinaryArithmetic.dropsMetricName(b.op, returnBool: b.returnBool)
        var output = OutputSeries()
        var labelCache: [Int64: Labels] = [:]
        for step in 0..<stepCount {
            try progress(1 + oneIndex.entries[step].count + manyIndex.entries[step].count)
            var oneBySignature: [Labels: StepIndex.Entry] = [:]
            for e in oneIndex.entries[step] {
                let key = oneKeys[Int(e.series)]
                if let other = oneBySignature[key] {
                    let side = swapped ? "left" : "right"
                    throw QueryError(
                        .execution,
                        "found duplicate series for the match group \(key) on the \(side) hand-side of the operation: [\(one.series[Int(other.series)].labels), \(one.series[Int(e.series)].labels)];many-to-many matching not allowed: matching labels must be unique on one side"
                    )
                }
                oneBySignature[key] = e
            }
            var seenOneToOne = Set<Labels>()
            var seenGrouped = Set<Labels>()
            for e in manyIndex.entries[step] {
                let key = manyKeys[Int(e.series)]
                guard let match = oneBySignature[key] else { continue }
                if matching.cardinality == .oneToOne {
                    if !seenOneToOne.insert(key).inserted {
                        throw QueryError(
                            .execution,
                            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                    }
                }
                let (l, r) = swapped ? (match.v, e.v) : (e.v, match.v)
                var (value, keep) = BinaryArithmetic.apply(b.op, l, r)
                if b.returnBool {
                    value = keep ? 1 : 0
                } else if !keep {
                    continue
                }
                let pair = Int64(e.series) << 32 | Int64(match.series)
                let labels: Labels
                if let cached = labelCache[pair] {
                    labels = cached
                } else {
                    labels = resultLabels(
                        many.series[Int(e.series)].labels, one.series[Int(match.series)].labels, matching,
                        dropName: dropName)
                    labelCache[pair] = labels
                }
                if matching.cardinality != .oneToOne && !seenGrouped.insert(labels).inserted {
                    throw QueryError(.execution, "multiple matches for labels: grouping labels must ensure unique matches")
                }
                try output.add(labels, step: step, value: value)
            }
        }
        return output.vector
    }

    /// The labels of a result element: the many side's, without `__name__`
    /// for arithmetic; reduced to the `on` labels (or without the `ignoring`
    /// ones) for one-to-one; plus the `group_left`/`group_right` labels
    /// copied from the one side.
    private func resultLabels(_ many: Labels, _ one: Labels, _ matching: VectorMatching, dropName: Bool) -> Labels {
        var labels = dropName ? many.droppingMetricName() : many
        if matching.cardinality == .oneToOne {
            labels = Labels(
                sortedUnchecked: labels.filter { label in
                    matching.on ? matching.matchingLabels.contains(label.name) : !matching.matchingLabels.contains(label.name)
                })
        }
        guard !matching.include.isEmpty else { return labels }
        var dictionary = Dictionary(uniqueKeysWithValues: labels.map { ($0.name, $0.value) })
        for name in matching.include {
            if let value = one[name], !value.isEmpty { dictionary[name] = value } else { dictionary[name] = nil }
        }
        return Labels(dictionary)
    }
}

/// Builds a step vector point by point, one series per distinct label set;
/// two values for one label set at one step is Prometheus' duplicate error.
struct OutputSeries {
    private var index: [Labels: Int] = [:]
    private var series: [StepSeries] = []

    mutating func add(_ labels: Labels, step: Int, value: Double) throws(QueryError) {
        if let i = index[labels] {
            if series[i].points.last?.step == Int32(step) {
                throw QueryError(.execution, "vector cannot contain metrics with the same labelset")
            }
            series[i].points.append(StepPoint(step: Int32(step), v: value))
        } else {
            index[labels] = series.count
            series.append(StepSeries(labels: labels, points: [StepPoint(step: Int32(step), v: value)]))
        }
    }

    var vector: StepVector { StepVector(series) }
}
