/// Exponential backoff with jitter between retries of one request, honouring
/// a `Retry-After` the upstream sent. A pure value; the random source is
/// injected so tests can pin it.
public struct Backoff: Sendable {
    public var minimum: Duration
    public var maximum: Duration
    /// The longest `Retry-After` obeyed; longer ones are cut to this, so a
    /// misconfigured upstream cannot park a center for a day.
    public var maximumRetryAfter: Duration
    private var current: Duration

    public init(minimum: Duration = .milliseconds(100), maximum: Duration = .seconds(5), maximumRetryAfter: Duration = .seconds(300)) {
        self.minimum = minimum
        self.maximum = maximum
        self.maximumRetryAfter = maximumRetryAfter
        current = minimum
    }

    /// The wait before the next attempt: the current step with "equal jitter"
    /// (half fixed, half random, so retries of many senders spread out but
    /// never collapse to zero), or the upstream's `Retry-After` when longer.
    /// Each call doubles the step up to ``maximum``.
    public mutating func next(retryAfter: Duration? = nil, random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) })
        -> Duration
    {
        let step = current
        current = min(current * 2, maximum)
        let jittered = step / 2 + step / 2 * random(0...1)
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, maximumRetryAfter))
    }

    /// After a success: the next failure starts from ``minimum`` again.
    public mutating func reset() { current = minimum }
}
