/// The one error type of the Encoding layer: a code to switch on and a message
/// for logs. Decoding failures mean the bytes are damaged or the sample count
/// does not belong to them; the caller should drop or re-read the chunk, never
/// append to it.
public struct EncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// The bytes ended before the expected number of samples was decoded.
        case truncated
        /// The bytes hold a field that no encoder writes.
        case corrupt
        /// A negative or otherwise impossible sample count.
        case invalidSampleCount
    }

    /// What went wrong, for programs.
    public let code: Code
    /// What went wrong, for people.
    public let message: String

    /// An error with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
