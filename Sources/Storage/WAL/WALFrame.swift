import Encoding

/// How WAL records sit in a segment file: each record is one
/// ``CheckedFrame`` (docs/format/wal.md) whose payload starts with the
/// record type (``WALRecord/encode(into:)``).
enum WALFrame {
    static let headerSize = CheckedFrame.headerSize
    static let kindRecord = CheckedFrame.kindRecord
    static let maxPayload = CheckedFrame.maxPayload

    /// Appends `record` framed, and returns the frame's size.
    @discardableResult
    static func append(_ record: WALRecord, to out: inout [UInt8]) -> Int {
        CheckedFrame.append(to: &out) { record.encode(into: &$0) }
    }
}

/// The WAL reads its segments with the shared frame scanner.
typealias WALFrameScanner = CheckedFrameScanner
