import MeridianModel

extension Evaluator {
    func evalCall(_ call: Call) throws(QueryError) -> StepValue {
        let name = call.function.name
        if call.function.argTypes.contains(.matrix) {
            return .vector(try evalRangeCall(call))
        }
        switch name {
        case "time":
            try take(stepCount)
            return .scalar((0..<stepCount).map { Double(time($0)) / 1000 })
        case "pi":
            try take(stepCount)
            return .scalar(Array(repeating: Double.pi, count: stepCount))
        case "vector":
            let values = try evalScalar(call.args[0])
            try take(stepCount)
            let points = values.indices.map { StepPoint(step: Int32($0), v: values[$0]) }
            return .vector(StepVector([StepSeries(labels: .empty, points: points)]))
        case "scalar":
            let vector = try evalVector(call.args[0])
            // The values, the counts and the result.
            try take(3 * stepCount)
            return .scalar(scalarOf(vector))
        case "absent":
            let vector = try evalVector(call.args[0])
            try take(stepCount)
            return .vector(try absentVector(vector.stepsPresent(count: stepCount), call.args[0]))
        case "sort", "sort_desc":
            let vector = try evalVector(call.args[0])
            // The sort's scratch space, at most the series themselves.
            try take(vector.series.count)
            return .vector(sorted(vector, descending: name == "sort_desc"))
        case "timestamp":
            return .vector(try timestamps(call.args[0]))
        default:
            return .vector(try evalInstantFunction(call))
        }
    }

    /// `scalar(v)`: the value of the only element at each step, NaN unless there is exactly one.
    private func scalarOf(_ vector: StepVector) -> [Double] {
        var values = Array(repeating: Double.nan, count: stepCount)
        var counts = Array(repeating: 0, count: stepCount)
        for s in vector.series {
            for p in s.points {
                counts[Int(p.step)] += 1
                values[Int(p.step)] = p.v
            }
        }
        return values.indices.map { counts[$0] == 1 ? values[$0] : .nan }
    }

    /// `sort`/`sort_desc`: orders an instant query's elements by value, NaN
    /// last either way; a range query's result is sorted by labels anyway.
    private func sorted(_ vector: StepVector, descending: Bool) -> StepVector {
        guard stepCount == 1 else { return vector }
        var series = vector.series
        let order = descending ? Aggregation.descendingNaNLast : Aggregation.ascendingNaNLast
        series.sort { order($0.points[0].v, $1.points[0].v) }
        return StepVector(series)
    }

    /// `timestamp(v)`: a selector's samples' own times, or else the step
    /// times, in seconds; `__name__` dropped.
    private func timestamps(_ argument: Expr) throws(QueryError) -> StepVector {
        var inner = argument
        while case .paren(let e, _) = inner { inner = e }
        var vector: StepVector
        if case .vectorSelector(let selector) = inner {
            vector = try selectVector(selector, sampleTimes: true)
        } else {
            vector = try evalVector(argument)
            for i in vector.series.indices {
                for j in vector.series[i].points.indices {
                    vector.series[i].points[j].v = Double(time(Int(vector.series[i].points[j].step))) / 1000
                }
            }
        }
        for i in vector.series.indices { vector.series[i].labels = vector.series[i].labels.droppingMetricName() }
        return try vector.mergingSameLabels()
    }

    /// Range-vector functions: one window per series and step.
    private func evalRangeCall(_ call: Call) throws(QueryError) -> StepVector {
        let name = call.function.name
        let matrixArgument = call.function.argTypes.firstIndex(of: .matrix)!
        if name == "absent_over_time" { return try absentOverTime(call.args[0]) }
        var scalars: [[Double]] = []
        for (i, argument) in call.args.enumerated() where i != matrixArgument {
            scalars.append(try evalScalar(argument))
        }
        let input = try rangeInput(call.args[matrixArgument])
        var scratch: [Double] = []
        if name == "rate" || name == "increase" {
            // The series' resets are found once, not once per window.
            let isRate = name == "rate"
            var resets: [Int] = []
            return try slideWindows(input, keepName: false, eachSeries: { resets = RangeFunctions.resetPositions($0) }) {
                w, start, end, _ in
                RangeFunctions.extrapolatedRate(
                    w, rangeStart: start, rangeEnd: end, isCounter: true, isRate: isRate, resets: resets)
            }
        }
        let function: (ArraySlice<Sample>, Int64, Int64, Int) throws(QueryError) -> Double?
        switch name {
        case "delta": function = { w, start, end, _ in RangeFunctions.delta(w, rangeStart: start, rangeEnd: end) }
        case "irate": function = { w, _, _, _ in RangeFunctions.irate(w) }
        case "idelta": function = { w, _, _, _ in RangeFunctions.idelta(w) }
        case "deriv": function = { w, _, _, _ in RangeFunctions.deriv(w) }
        case "changes": function = { w, _, _, _ in RangeFunctions.changes(w) }
        case "resets": function = { w, _, _, _ in RangeFunctions.resets(w) }
        case "avg_over_time": function = { w, _, _, _ in RangeFunctions.avgOverTime(w) }
        case "sum_over_time": function = { w, _, _, _ in RangeFunctions.sumOverTime(w) }
        case "count_over_time": function = { w, _, _, _ in RangeFunctions.countOverTime(w) }
        case "min_over_time": function = { w, _, _, _ in RangeFunctions.minOverTime(w) }
        case "max_over_time": function = { w, _, _, _ in RangeFunctions.maxOverTime(w) }
        case "last_over_time": function = { w, _, _, _ in RangeFunctions.lastOverTime(w) }
        case "present_over_time": function = { w, _, _, _ in RangeFunctions.presentOverTime(w) }
        case "stddev_over_time": function = { w, _, _, _ in RangeFunctions.stddevOverTime(w) }
        case "stdvar_over_time": function = { w, _, _, _ in RangeFunctions.stdvarOverTime(w) }
        case "quantile_over_time":
            function = { w, _, _, step in RangeFunctions.quantileOverTime(scalars[0][step], w, scratch: &scratch) }
        case "predict_linear":
            function = { w, _, _, step in
                // The intercept is at the step's time even under `@` (Prometheus' own tests pin this).
                RangeFunctions.predictLinear(w, evaluationTime: self.time(step), seconds: scalars[0][step])
            }
        case "holt_winters":
            // The factors are checked only where a series has samples, as in Prometheus.
            function = { (w, _, _, step) throws(QueryError) in
                do throws(FunctionError) {
                    return try RangeFunctions.holtWinters(w, smoothingFactor: scalars[0][step], trendFactor: scalars[1][step])
                } catch {
                    throw QueryError(.execution, error.message)
                }
            }
        default:
            throw QueryError(.execution, "function \(name) is not implemented")
        }
        return try slideWindows(input, keepName: name == "last_over_time", function)
    }
}
