import Forwarding
import Foundation
import MeridianModel
import ServiceLifecycle

/// A center's heartbeat: every `center.heartbeat_interval` it writes, through
/// its own ingest pipeline (so with its center label, into its store and its
/// forward log), the series the global layer reads to tell a down link from
/// silent senders: its clock, when its senders last wrote, and its largest
/// forward lag. Heartbeats queue with the data while the link is down and
/// arrive in order after it.
struct HeartbeatService: Service {
    let state: ServerState
    let forwarder: Forwarder
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                beat()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func beat() {
        // Nothing is written before the WAL is replayed.
        guard state.isReady else { return }
        let ingest = state.ingest
        let now = Date().timeIntervalSince1970
        let t = Int64(now * 1000)
        var series: [(Labels, [Sample])] = [(Labels(["__name__": CenterTracker.heartbeatMetric]), [Sample(t: t, v: now)])]
        let last = ingest.lastIngest.load(ordering: .relaxed)
        if last > 0 {
            series.append((Labels(["__name__": CenterTracker.lastIngestMetric]), [Sample(t: t, v: Double(last) / 1000)]))
        }
        let lag = forwarder.status().map(\.lagSeconds).max() ?? 0
        series.append((Labels(["__name__": CenterTracker.forwardLagMetric]), [Sample(t: t, v: lag)]))
        do {
            _ = try ingest.ingest(SampleBatch(series: series), heartbeat: true)
        } catch {
            state.logger.error("cannot write the center heartbeat", metadata: ["error": "\(error)"])
        }
    }
}
