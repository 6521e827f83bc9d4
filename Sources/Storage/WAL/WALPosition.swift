/// A place in the log, as ``WAL/append(_:)`` returns it: the number of framed
/// bytes appended since the log was opened, up to and including a record.
///
/// Positions only grow, so "is everything up to here on its way to disk?" is
/// one comparison; they mean nothing across restarts.
public struct WALPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Bytes appended since open, through the end of the record.
    public let offset: UInt64

    init(offset: UInt64) {
        self.offset = offset
    }

    /// Before the first record: committing through it is a no-op.
    public static let start = WALPosition(offset: 0)

    public static func < (lhs: WALPosition, rhs: WALPosition) -> Bool { lhs.offset < rhs.offset }

    public var description: String { "WALPosition(\(offset))" }
}
