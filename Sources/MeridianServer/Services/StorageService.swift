import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Owns the store's life: replays the WAL at start (the server answers
/// `/-/healthy` meanwhile and 503 elsewhere), then fsyncs the WAL on an interval
/// and checkpoints it when it has grown, and saves new metric metadata; at
/// shutdown it closes the WAL, which commits and fsyncs everything.
struct StorageService: Service {
    let state: ServerState
    let walDirectory: String

    func run() async throws {
        let logger = state.logger
        let started = ContinuousClock.now
        let stats = try state.store.replayWAL(from: walDirectory)
        let elapsed = ContinuousClock.now - started
        state.metrics.walReplaySeconds.set(to: elapsed.seconds)
        logger.info(
            "WAL replay done; ready",
            metadata: [
                "series": "\(state.head.seriesCount)", "samples": "\(stats.samples)", "duration": "\(elapsed)",
            ])
        state.markReady()

        await cancelWhenGracefulShutdown { await maintainWAL() }
        try state.wal?.close()
        logger.info("WAL closed")
        saveMetadata()
    }

    /// Every interval: fsyncs the WAL, cuts head data old enough into blocks (which
    /// checkpoints the WAL), or checkpoints it when it has grown; until cancelled.
    /// After a failed cut (a full disk, say) cuts pause for ``cutRetryDelay``.
    private func maintainWAL() async {
        let logger = state.logger
        var sizeAtLastCheckpoint = state.wal?.diskBytes ?? 0
        let interval = state.config.walFsyncInterval > 0 ? state.config.walFsyncInterval : 1
        var nextCut = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(interval))
            saveMetadata()
            guard let wal = state.wal else { continue }
            do {
                if state.config.walFsyncInterval > 0 { try wal.sync() }
                guard ContinuousClock.now >= nextCut else { continue }
                let store = state.store
                if try await state.maintenance.run({ try store.cutBlocksIfNeeded() }).isEmpty == false {
                    sizeAtLastCheckpoint = wal.diskBytes
                    try store.applyRetention()
                } else if wal.diskBytes - sizeAtLastCheckpoint > Int64(state.config.walCheckpointAfter) {
                    try await state.maintenance.run { try store.checkpoint() }
                    sizeAtLastCheckpoint = wal.diskBytes
                }
            } catch {
                nextCut = ContinuousClock.now + Self.cutRetryDelay
                logger.error("WAL maintenance failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Writes metric metadata that arrived since the last save; a failure is
    /// logged and retried at the next interval.
    private func saveMetadata() {
        do {
            try state.metadata.saveIfChanged()
        } catch {
            state.logger.error("cannot save metric metadata", metadata: ["error": "\(error)"])
        }
    }

    /// How long cuts pause after one failed.
    static let cutRetryDelay = Duration.seconds(30)
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
