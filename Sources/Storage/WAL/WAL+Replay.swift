import Logging

extension WAL {
    /// Reads the log in `directory` back, in write order: the records of the
    /// newest complete checkpoint, then those of every segment from the
    /// checkpoint's index on.
    ///
    /// Never stops at damage. A torn record at the very end of the newest
    /// segment is what `kill -9` during an append leaves (it was never
    /// acknowledged): it is skipped with a warning and noted in
    /// ``WALReplayStats/tornTail``. Anything else — a bad checksum, an
    /// impossible length, a missing segment, an unreadable file, a record
    /// that does not decode — is logged as an error with the file and byte
    /// offset and listed in ``WALReplayStats/corruptions``; the rest of that
    /// file is skipped (for a record that does not decode, only that record)
    /// and replay goes on with the next.
    ///
    /// Read-only; a missing directory replays nothing. Logs progress at info
    /// every 5% of the bytes.
    /// - Throws: what `onRecord` throws (replay stops there), or a
    ///   `StorageError` when the directory cannot be listed.
    public static func replay(
        directory: String, logger: Logger, onRecord: (WALRecord) throws -> Void
    ) throws -> WALReplayStats {
        let started = ContinuousClock.now
        var stats = WALReplayStats()
        guard WALFiles.isDirectory(directory) else {
            logger.info("WAL replay: no log in \(directory)")
            return stats
        }
        let files = try replayOrder(directory: directory, stats: &stats, logger: logger)
        let totalBytes = max(1, files.reduce(Int64(0)) { $0 + (WALFiles.size($1.path) ?? 0) })
        logger.info(
            "WAL replay: \(files.count) files, \(totalBytes) bytes, checkpoint \(stats.checkpoint.map(String.init) ?? "none")"
        )

        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 16)
        defer { buffer.deallocate() }
        var nextPercent = 5
        for (number, file) in files.enumerated() {
            let size: Int
            do {
                size = try WALFiles.read(file.path, into: &buffer)
            } catch {
                report("\(file.path): unreadable, skipped: \(error)", file: file.path, in: &stats, logger: logger)
                continue
            }
            let bytesBefore = stats.bytes
            stats.segments += 1
            var scanner = WALFrameScanner(UnsafeRawBufferPointer(rebasing: buffer[0..<size]))
            scan: while true {
                switch scanner.next() {
                case .record(let payload, let offset):
                    let record: WALRecord
                    do {
                        record = try WALRecord.decode(payload)
                    } catch {
                        report(
                            "\(file.path) at offset \(offset): \(error.message); record skipped", file: file.path,
                            in: &stats, logger: logger)
                        continue
                    }
                    stats.count(record)
                    try onRecord(record)
                    let percent = Int((bytesBefore + Int64(scanner.offset)) * 100 / totalBytes)
                    if percent >= nextPercent {
                        logger.info(
                            "WAL replay: segment \(number + 1)/\(files.count), \(percent)%, \(abbreviated(stats.samples)) samples"
                        )
                        nextPercent = percent / 5 * 5 + 5
                    }
                case .end:
                    break scan
                case .damaged(let offset, let reason, let tornWrite):
                    if file.isNewestSegment && tornWrite {
                        let note =
                            "\(file.path) at offset \(offset): \(reason); \(size - offset) bytes never acknowledged"
                        logger.warning("WAL replay: ignoring torn write at the end of the log: \(note)")
                        stats.tornTail = note
                    } else {
                        report(
                            "\(file.path) at offset \(offset): \(reason); skipped the remaining \(size - offset) bytes",
                            file: file.path, in: &stats, logger: logger)
                    }
                    break scan
                }
            }
            stats.bytes = bytesBefore + Int64(size)
        }
        stats.duration = ContinuousClock.now - started
        logger.info(
            "WAL replay done: \(stats.records) records, \(stats.series) series, \(stats.samples) samples, \(stats.chunks) chunks, \(stats.bytes) bytes, \(stats.segments) files, \(stats.corruptions.count) corruptions, in \(stats.duration)"
        )
        return stats
    }

    /// A file to replay, in order.
    private struct ReplayFile {
        var path: String
        /// The last segment of the log proper, where a torn write is expected.
        var isNewestSegment: Bool
    }

    /// The checkpoint's files, then the segments from its index on. Gaps in
    /// the numbering are reported: a missing segment is lost data.
    private static func replayOrder(
        directory: String, stats: inout WALReplayStats, logger: Logger
    ) throws(StorageError) -> [ReplayFile] {
        let listing = try WALFiles.listing(of: directory)
        var files: [ReplayFile] = []
        if let checkpoint = listing.newestCheckpoint {
            stats.checkpoint = checkpoint
            let checkpointDirectory = WALFiles.join(directory, WALFiles.checkpointName(checkpoint))
            for index in try WALFiles.listing(of: checkpointDirectory).segments {
                files.append(
                    ReplayFile(
                        path: WALFiles.join(checkpointDirectory, WALFiles.segmentName(index)), isNewestSegment: false))
            }
        }
        let segments = listing.segments.filter { $0 >= (listing.newestCheckpoint ?? Int.min) }
        var expected = listing.newestCheckpoint ?? segments.first ?? 0
        for index in segments {
            if index != expected {
                let missing = index - 1 == expected ? "\(expected)" : "\(expected)...\(index - 1)"
                report(
                    "\(directory): segment \(missing) missing before \(WALFiles.segmentName(index))", in: &stats,
                    logger: logger)
            }
            files.append(
                ReplayFile(
                    path: WALFiles.join(directory, WALFiles.segmentName(index)), isNewestSegment: index == segments.last
                ))
            expected = index + 1
        }
        return files
    }

    private static func report(
        _ corruption: String, file: String? = nil, in stats: inout WALReplayStats, logger: Logger
    ) {
        logger.error("WAL replay: corruption: \(corruption)")
        stats.corruptions.append(corruption)
        if let file, !stats.damagedFiles.contains(file) { stats.damagedFiles.append(file) }
    }

    /// 1234567 -> "1.2M": progress lines are read by people.
    private static func abbreviated(_ n: Int) -> String {
        switch n {
        case ..<10_000: return "\(n)"
        case ..<1_000_000: return "\(n / 1000).\(n / 100 % 10)k"
        default: return "\(n / 1_000_000).\(n / 100_000 % 10)M"
        }
    }
}

extension WALReplayStats {
    fileprivate mutating func count(_ record: WALRecord) {
        records += 1
        switch record {
        case .series(let s): series += s.count
        case .samples(let s): samples += s.count
        case .chunks(let c): chunks += c.count
        }
    }
}
