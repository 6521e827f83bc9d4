import Metrics

/// The store's metrics, through the swift-metrics API (`meridian serve`
/// backs it with the registry `/metrics` renders; elsewhere they are no-ops).
struct StoreMetrics: Sendable {
    /// Blocks queries read.
    let blocks = Gauge(label: "meridian_blocks")
    /// Blocks written from the head (cuts and flushes).
    let blocksWritten = Counter(label: "meridian_blocks_written_total")
    /// Blocks found damaged and moved to `quarantine/` while running.
    let blocksQuarantined = Counter(label: "meridian_blocks_quarantined_total")
    /// Compactions that published a merged block.
    let compactions = Counter(label: "meridian_compactions_total")
    /// Compactions that failed (the parents stay in service).
    let compactionsFailed = Counter(label: "meridian_compactions_failed_total")
    /// Wall time of each finished compaction.
    let compactionDuration = Metrics.Timer(label: "meridian_compaction_duration_seconds")
    /// Samples written into merged blocks.
    let compactedSamples = Counter(label: "meridian_compaction_samples_total")
    /// 1 while a compaction runs.
    let compactionRunning = Gauge(label: "meridian_compaction_running")
}
