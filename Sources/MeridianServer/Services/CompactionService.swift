import Logging
import ServiceLifecycle
import Storage

/// Merges blocks in the background (``Store/compact()``) once a minute, as
/// Prometheus does; `POST /api/v1/admin/compact` runs one at once. At
/// shutdown a running merge stops at its next series and leaves the blocks
/// as they were.
struct CompactionService: Service {
    let state: ServerState
    /// How often to look for blocks to merge.
    static let interval = Duration.seconds(60)

    func run() async throws {
        let store = state.store
        await withGracefulShutdownHandler {
            await cancelWhenGracefulShutdown { await compactPeriodically() }
        } onGracefulShutdown: {
            store.cancelCompaction()
        }
    }

    private func compactPeriodically() async {
        let store = state.store
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.interval)
            guard state.isReady, !Task.isCancelled else { continue }
            do {
                _ = try await state.maintenance.run { try store.compact() }
            } catch {
                state.logger.error("compaction failed; the blocks stay as they were", metadata: ["error": "\(error)"])
            }
        }
    }
}
