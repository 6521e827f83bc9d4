import Foundation

/// Why a PromQL function refused its arguments.
///
/// Prometheus aborts the whole query (it panics inside the function and the
/// engine recovers); these are the same failures as values, so the engine can
/// map them to a `bad_data` response in one place. The messages are
/// Prometheus 2.42's, word for word, because clients and tests match on them.
public struct FunctionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, for code that reacts differently to each failure.
    public enum Code: String, Sendable {
        /// `holt_winters` smoothing factor outside (0, 1).
        case invalidSmoothingFactor
        /// `holt_winters` trend factor outside (0, 1).
        case invalidTrendFactor
        /// A `label_replace` pattern that does not compile.
        case invalidRegex
        /// A destination or source label name that is not `[a-zA-Z_][a-zA-Z0-9_]*`.
        case invalidLabelName
    }

    /// The kind of failure.
    public let code: Code
    /// Prometheus' message, shown to the user as is.
    public let message: String
    /// The underlying error's text (the regex engine's complaint), when there is one.
    public let cause: String?

    /// Creates an error; `cause` carries the lower layer's explanation.
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message, as Prometheus prints it.
    public var description: String { message }
}

/// Go's `%f` verb, which Prometheus uses in argument errors: six decimals, and
/// `+Inf`/`-Inf`/`NaN` spelled Go's way rather than C's `inf`/`nan`.
func goPercentF(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
    return String(format: "%f", v)
}
