/// What a sender says about one metric family: its type, help text and unit
/// (remote-write's `MetricMetadata`), as `/api/v1/metadata` serves it.
public struct MetricMetadata: Hashable, Sendable, Codable {
    /// A metric family's type, spelled as Prometheus' API spells it.
    public enum Kind: String, Hashable, Sendable, Codable {
        case unknown, counter, gauge, histogram, gaugehistogram, summary, info, stateset

        /// The kinds in the order of remote-write's `MetricType` numbers (0 to 7).
        private static let byWireValue: [Kind] = [
            .unknown, .counter, .gauge, .histogram, .gaugehistogram, .summary, .info, .stateset,
        ]

        /// remote-write's `MetricType` number; numbers it does not define
        /// (a newer sender) read as `unknown`, as proto3 enums allow.
        public init(wireValue: UInt64) {
            self = wireValue < Self.byWireValue.count ? Self.byWireValue[Int(wireValue)] : .unknown
        }

        /// The `MetricType` number remote-write uses for this kind.
        public var wireValue: UInt64 { UInt64(Self.byWireValue.firstIndex(of: self)!) }
    }

    /// The metric family's name (`http_requests_total`, or `http_request_duration_seconds` for a histogram).
    public var family: String
    public var type: Kind
    public var help: String
    public var unit: String

    public init(family: String, type: Kind, help: String, unit: String = "") {
        self.family = family
        self.type = type
        self.help = help
        self.unit = unit
    }
}
