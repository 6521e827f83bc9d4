import MeridianModel

/// The range-vector functions (`rate(x[5m])`, `avg_over_time(x[1h])`, …) as
/// pure arithmetic over the samples of one series inside one window.
///
/// Conventions shared by every function in this namespace, so that the
/// engine can call them uniformly:
///
/// - `samples` are the float samples of one series with `rangeStart <= t <=
///   rangeEnd` (Prometheus 2.42 selects a closed window), sorted by time with
///   distinct timestamps, stale markers already removed. Times are Unix
///   milliseconds.
/// - `rangeStart`/`rangeEnd` are the window's bounds *after* applying
///   `offset` (Prometheus: `ts - offset - range` and `ts - offset`), so
///   `rangeEnd - rangeStart` is the selector's (or subquery's) range.
/// - A `nil` result means "no element for this series at this step" (too
///   few samples, a zero interval, an empty window). A `NaN` result is an
///   element whose value is NaN, exactly as Prometheus would emit it.
/// - Nothing allocates per sample; the cost of each function is O(n) in the
///   window's samples unless stated otherwise.
public enum RangeFunctions {}

/// The bounds of one range-function evaluation, for callers that dispatch
/// through ``RangeFunction``.
public struct RangeWindow: Sendable, Equatable {
    /// First instant of the window (inclusive), Unix ms, offset applied.
    public var rangeStart: Timestamp
    /// Last instant of the window (inclusive), Unix ms, offset applied.
    public var rangeEnd: Timestamp
    /// The step's evaluation time, Unix ms, *without* offset or `@`: only
    /// `predict_linear` uses it (Prometheus takes the intercept there).
    public var evaluationTime: Timestamp

    /// Creates a window; `evaluationTime` defaults to `rangeEnd` (no offset, no `@`).
    public init(rangeStart: Timestamp, rangeEnd: Timestamp, evaluationTime: Timestamp? = nil) {
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
        self.evaluationTime = evaluationTime ?? rangeEnd
    }
}
