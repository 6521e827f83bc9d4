import Foundation
import Logging
import MeridianModel
import Synchronization

/// A center's forwarding: one log on disk, written once per acknowledged
/// write, drained by one ``UpstreamSender`` per upstream. A housekeeping
/// thread saves cursors, deletes segments every upstream has acknowledged,
/// enforces the disk budget and fsyncs the log.
public final class Forwarder: @unchecked Sendable {
    public let log: ForwardLog
    public let senders: [UpstreamSender]
    let options: ForwardOptions
    let logger: Logger
    private let stopping = Atomic(false)
    private let finished = DispatchGroup()

    /// Opens the log under `directory` (`log/` and `cursors/`) for `upstreams`.
    public init(
        directory: String, upstreams: [UpstreamURL], options: ForwardOptions, observer: (any ForwardObserver)?,
        logger: Logger
    ) throws(ForwardError) {
        self.options = options
        self.logger = logger
        let log = try ForwardLog(
            directory: ForwardFiles.join(directory, "log"), segmentSize: options.segmentSize,
            maxBytes: options.maxDiskBytes, shards: options.shards, maxSamplesPerRecord: options.maxSamplesPerSend,
            logger: logger)
        self.log = log
        let cursors = ForwardFiles.join(directory, "cursors")
        try ForwardFiles.makeDirectory(cursors)
        senders = upstreams.map {
            UpstreamSender(url: $0, log: log, cursorDirectory: cursors, options: options, observer: observer, logger: logger)
        }
    }

    /// Logs an acknowledged write for every upstream (see ``ForwardLog/append(_:acknowledgedAt:)``).
    public func append(_ batch: SampleBatch, acknowledgedAt: Date = Date()) throws(ForwardError) {
        try log.append(batch, acknowledgedAt: Int64(acknowledgedAt.timeIntervalSince1970 * 1000))
    }

    /// Starts every sender and the housekeeping thread.
    public func start() {
        for sender in senders { sender.start() }
        finished.enter()
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                housekeeping()
                let until = Date(timeIntervalSinceNow: options.cursorSaveInterval.seconds)
                while !stopping.load(ordering: .acquiring) && Date() < until { Thread.sleep(forTimeInterval: 0.05) }
            }
            finished.leave()
        }
        thread.name = "meridian-fwd-housekeeping"
        thread.start()
    }

    /// One round: fsync the log, save cursors, delete what all upstreams
    /// acknowledged, then enforce the budget.
    func housekeeping() {
        log.sync()
        for sender in senders { sender.saveCursor() }
        // Only what every upstream's saved cursor is past: a cursor that
        // failed to save must still find its records after a restart.
        if let oldest = senders.map(\.durableCursor.position.segment).min() { log.removeSegments(before: oldest) }
        for segment in log.enforceBudget() {
            logger.error(
                "forward disk budget exhausted: deleted the oldest log segment; each upstream that had not yet read it reports what it gave up",
                metadata: [
                    "segment": "\(segment.number)", "bytes": "\(segment.bytes)", "samples": "\(segment.samples)",
                    "min_time": "\(segment.minTime)", "max_time": "\(segment.maxTime)", "max_disk_bytes": "\(options.maxDiskBytes)",
                ])
        }
    }

    /// Stops the senders (their cursors saved) and closes the log.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        _ = finished.wait(timeout: .now() + .seconds(10))
        for sender in senders { sender.stop() }
        housekeeping()
        log.close()
    }

    /// Every upstream's state.
    public func status(now: Date = Date()) -> [UpstreamStatus] { senders.map { $0.status(now: now) } }
}
