import MeridianModel

/// What a query returns, in the four shapes of Prometheus' API.
public enum QueryValue: Sendable {
    /// A number at the evaluation time.
    case scalar(Sample)
    /// A string at the evaluation time.
    case string(String, Timestamp)
    /// One sample per series at the evaluation time (instant queries).
    case vector([VectorElement])
    /// Series with several samples: range queries, and instant queries of a
    /// range selector or subquery.
    case matrix([SeriesPoints])

    /// The `resultType` Prometheus reports.
    public var resultType: String {
        switch self {
        case .scalar: return "scalar"
        case .string: return "string"
        case .vector: return "vector"
        case .matrix: return "matrix"
        }
    }
}

/// One element of an instant vector.
public struct VectorElement: Sendable {
    public var labels: Labels
    public var t: Timestamp
    public var v: Double

    public init(labels: Labels, t: Timestamp, v: Double) {
        self.labels = labels
        self.t = t
        self.v = v
    }
}

/// One series of a matrix, its samples in time order.
public struct SeriesPoints: Sendable {
    public var labels: Labels
    public var samples: [Sample]

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }
}

/// Why a query failed, with the error type Prometheus' API reports.
public struct QueryError: Error, CustomStringConvertible, Sendable {
    /// Prometheus' `errorType` values that queries produce.
    public enum Kind: String, Sendable {
        /// A malformed query or parameter (400).
        case badData = "bad_data"
        /// The query is valid but cannot be evaluated (422).
        case execution
        /// The query ran out of time (503).
        case timeout
        /// The query was cancelled (503).
        case canceled
        /// The server cannot run the query now: the memory all running
        /// queries may hold is used up, or too many wait (503, with Retry-After).
        case unavailable
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The error a query stopped by its ``QueryContext`` reports.
    public init(abort: QueryAbort) {
        switch abort.code {
        case .timeout: self.init(.timeout, abort.description)
        case .canceled: self.init(.canceled, abort.description)
        case .tooManySamples: self.init(.execution, abort.description)
        case .memoryLimit, .overloaded: self.init(.unavailable, abort.description)
        }
    }
}
