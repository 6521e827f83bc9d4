import Foundation
import Logging
import MeridianModel
import RemoteWrite
import Synchronization

/// Drains the forward log to one upstream: a reader thread hands each record
/// to the sender thread of its shard (the log splits writes by series hash),
/// each with its own connection, so every series keeps its order; a sender
/// joins the records waiting for it into one request without decompressing
/// them. An ``AckTracker`` turns the acknowledgements into the cursor that
/// is saved to disk. Independent of every other upstream: its own cursor,
/// threads and connections, so one upstream being down never delays another.
public final class UpstreamSender: @unchecked Sendable {
    public let url: UpstreamURL
    let log: ForwardLog
    let options: ForwardOptions
    let observer: (any ForwardObserver)?
    let logger: Logger
    let cursorPath: String
    let cursorDirectory: String

    let tracker: Mutex<AckTracker>
    let stats = Mutex(SenderStats())
    private let queues: [ShardQueue]
    private let stopping = Atomic(false)
    private let finished = DispatchGroup()
    private let savedCursor: Mutex<ForwardCursor>

    init(
        url: UpstreamURL, log: ForwardLog, cursorDirectory: String, options: ForwardOptions,
        observer: (any ForwardObserver)?, logger: Logger
    ) {
        self.url = url
        self.log = log
        self.options = options
        self.observer = observer
        self.logger = logger
        self.cursorDirectory = cursorDirectory
        self.cursorPath = ForwardFiles.join(cursorDirectory, Self.fileName(for: url))
        let start = Self.loadCursor(path: cursorPath, log: log, logger: logger, url: url)
        tracker = Mutex(AckTracker(cursor: start))
        savedCursor = Mutex(start)
        queues = (0..<options.shards).map { _ in ShardQueue(capacity: options.maxPendingSamplesPerShard) }
    }

    /// The cursor file's name: the URL with every character but ASCII letters
    /// and digits replaced, for people, then a hash of the URL, so that two
    /// URLs differing only in those characters never share a cursor.
    static func fileName(for url: UpstreamURL) -> String {
        let text = url.description
        let readable = String(text.unicodeScalars.map { $0.isASCII && CharacterSet.alphanumerics.contains($0) ? Character($0) : "_" })
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return readable + "-" + String(hash, radix: 16)
    }

    /// Statuses that say the data itself will never be accepted: dropped and
    /// counted. Every other 4xx (a wrong path, missing credentials, 429) says
    /// something about the upstream or its configuration, which an operator
    /// fixes while the data waits in the log: retried.
    static let refusals: Set<Int> = [400, 409, 413, 415, 422]

    /// The saved cursor, clamped into the log; the log's start when there is
    /// none (a new upstream receives everything the log still holds).
    static func loadCursor(path: String, log: ForwardLog, logger: Logger, url: UpstreamURL) -> ForwardCursor {
        let (segments, nextSeq) = log.snapshot()
        let first = segments[0]
        let oldest = ForwardCursor(position: ForwardPosition(segment: first.number, offset: 0), sampleSeq: first.firstSampleSeq)
        guard let bytes = ForwardFiles.readWhole(path) else { return oldest }
        guard let cursor = ForwardCursor.decode(bytes) else {
            logger.error("forward cursor file is damaged; resending from the oldest record", metadata: ["upstream": "\(url)"])
            return oldest
        }
        let last = segments[segments.count - 1]
        if cursor.position > ForwardPosition(segment: last.number, offset: last.bytes) || cursor.sampleSeq > nextSeq {
            // The log lost its tail (a power loss after the cursor was saved).
            return ForwardCursor(position: ForwardPosition(segment: last.number, offset: last.bytes), sampleSeq: nextSeq)
        }
        return cursor
    }

