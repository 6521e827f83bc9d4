import MeridianModel

/// Every error the store raises, with a code the HTTP layer maps to a status in
/// one place, a message that tells the sender what to do, and the cause.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, coarse enough to map to a status code.
    public enum Code: String, Sendable {
        /// A sample older than the newest one of its series (400, not retried).
        case outOfOrderSample = "out_of_order_sample"
        /// Same series and timestamp as a stored sample, with a different value (400).
        case duplicateSampleForTimestamp = "duplicate_sample_for_timestamp"
        /// Reading or writing a file failed (503: the sender should retry).
        case io = "io"
        /// A file's bytes are not what its format says (checksum, length, version).
        case corruption = "corruption"
        /// The store is shutting down or not open.
        case closed = "closed"
    }

    /// The kind of failure.
    public let code: Code
    /// A sentence for the operator or the sender.
    public let message: String
    /// The underlying error, if any.
    public let cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message): \(cause)" }
        return message
    }
}
