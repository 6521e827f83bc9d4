/// Errors raised while building model values.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// A regular expression that Prometheus would refuse, with the reason in
    /// Go's `regexp/syntax` words (clients and tests match on them).
    case invalidRegex(RegexSyntaxError)

    /// The message, as Prometheus prints it.
    public var description: String {
        switch self {
        case .invalidRegex(let error): return error.description
        }
    }
}
