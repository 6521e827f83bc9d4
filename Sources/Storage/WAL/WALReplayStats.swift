/// What ``WAL/replay(directory:logger:onRecord:)`` read, for the startup log
/// and for tests.
public struct WALReplayStats: Sendable, Equatable {
    /// Records handed to `onRecord`, and what they held.
    public var records = 0
    public var series = 0
    public var samples = 0
    public var chunks = 0
    /// Bytes of the files read (checkpoint and segments).
    public var bytes: Int64 = 0
    /// Files read: the checkpoint's segments and the log's.
    public var segments = 0
    /// The index of the checkpoint replayed first, if there was one.
    public var checkpoint: Int?
    /// One line per damaged place — file path, byte offset, what was wrong and
    /// what was skipped. Empty after any clean shutdown or `kill -9`.
    public var corruptions: [String] = []
    /// The files those damaged places are in, each once, in replay order.
    public var damagedFiles: [String] = []
    /// The interrupted append found at the end of the newest segment, if any:
    /// expected after a crash, and never acknowledged, so not a corruption.
    public var tornTail: String?
    /// Wall time of the replay.
    public var duration: Duration = .zero

    /// Empty stats.
    public init() {}
}
