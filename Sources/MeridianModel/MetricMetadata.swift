/// What a sender says about one metric family: its type, help text and unit
/// (remote-write's `MetricMetadata`), as `/api/v1/metadata` serves it.
public struct MetricMetadata: Hashable, Sendable, Codable {
    /// A metric family's type, spelled as Prometheus' API spells it.
    public enum Kind: String, Hashable, Sendable, Codable {
        case unknown, counter, gauge, histogram, gaugehistogram, summary, info, stateset

        /// remote-write's `MetricType` number; numbers it does not define
        /// (a newer sender) read as `unknown`, as proto3 enums allow.
        public init(wireValue: UInt64) {
            switch wireValue {
            case 1: self = .counter
            case 2: self = .gauge
            case 3: self = .histogram
            case 4: self = .gaugehistogram
            case 5: self = .summary
            case 6: self = .info
            case 7: self = .stateset
            default: self = .unknown
            }
        }

        /// The `MetricType` number remote-write uses for this kind.
        public var wireValue: UInt64 {
            switch self {
            case .unknown: return 0
            case .counter: return 1
            case .gauge: return 2
            case .histogram: return 3
            case .gaugehistogram: return 4
            case .summary: return 5
            case .info: return 6
            case .stateset: return 7
            }
        }
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
