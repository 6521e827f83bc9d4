import Foundation
import MeridianModel
import Synchronization

/// The ``CenterTracker`` of a global layer, fed by the ingest pipeline and
/// read by `/api/v1/centers` and `/metrics`.
public final class CenterRegistry: Sendable {
    private let tracker: Mutex<CenterTracker>

    public init(thresholds: CenterTracker.Thresholds) { tracker = Mutex(CenterTracker(thresholds: thresholds)) }

    /// Records what `batch` (as stored) brings from each center.
    /// - Complexity: O(labels of the batch); a `String` is built only when the center changes from one series to the next.
    public func observe(_ batch: SampleBatch, now: Double = Date().timeIntervalSince1970) {
        let feeds = batch.feedsByCenter()
        guard !feeds.isEmpty else { return }
        tracker.withLock { tracker in
            for (center, feed) in feeds {
                tracker.record(center: center, samples: feed.samples, newest: feed.newest, heartbeat: feed.heartbeat, now: now)
            }
        }
    }

    /// Every center's state now.
    public func reports(now: Double = Date().timeIntervalSince1970) -> [CenterTracker.Report] {
        tracker.withLock { $0.reports(now: now) }
    }
}

/// What one write brings from one center.
struct CenterFeed {
    var samples = 0
    var newest: Int64?
    var heartbeat: CenterTracker.Heartbeat?
}

extension SampleBatch {
    /// The samples of each center in the batch (series without a `center`
    /// label are nobody's), its newest data sample, and the heartbeat series'
    /// latest values.
    func feedsByCenter() -> [String: CenterFeed] {
        var feeds: [String: CenterFeed] = [:]
        var lastBytes: ArraySlice<UInt8> = []
        var lastName = ""
        for i in series.indices {
            let entry = series[i]
            var centerRange: LabelRange?
            var metric: ArraySlice<UInt8> = []
            for range in labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)] {
                let name = bytes[Int(range.nameStart)..<Int(range.nameStart + range.nameLength)]
                if name.elementsEqual("center".utf8) { centerRange = range }
                if name.elementsEqual("__name__".utf8) {
                    metric = bytes[Int(range.valueStart)..<Int(range.valueStart + range.valueLength)]
                }
            }
            guard let centerRange, entry.sampleCount > 0 else { continue }
            let value = bytes[Int(centerRange.valueStart)..<Int(centerRange.valueStart + centerRange.valueLength)]
            if !value.elementsEqual(lastBytes) {
                lastBytes = value
                lastName = String(decoding: value, as: UTF8.self)
            }
            let own = samples[Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount)]
            var feed = feeds[lastName] ?? CenterFeed()
            let latest = own.max { $0.t < $1.t }!
            if metric.elementsEqual(CenterTracker.heartbeatMetric.utf8) {
                feed.heartbeat = feed.heartbeat ?? CenterTracker.Heartbeat()
            } else if metric.elementsEqual(CenterTracker.lastIngestMetric.utf8) {
                var h = feed.heartbeat ?? CenterTracker.Heartbeat()
                h.lastIngest = latest.v
                feed.heartbeat = h
            } else if metric.elementsEqual(CenterTracker.forwardLagMetric.utf8) {
                var h = feed.heartbeat ?? CenterTracker.Heartbeat()
                h.forwardLag = latest.v
                feed.heartbeat = h
            } else {
                feed.samples += own.count
                feed.newest = max(feed.newest ?? .min, latest.t)
            }
            feeds[lastName] = feed
        }
        return feeds
    }
}
