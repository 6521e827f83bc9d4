/// Why forwarding failed: a code the sender's retry policy reads, a message for
/// the log and the status page, and the cause when there is one.
public struct ForwardError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable, CaseIterable {
        /// An upstream URL that cannot be used (not `http://host:port/path`).
        case badURL
        /// The upstream could not be reached: name resolution, connect refused or timed out.
        case connect
        /// The connection broke or timed out while sending or awaiting the answer.
        case io
        /// The upstream answered something that is not HTTP/1.1.
        case protocolViolation
        /// The forward log on disk could not be read or written.
        case disk
        /// The forward log holds bytes that are not a valid record.
        case corruption
    }

    public let code: Code
    public let message: String
    /// The underlying error (an errno text, a decoder error), if any.
    public let cause: String?

    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { cause.map { "\(message): \($0)" } ?? message }
}
