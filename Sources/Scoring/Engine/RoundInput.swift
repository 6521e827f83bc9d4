/// What one evaluation round knows: each signal's values, each center's
/// freshness, and the time. Gathered by the shell (queries, the center
/// tracker); consumed by ``HealthEngine/evaluate(_:)``.
public struct RoundInput: Sendable {
    /// Wall-clock seconds of the round.
    public var time: Double
    /// Each enabled signal's result (by signal name); a signal whose query
    /// failed is absent and named in ``failures``.
    public var values: [String: [SignalValue]] = [:]
    /// Signals whose query failed this round, with the error.
    public var failures: [String: String] = [:]
    /// Each known center's freshness.
    public var freshness: [String: CenterFreshness] = [:]

    public init(time: Double) { self.time = time }
}

/// One element of a signal's result.
public struct SignalValue: Sendable, Equatable {
    public var center: String
    /// nil when the expression is grouped by center only.
    public var service: String?
    public var value: Double

    public init(center: String, service: String? = nil, value: Double) {
        self.center = center
        self.service = service
        self.value = value
    }
}

/// How fresh a center's data is, as the center tracker (or a freshness
/// query) sees it.
public struct CenterFreshness: Sendable, Equatable {
    /// Seconds since the center's newest sample; nil when none has arrived.
    public var newestSampleAge: Double?
    /// Whether the center's link to this layer is known to be down (no
    /// write at all, heartbeats included, for the link timeout).
    public var linkDown = false

    public init(newestSampleAge: Double?, linkDown: Bool = false) {
        self.newestSampleAge = newestSampleAge
        self.linkDown = linkDown
    }
}
