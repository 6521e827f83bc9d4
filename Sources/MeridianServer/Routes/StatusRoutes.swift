import Hummingbird
import Storage

/// Build information, health, readiness and Meridian's own metrics.
struct StatusRoutes: Sendable {
    let state: ServerState

    /// Meridian's version.
    static let version = "0.1.0"
    /// The Prometheus version whose API Meridian speaks. Grafana reads `version`
    /// from buildinfo to decide which PromQL features it may use, so it names
    /// the Prometheus release Meridian is tested against (as VictoriaMetrics does).
    static let prometheusCompatibleVersion = "2.42.0"

    func buildInfo() -> Response {
        .success { w in
            w.raw(#"{"version":"#)
            w.string(Self.prometheusCompatibleVersion)
            w.raw(#","revision":"","branch":"","buildUser":"","buildDate":"","goVersion":"","application":"meridian","meridianVersion":"#)
            w.string(Self.version)
            w.raw("}")
        }
    }

    /// `POST /api/v1/admin/flush`: persists the whole head into blocks now.
    func flush() async throws -> Response {
        guard state.isReady else { throw APIError(.unavailable, "Meridian is starting: WAL replay in progress") }
        let store = state.store
        let written = try await state.maintenance.run {
            let written = try store.flush()
            try store.applyRetention()
            return written
        }
        return Self.blockList(written)
    }

    /// `POST /api/v1/admin/compact`: merges blocks now, as the background
    /// compaction would; answers when done, with the blocks made.
    func compact() async throws -> Response {
        guard state.isReady else { throw APIError(.unavailable, "Meridian is starting: WAL replay in progress") }
        let store = state.store
        return Self.blockList(try await state.maintenance.run { try store.compact() })
    }

    /// `{"blocks":[{"id":…,"minTime":…,"maxTime":…,"series":…,"samples":…},…]}`
    private static func blockList(_ metas: [BlockMeta]) -> Response {
        .success { w in
            w.raw(#"{"blocks":["#)
            for (i, meta) in metas.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw(#"{"id":"#)
                w.string("\(meta.id)")
                w.rawString(#","minTime":\#(meta.minTime),"maxTime":\#(meta.maxTime),"series":\#(meta.stats.series),"samples":\#(meta.stats.samples)}"#)
            }
            w.raw("]}")
        }
    }

    func healthy() -> Response { .text("Meridian is Healthy.", status: .ok) }

    func ready() -> Response {
        state.isReady
            ? .text("Meridian is Ready.", status: .ok)
            : .text("Meridian is not ready: WAL replay in progress.", status: .serviceUnavailable)
    }

    func metrics() -> Response {
        state.metrics.headSeries.set(to: Double(state.head.seriesCount))
        if let wal = state.wal { state.metrics.walBytes.set(to: Double(wal.diskBytes)) }
        state.queries.metrics.memoryHeld.set(to: Double(state.queries.memory.usedBytes))
        if let forwarder = state.forwarder { state.forwardMetrics?.update(from: forwarder) }
        if let ha = state.ingest.ha {
            state.metrics.registry.makeGauge(
                name: "meridian_ha_deduplicated_samples", help: "Samples of standby HA replicas not stored (another replica's copy is)."
            ).set(to: Double(ha.deduplicated.load(ordering: .relaxed)))
            for r in ha.replicas() {
                state.metrics.registry.makeGauge(
                    name: "meridian_ha_elected_replica",
                    labels: [("center", r.center), ("cluster", r.cluster), ("ha_replica", r.replica)],
                    help: "1 for the replica of each HA pair whose samples are stored, 0 for the standbys (label ha_replica, not replica, which the HA stage itself reads)."
                ).set(to: r.elected ? 1 : 0)
            }
        }
        let head = state.head
        state.centers?.updateMetrics(in: state.metrics.registry) { head.seriesCount(label: "center", value: $0) }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: state.metrics.registry.emitToBuffer())))
    }
}
