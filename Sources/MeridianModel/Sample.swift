/// Milliseconds since the Unix epoch, the unit of every timestamp in Meridian
/// (as in Prometheus remote-write and tsdb).
public typealias Timestamp = Int64

/// One value of a series at one instant.
public struct Sample: Hashable, Sendable {
    /// Milliseconds since the Unix epoch.
    public var t: Timestamp
    /// The value; a stale marker is the NaN with bit pattern ``StaleMarker/bitPattern``.
    public var v: Double

    /// Creates a sample.
    public init(t: Timestamp, v: Double) {
        self.t = t
        self.v = v
    }

    /// Two samples are equal when their timestamps match and their values have the
    /// same bit pattern, so that NaN payloads (stale markers) compare exactly.
    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.t == rhs.t && lhs.v.bitPattern == rhs.v.bitPattern
    }

    /// Hashes the timestamp and the value's bit pattern, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(t)
        hasher.combine(v.bitPattern)
    }
}

/// Prometheus' staleness marker: a NaN with a payload that no arithmetic produces.
/// A series that ends (target gone, series vanished) gets one, and queries treat
/// it as "no value from here on" rather than as a value.
public enum StaleMarker {
    /// The exact bit pattern Prometheus writes (`value.StaleNaN`).
    public static let bitPattern: UInt64 = 0x7ff0_0000_0000_0002
    /// The marker as a `Double`.
    public static let value = Double(bitPattern: bitPattern)

    /// Whether `v` is the stale marker (compared by bits: every other NaN is a value).
    @inlinable
    public static func isStale(_ v: Double) -> Bool {
        v.bitPattern == bitPattern
    }
}
