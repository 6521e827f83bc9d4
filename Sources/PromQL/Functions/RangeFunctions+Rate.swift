import MeridianModel

extension RangeFunctions {
    /// `rate(v[r])`: the per-second increase of a counter, extrapolated to the
    /// window's edges. See ``extrapolatedRate(_:rangeStart:rangeEnd:isCounter:isRate:)``.
    /// - Returns: nil with fewer than two samples.
    @inlinable
    public static func rate(_ samples: ArraySlice<Sample>, rangeStart: Timestamp, rangeEnd: Timestamp) -> Double? {
        extrapolatedRate(samples, rangeStart: rangeStart, rangeEnd: rangeEnd, isCounter: true, isRate: true)
    }

    /// `increase(v[r])`: the counter's increase over the whole window (rate × range).
    /// - Returns: nil with fewer than two samples.
    @inlinable
    public static func increase(_ samples: ArraySlice<Sample>, rangeStart: Timestamp, rangeEnd: Timestamp) -> Double? {
        extrapolatedRate(samples, rangeStart: rangeStart, rangeEnd: rangeEnd, isCounter: true, isRate: false)
    }

    /// `delta(v[r])`: a gauge's change over the window, with no counter-reset handling.
    /// - Returns: nil with fewer than two samples.
    @inlinable
    public static func delta(_ samples: ArraySlice<Sample>, rangeStart: Timestamp, rangeEnd: Timestamp) -> Double? {
        extrapolatedRate(samples, rangeStart: rangeStart, rangeEnd: rangeEnd, isCounter: false, isRate: false)
    }

    /// Prometheus' `extrapolatedRate`, shared by `rate`, `increase` and `delta`.
    ///
    /// The samples only cover `[first.t, last.t]`; the result is scaled up to
    /// what the whole window would have seen, because a user asking for
    /// `increase(x[1h])` expects an hour's worth even though the first scrape
    /// came a little after the window opened. The rules, exactly as 2.42:
    ///
    /// - With `isCounter`, every decrease is a reset: the value before the
    ///   drop is added back, as if the counter had restarted from zero.
    /// - Each edge is extrapolated to the window boundary only when the gap
    ///   is under 1.1 × the average sample interval; otherwise by half an
    ///   interval (the series probably started or ended inside the window).
    /// - A counter is never extrapolated below zero: if the line through the
    ///   samples reaches zero before the window start, it stops there.
    /// - With `isRate`, the result is divided by the window's length in
    ///   seconds (`rangeEnd - rangeStart`), not by the sampled interval.
    ///
    /// - Returns: nil with fewer than two samples. Two samples with the same
    ///   timestamp give NaN or ±Inf, as in Prometheus (the engine never passes them).
    /// - Complexity: O(n) for counters (reset scan), O(1) otherwise.
    ///
    /// `resets`, when given, lists every reset of the series that `samples`
    /// is a window of (``resetPositions(_:)``), which spares the scan: a
    /// range query slides hundreds of windows over each series. The values
    /// are added in the same order either way, so the result is the same to
    /// the bit.
    @inlinable
    public static func extrapolatedRate(
        _ samples: ArraySlice<Sample>, rangeStart: Timestamp, rangeEnd: Timestamp, isCounter: Bool, isRate: Bool,
        resets: [Int]? = nil
    ) -> Double? {
        guard samples.count >= 2, let first = samples.first, let last = samples.last else { return nil }

        var result = last.v - first.v
        if isCounter, let resets {
            var i = firstIndex(in: resets, after: samples.startIndex)
            while i < resets.count && resets[i] < samples.endIndex {
                result += samples[resets[i] - 1].v
                i += 1
            }
        } else if isCounter {
            var previous = first.v
            for sample in samples.dropFirst() {
                if sample.v < previous { result += previous }
                previous = sample.v
            }
        }

        var durationToStart = Double(first.t - rangeStart) / 1000
        let durationToEnd = Double(rangeEnd - last.t) / 1000
        let sampledInterval = Double(last.t - first.t) / 1000
        let averageInterval = sampledInterval / Double(samples.count - 1)

        if isCounter && result > 0 && first.v >= 0 {
            // Where the straight line through the samples meets zero: a counter
            // cannot have been negative, so extrapolation stops there.
            let durationToZero = sampledInterval * (first.v / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }

        let threshold = averageInterval * 1.1
        var extrapolateTo = sampledInterval
        extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2

        var factor = extrapolateTo / sampledInterval
        if isRate { factor /= Double(rangeEnd - rangeStart) / 1000 }
        return result * factor
    }

    /// The indices `i` where `samples[i]` is below `samples[i - 1]`: where a
    /// counter reset, for ``extrapolatedRate(_:rangeStart:rangeEnd:isCounter:isRate:resets:)``.
    public static func resetPositions(_ samples: [Sample]) -> [Int] {
        var positions: [Int] = []
        for i in samples.indices.dropFirst() where samples[i].v < samples[i - 1].v { positions.append(i) }
        return positions
    }

    /// The first index of sorted `positions` whose value is above `index`.
    @inlinable
    static func firstIndex(in positions: [Int], after index: Int) -> Int {
        var low = 0
        var high = positions.count
        while low < high {
            let mid = (low + high) / 2
            if positions[mid] <= index { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// `irate(v[r])`: the per-second rate between the last two samples, for
    /// graphs of fast-moving counters where `rate`'s averaging hides spikes.
    /// A drop between them is a reset: the rate counts from zero to the last value.
    /// - Returns: nil with fewer than two samples or when the last two share a timestamp.
    /// - Complexity: O(1).
    @inlinable
    public static func irate(_ samples: ArraySlice<Sample>) -> Double? {
        instantValue(samples, isRate: true)
    }

    /// `idelta(v[r])`: the difference between the last two samples (no reset handling).
    /// - Returns: nil with fewer than two samples or when the last two share a timestamp.
    /// - Complexity: O(1).
    @inlinable
    public static func idelta(_ samples: ArraySlice<Sample>) -> Double? {
        instantValue(samples, isRate: false)
    }

    @inlinable
    static func instantValue(_ samples: ArraySlice<Sample>, isRate: Bool) -> Double? {
        guard samples.count >= 2 else { return nil }
        let last = samples[samples.endIndex - 1]
        let previous = samples[samples.endIndex - 2]
        var result: Double
        if isRate && last.v < previous.v {
            result = last.v
        } else {
            result = last.v - previous.v
        }
        let interval = last.t - previous.t
        if interval == 0 { return nil }
        if isRate { result /= Double(interval) / 1000 }
        return result
    }
}
