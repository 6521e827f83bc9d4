/// Why a query does not parse or type-check, and where.
///
/// Only the first problem is reported, as Prometheus does, and
/// ``description`` is the exact text Prometheus 2.42 prints
/// (`1:5: parse error: unexpected <op:*>`), so API clients that match on it
/// keep working.
public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Byte offsets into the query of the text at fault.
    public var position: PositionRange
    /// The message without its position prefix.
    public var message: String
    /// 1-based line of ``position``'s start.
    public var line: Int
    /// 1-based column of ``position``'s start, counted in bytes as Prometheus does.
    public var column: Int

    /// Locates `position` in `query` so the error can be printed without the query.
    public init(position: PositionRange, message: String, query: String) {
        self.position = position
        self.message = message
        var line = 1
        var lastLineBreak = -1
        for (offset, byte) in query.utf8.prefix(max(0, position.start)).enumerated() where byte == UInt8(ascii: "\n") {
            line += 1
            lastLineBreak = offset
        }
        self.line = line
        self.column = position.start - lastLineBreak
    }

    /// `<line>:<column>: parse error: <message>`.
    public var description: String { "\(line):\(column): parse error: \(message)" }
}
