/// Why a remote-write request was refused: a code the HTTP layer maps to a
/// status, and a message for the sender that names the offending series.
///
/// Every code is a client error: the sender must not retry the same body, so
/// none maps to a 5xx (senders retry those).
public struct RemoteWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem the request has.
    public enum Code: String, Sendable, CaseIterable {
        /// The body is not a valid snappy block.
        case malformedSnappy
        /// The body is the snappy *framed* (streaming) format, which remote-write
        /// does not use; senders that produce it are misconfigured.
        case framedSnappy
        /// `Content-Encoding` or `Content-Type` is one this receiver does not accept.
        case unsupportedEncoding
        /// The compressed or the decompressed body exceeds its limit.
        case tooLarge
        /// The protobuf is not a valid `WriteRequest`: a truncated or overlong
        /// field, a wrong wire type for a known field, invalid UTF-8 in a string.
        case malformedProtobuf
        /// A label value of a series is not valid UTF-8.
        case invalidUTF8
        /// A series breaks the label rules of the protocol: no labels, empty or
        /// invalid names, names unsorted or repeated, empty values, no valid
        /// `__name__`.
        case invalidLabels
        /// The request is well-formed but holds more than a
        /// ``RemoteWriteLimits/Limit`` allows: too many labels on a series, a
        /// label name or value too long, too many series, samples or metadata
        /// entries. The whole request is refused and nothing of it is stored.
        case limitExceeded
    }

    /// What kind of problem the request has.
    public let code: Code
    /// A human-readable explanation, sent back as the plain-text body.
    public let message: String
    /// The limit a `limitExceeded` request broke (nil for every other code), so
    /// that the receiver can count refusals per limit.
    public let limit: RemoteWriteLimits.Limit?
    /// The float samples of a `limitExceeded` request, all refused with it;
    /// 0 for other codes. Counted leniently on the error path: a lower bound
    /// when the request uses an unusual wire layout.
    public let refusedSamples: Int

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        limit = nil
        refusedSamples = 0
    }

    /// Creates a `limitExceeded` error for `limit`.
    public init(limit: RemoteWriteLimits.Limit, _ message: String, refusedSamples: Int = 0) {
        code = .limitExceeded
        self.message = message
        self.limit = limit
        self.refusedSamples = refusedSamples
    }

    /// The HTTP status this error is answered with: 413 for size limits, 415
    /// for encodings the receiver does not speak, 400 for everything else.
    public var httpStatus: Int {
        switch code {
        case .tooLarge: return 413
        case .framedSnappy, .unsupportedEncoding: return 415
        case .malformedSnappy, .malformedProtobuf, .invalidUTF8, .invalidLabels, .limitExceeded: return 400
        }
    }

    /// The message alone, as the response body carries it.
    public var description: String { message }
}
