import Logging
import MeridianModel

/// The log lines of one compaction: what it merges, how far it has got
/// (every 10 seconds, against the parents' sample count, an upper bound on
/// what the merged block holds), and what it made.
final class CompactionProgress {
    private let parents: [BlockMeta]
    private let logger: Logger
    private let expectedSamples: Int
    private var samples = 0
    private var series = 0
    private var nextReport = ContinuousClock.now + .seconds(10)

    init(parents: [BlockMeta], logger: Logger) {
        self.parents = parents
        self.logger = logger
        expectedSamples = max(1, parents.reduce(0) { $0 + $1.stats.samples })
    }

    func started() {
        logger.info(
            "compaction started",
            metadata: [
                "blocks": "\(parents.map(\.id))", "min_time": "\(parents.map(\.minTime).min()!)",
                "max_time": "\(parents.map(\.maxTime).max()!)",
                "series": "\(parents.reduce(0) { $0 + $1.stats.series })", "samples": "\(expectedSamples)",
            ])
    }

    func wrote(samples count: Int) {
        samples += count
        series += 1
        guard ContinuousClock.now >= nextReport else { return }
        nextReport = ContinuousClock.now + .seconds(10)
        logger.info(
            "compaction progress",
            metadata: [
                "percent": "\(min(100, samples * 100 / expectedSamples))", "series": "\(series)",
                "samples": "\(samples)",
            ])
    }

    func finished(_ merged: BlockMeta, duration: Duration) {
        logger.info(
            "compaction done",
            metadata: [
                "block": "\(merged.id)", "level": "\(merged.compaction.level)", "min_time": "\(merged.minTime)",
                "max_time": "\(merged.maxTime)", "series": "\(merged.stats.series)",
                "samples": "\(merged.stats.samples)", "merged": "\(parents.count)", "duration": "\(duration)",
            ])
    }
}
