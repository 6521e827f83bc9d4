import MeridianModel
import Testing

@testable import MeridianServer

/// The center states from writes alone, on an injected clock.
@Suite struct CenterTrackerTests {
    static var thresholds: CenterTracker.Thresholds {
        var t = CenterTracker.Thresholds()
        t.laggingAfter = 10
        t.silentAfter = 30
        t.linkTimeout = 15
        return t
    }

    static func state(_ tracker: CenterTracker, _ name: String, at now: Double) -> (String, String) {
        let r = tracker.reports(now: now).first { $0.center.name == name }!
        return (r.state, r.link)
    }

    @Test func aReceiverWithHeartbeatsIsLiveThenSilentWhenItsDataStops() {
        var tracker = CenterTracker(thresholds: Self.thresholds)
        tracker.record(center: "bj", samples: 100, newest: 1_000_000, heartbeat: .init(lastIngest: 1000), now: 1000)
        #expect(Self.state(tracker, "bj", at: 1001) == ("live", "up"))
        #expect(Self.state(tracker, "bj", at: 1011) == ("lagging", "up"))
        // Heartbeats keep arriving, data does not: the senders stopped.
        tracker.record(center: "bj", samples: 0, newest: nil, heartbeat: .init(lastIngest: 1000), now: 1040)
        #expect(Self.state(tracker, "bj", at: 1041) == ("silent", "up"))
    }

    @Test func nothingArrivingIsALinkProblemNotSilence() {
        var tracker = CenterTracker(thresholds: Self.thresholds)
        tracker.record(center: "sh", samples: 5, newest: 1_000_000, heartbeat: .init(), now: 1000)
        #expect(Self.state(tracker, "sh", at: 1016) == ("lagging", "down"))
        #expect(Self.state(tracker, "sh", at: 5000) == ("lagging", "down"), "never silent while cut off")
        // The backlog arrives: the link is up again.
        tracker.record(center: "sh", samples: 5, newest: 5_000_000, heartbeat: .init(forwardLag: 0.1), now: 5000)
        #expect(Self.state(tracker, "sh", at: 5001) == ("live", "up"))
    }

    @Test func aReportedBacklogIsLagging() {
        var tracker = CenterTracker(thresholds: Self.thresholds)
        tracker.record(center: "gz", samples: 5, newest: 1_000_000, heartbeat: .init(forwardLag: 120), now: 1000)
        #expect(Self.state(tracker, "gz", at: 1001) == ("lagging", "up"))
    }

    @Test func aCenterWithoutReceiverIsJudgedByItsDataAlone() {
        var tracker = CenterTracker(thresholds: Self.thresholds)
        tracker.record(center: "dr", samples: 5, newest: 1_000_000, heartbeat: nil, now: 1000)
        #expect(Self.state(tracker, "dr", at: 1005) == ("live", "unknown"))
        #expect(Self.state(tracker, "dr", at: 1020) == ("lagging", "unknown"))
        #expect(Self.state(tracker, "dr", at: 1031) == ("silent", "unknown"))
    }

    @Test func feedsAreSplitByCenterWithHeartbeatsApart() {
        let batch = SampleBatch(series: [
            (Labels(["__name__": "up", "center": "a"]), [Sample(t: 5, v: 1), Sample(t: 9, v: 1)]),
            (Labels(["__name__": "up", "center": "b"]), [Sample(t: 7, v: 1)]),
            (Labels(["__name__": CenterTracker.lastIngestMetric, "center": "a"]), [Sample(t: 20, v: 123.5)]),
            (Labels(["__name__": "up"]), [Sample(t: 30, v: 1)]),
        ])
        let feeds = batch.feedsByCenter()
        #expect(feeds.count == 2)
        #expect(feeds["a"]?.samples == 2 && feeds["a"]?.newest == 9 && feeds["a"]?.heartbeat?.lastIngest == 123.5)
        #expect(feeds["b"]?.samples == 1 && feeds["b"]?.newest == 7 && feeds["b"]?.heartbeat == nil)
    }
}
