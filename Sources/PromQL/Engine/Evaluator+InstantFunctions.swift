import MeridianModel

extension Evaluator {
    /// Functions of instant vectors: element-wise math, clamping, rounding,
    /// dates, label rewriting and `histogram_quantile`.
    func evalInstantFunction(_ call: Call) throws(QueryError) -> StepVector {
        let name = call.function.name
        if let math = MathFunction(name: name) {
            return try map(try evalVector(call.args[0]), dropName: true) { v, _ in math(v) }
        }
        if let date = DateFunction(name: name) {
            guard let argument = call.args.first else {
                // `hour()` means `hour(vector(time()))`.
                try take(stepCount)
                let points = (0..<stepCount).map { StepPoint(step: Int32($0), v: date(Double(time($0)) / 1000)) }
                return StepVector([StepSeries(labels: .empty, points: points)])
            }
            return try map(try evalVector(argument), dropName: true) { v, _ in date(v) }
        }
        switch name {
        case "round":
            let vector = try evalVector(call.args[0])
            let nearest = try call.args.count > 1 ? evalScalar(call.args[1]) : evalScalar(.number(1, call.position))
            return try map(vector, dropName: true) { v, step in
                MathFunctions.round(v, toNearest: nearest[step])
            }
        case "clamp":
            let vector = try evalVector(call.args[0])
            let (low, high) = (try evalScalar(call.args[1]), try evalScalar(call.args[2]))
            return try map(vector, dropName: true) { v, step in
                MathFunctions.clamp(v, min: low[step], max: high[step])
            }
        case "clamp_min":
            let vector = try evalVector(call.args[0])
            let low = try evalScalar(call.args[1])
            return try map(vector, dropName: true) { v, step in MathFunctions.clampMin(v, min: low[step]) }
        case "clamp_max":
            let vector = try evalVector(call.args[0])
            let high = try evalScalar(call.args[1])
            return try map(vector, dropName: true) { v, step in MathFunctions.clampMax(v, max: high[step]) }
        case "label_replace":
            let strings = try call.args.dropFirst().map { (e) throws(QueryError) in try evalString(e) }
            let rewrite: LabelReplace
            do {
                rewrite = try LabelReplace(destination: strings[0], replacement: strings[1], source: strings[2], regex: strings[3])
            } catch {
                throw QueryError(.execution, error.message)
            }
            return try relabel(try evalVector(call.args[0]), rewrite.apply)
        case "label_join":
            let strings = try call.args.dropFirst().map { (e) throws(QueryError) in try evalString(e) }
            let join: LabelJoin
            do {
                join = try LabelJoin(destination: strings[0], separator: strings[1], sources: Array(strings.dropFirst(2)))
            } catch {
                throw QueryError(.execution, error.message)
            }
            return try relabel(try evalVector(call.args[0]), join.apply)
        case "histogram_quantile":
            return try histogramQuantile(q: try evalScalar(call.args[0]), try evalVector(call.args[1]))
        default:
            throw QueryError(.execution, "function \(name) is not implemented")
        }
    }

    /// Evaluates a string argument (a literal, possibly in parentheses).
    func evalString(_ expr: Expr) throws(QueryError) -> String {
        guard case .string(let s) = try eval(expr) else {
            throw QueryError(.execution, "expected a string, got \(expr.type.rawValue)")
        }
        return s
    }

    /// Rewrites every series' labels (values unchanged, `__name__` kept unless rewritten).
    private func relabel(_ vector: StepVector, _ rewrite: (Labels) -> Labels) throws(QueryError) -> StepVector {
        try StepVector(vector.series.map { StepSeries(labels: rewrite($0.labels), points: $0.points) }).mergingSameLabels()
    }

    /// `histogram_quantile(q, buckets)`: per step, the buckets grouped by
    /// their labels without `le`, each group's quantile.
    private func histogramQuantile(q: [Double], _ vector: StepVector) throws(QueryError) -> StepVector {
        let index = try stepIndex(vector)
        return try charging(atMost: vector.pointCount) { () throws(QueryError) in
            var output = OutputSeries()
            for step in 0..<stepCount where !index.entries[step].isEmpty {
                try progress(1 + index.entries[step].count)
                let elements = index.entries[step].map {
                    LabeledValue(labels: vector.series[Int($0.series)].labels, value: $0.v)
                }
                for result in HistogramQuantile.evaluate(q[step], elements) {
                    try output.add(result.labels, step: step, value: result.value)
                }
            }
            return output.vector
        }
    }
}