    /// Starts the reader and the sender threads.
    func start() {
        let start = tracker.withLock { $0.cursor }
        logger.info(
            "forwarding to upstream", metadata: ["upstream": "\(url)", "cursor": "\(start.position)", "shards": "\(options.shards)"])
        spawn("meridian-fwd-read") { [self] in readLoop(from: start) }
        for shard in queues.indices {
            spawn("meridian-fwd-\(shard)") { [self] in sendLoop(queue: queues[shard]) }
        }
    }

    private func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        finished.enter()
        let thread = Thread { [finished] in
            body()
            finished.leave()
        }
        thread.name = name
        thread.start()
    }

    /// Stops every thread (a request in flight ends at its timeout) and saves the cursor.
    func stop() {
        stopping.store(true, ordering: .releasing)
        for queue in queues { queue.close() }
        _ = finished.wait(timeout: .now() + .seconds(Int(options.requestTimeout.components.seconds) + 5))
        saveCursor()
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Saves the cursor when it moved; returns it.
    @discardableResult
    func saveCursor() -> ForwardCursor {
        let cursor = tracker.withLock { $0.cursor }
        guard savedCursor.withLock({ $0 != cursor }) else { return cursor }
        do {
            try ForwardFiles.replace(cursorPath, with: cursor.encode(upstream: url.description), directory: cursorDirectory)
            savedCursor.withLock { $0 = cursor }
        } catch {
            logger.error("cannot save a forward cursor", metadata: ["upstream": "\(url)", "error": "\(error)"])
        }
        return cursor
    }

    /// The cursor as last saved: segments before it may be deleted.
    var durableCursor: ForwardCursor { savedCursor.withLock { $0 } }

    // MARK: - Reading

    private func readLoop(from cursor: ForwardCursor) {
        let reader = ForwardLogReader(log: log, from: cursor)
        var shardCount = queues.count
        while !isStopping {
            let item: ForwardLogReader.Item?
            do {
                item = try reader.next(timeout: .milliseconds(250))
            } catch {
                logger.error("cannot read the forward log", metadata: ["upstream": "\(url)", "error": "\(error)"])
                Thread.sleep(forTimeInterval: 1)
                continue
            }
            switch item {
            case nil: continue
            case .gap(let gap): giveUp(gap, sampleSeq: reader.sampleSeq)
            case .record(let record):
                if record.header.shardCount != shardCount {
                    // Written with another `forward.shards`: a series may have
                    // moved to another connection, so everything before goes first.
                    guard waitUntilAcknowledged() else { return }
                    shardCount = record.header.shardCount
                }
                dispatch(record, sampleSeq: reader.sampleSeq)
            }
        }
    }

    private func dispatch(_ record: ForwardRecord, sampleSeq: UInt64) {
        guard record.body.withUnsafeBytes({ Snappy.decodedLength($0) }) != nil else {
            let gap = ForwardGap(
                from: record.position, to: record.end, samples: record.header.sampleCount, minTime: record.header.minTime,
                maxTime: record.header.maxTime, cause: .corruption, reason: "corrupt record: not a snappy block")
            giveUp(gap, sampleSeq: sampleSeq)
            return
        }
        let number = tracker.withLock { $0.register(record) }
        let part = ShardPart(
            record: number, acknowledgedAt: record.header.acknowledgedAt, body: record.body,
            sampleCount: Int(record.header.sampleCount))
        _ = queues[record.header.shard % queues.count].push(part)
    }

    /// Waits until every record read so far is acknowledged; false when the sender stops first.
    private func waitUntilAcknowledged() -> Bool {
        while !isStopping {
            if tracker.withLock({ $0.pendingRecords }) == 0 { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// Reports and skips records this upstream will never receive.
    private func giveUp(_ gap: ForwardGap, sampleSeq: UInt64) {
        _ = tracker.withLock { $0.register(gap, sampleSeq: sampleSeq) }
        let range = gap.minTime.map { min in "\(min)..\(gap.maxTime ?? min)" } ?? "unknown"
        logger.error(
            "forward: samples given up for an upstream",
            metadata: [
                "upstream": "\(url)", "samples": "\(gap.samples)", "time_range_ms": "\(range)", "from": "\(gap.from)",
                "to": "\(gap.to)", "reason": "\(gap.reason)",
            ])
        stats.withLock { $0.recordGivenUp(gap, at: Date()) }
        observer?.dropped(upstream: url.description, samples: Int(gap.samples), reason: gap.cause.rawValue)
    }

    // MARK: - Sending

    private func sendLoop(queue: ShardQueue) {
        let connection = HTTPConnection(
            url: url, connectTimeout: options.connectTimeout, requestTimeout: options.requestTimeout)
        defer { connection.close() }
        var backoff = Backoff(minimum: options.minBackoff, maximum: options.maxBackoff)
        while let parts = queue.take(maxSamples: options.maxSamplesPerSend) {
            let samples = parts.reduce(0) { $0 + $1.sampleCount }
            // Every body passed Snappy.decodedLength in dispatch, and a shard's
            // queue holds far less than 4 GiB, so the join cannot fail.
            let body = parts.count == 1 ? parts[0].body : Snappy.concatenate(parts.map(\.body))!
            guard deliver(body, samples: samples, parts: parts, over: connection, backoff: &backoff) else { return }
            tracker.withLock { tracker in for part in parts { tracker.acknowledge(part.record) } }
        }
    }

    static let headers: [(name: String, value: String)] = [
        ("Content-Encoding", "snappy"), ("Content-Type", "application/x-protobuf"),
        ("X-Prometheus-Remote-Write-Version", "0.1.0"),
    ]

    /// Sends one request until the upstream takes it (true), refuses it for
    /// good (true: dropped and counted; see ``refusals``), or the sender stops
    /// (false: not acknowledged, resent after restart).
    private func deliver(
        _ body: [UInt8], samples: Int, parts: [ShardPart], over connection: HTTPConnection, backoff: inout Backoff
    ) -> Bool {
        while !isStopping {
            let started = ContinuousClock.now
            let failure: (reason: String, message: String, retryAfter: Duration?)
            do {
                let reply = try connection.post(body: body, headers: Self.headers)
                let seconds = (ContinuousClock.now - started).seconds
                if reply.isSuccess {
                    backoff.reset()
                    let oldest = parts.map(\.acknowledgedAt).min() ?? 0
                    let delay = max(0, Date().timeIntervalSince1970 - Double(oldest) / 1000)
                    stats.withLock { $0.recordSent(samples: samples, at: Date()) }
                    observer?.sent(upstream: url.description, samples: samples, seconds: seconds, delaySeconds: delay)
                    return true
                }
                if Self.refusals.contains(reply.status) {
                    let reason = "http_\(reply.status)"
                    logger.error(
                        "forward: upstream refused a request; its samples are dropped (not retried)",
                        metadata: ["upstream": "\(url)", "status": "\(reply.status)", "samples": "\(samples)", "body": "\(reply.body)"])
                    stats.withLock { $0.recordDropped(samples: samples, reason: "\(reply.status): \(reply.body)") }
                    observer?.dropped(upstream: url.description, samples: samples, reason: reason)
                    return true
                }
                failure = ("http_\(reply.status)", "HTTP \(reply.status): \(reply.body)", reply.retryAfter)
            } catch {
                failure = (error.code == .connect ? "connect" : "io", error.description, nil)
            }
            let wait = backoff.next(retryAfter: failure.retryAfter)
            stats.withLock { $0.recordRetry(failure.message, at: Date()) }
            observer?.retried(upstream: url.description, reason: failure.reason)
            sleep(wait)
        }
        return false
    }

    /// Sleeps up to `duration`, waking early when the sender stops.
    private func sleep(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while !isStopping && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: min(0.1, (deadline - ContinuousClock.now).seconds))
        }
    }

    /// Samples read ahead and waiting in the shard queues.
    var queuedSamples: Int { queues.reduce(0) { $0 + $1.queuedSamples } }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
