import Foundation
import MeridianModel

/// One signal: a PromQL expression whose result, per `center` (and
/// `service`), is mapped onto 0...1 between a `good` and a `bad` threshold
/// and weighed into the health score.
public struct SignalRule: Sendable, Equatable {
    /// A short name for explanations (`error_ratio`).
    public var name: String
    /// The expression, grouped by `center` and optionally `service`.
    public var expr: String
    /// At or beyond `good` (on its side) the signal scores 1; at or beyond
    /// `bad` it scores 0; linear in between. `good < bad` means lower is
    /// better (error ratio, latency), `good > bad` higher is better
    /// (availability).
    public var good: Double
    public var bad: Double
    /// Its weight in the health score.
    public var weight: Double
    /// Whether it also makes up the latency score (the score a region's
    /// preference list uses to order equally healthy centers).
    public var latency = false
    /// A veto: a value above `downAbove`, or below `downBelow`, makes the
    /// entity's evaluation `down` whatever its score.
    public var downAbove: Double?
    public var downBelow: Double?
    /// Off signals are kept in the config but not evaluated.
    public var enabled = true

    public init(
        name: String, expr: String, good: Double, bad: Double, weight: Double, latency: Bool = false,
        downAbove: Double? = nil, downBelow: Double? = nil, enabled: Bool = true
    ) {
        self.name = name
        self.expr = expr
        self.good = good
        self.bad = bad
        self.weight = weight
        self.latency = latency
        self.downAbove = downAbove
        self.downBelow = downBelow
        self.enabled = enabled
    }

    /// The score of `value`: 1 on the good side of `good`, 0 on the bad side
    /// of `bad`, linear between; NaN scores 0 (a broken signal is not a good one).
    public func score(_ value: Double) -> Double {
        guard !value.isNaN else { return 0 }
        // The config refuses good == bad; a step at the threshold keeps this total.
        if good == bad { return value <= good ? 1 : 0 }
        let position = (value - good) / (bad - good)
        return min(1, max(0, 1 - position))
    }

    /// The veto `value` triggers, as text for the explanation, or nil.
    public func veto(_ value: Double) -> String? {
        if let downAbove, value > downAbove || value.isNaN { return "\(name) \(format(value)) > \(format(downAbove))" }
        if let downBelow, value < downBelow || value.isNaN { return "\(name) \(format(value)) < \(format(downBelow))" }
        return nil
    }
}

/// A number as explanations show it: four significant digits, in
/// Prometheus' float text (`0.3125`, `0.000015`, `+Inf`).
func format(_ value: Double) -> String {
    guard value.isFinite, value != 0 else { return FloatFormat.prometheus(value) }
    let scale = Foundation.pow(10, 3 - Foundation.floor(Foundation.log10(Swift.abs(value))))
    return FloatFormat.prometheus((value * scale).rounded() / scale)
}

extension SignalRule {
    /// The embedded defaults: conventional metric names, grouped by `center`
    /// and `service`, so that any data carrying both labels is scored with no
    /// configuration.
    public static let defaults: [SignalRule] = [
        SignalRule(
            name: "error_ratio",
            expr: """
                (sum by (center, service) (rate(http_requests_total{code=~"5.."}[1m])) \
                or sum by (center, service) (rate(http_requests_total[1m])) * 0) \
                / sum by (center, service) (rate(http_requests_total[1m]))
                """,
            good: 0.01, bad: 0.05, weight: 3, downAbove: 0.20),
        SignalRule(
            name: "latency_p99",
            expr: """
                histogram_quantile(0.99, sum by (center, service, le) \
                (rate(http_request_duration_seconds_bucket[1m])))
                """,
            good: 0.5, bad: 2, weight: 2, latency: true),
        SignalRule(
            name: "availability", expr: "avg by (center, service) (up)", good: 1, bad: 0.5, weight: 2,
            downBelow: 0.5),
        SignalRule(
            name: "saturation", expr: "max by (center, service) (saturation_ratio)", good: 0.8, bad: 0.95, weight: 1,
            enabled: false),
    ]
}
