import Foundation
import MeridianModel
import Synchronization

/// The global layer's view of every center, from the writes it receives:
/// when the center's data last arrived, how new it is, how fast it comes,
/// and what the center itself reports in its heartbeat (its link to us,
/// when its own senders last wrote, its forward lag).
///
/// The point is to tell apart the two failures a traffic manager must treat
/// differently:
/// - **the center is down** (its Prometheus servers stopped sending): its
///   receiver still forwards heartbeats, so the link is up, but no data is new
///   → `silent`;
/// - **the link is down** (a partition): nothing at all arrives, heartbeats
///   included, while the center keeps its data queued → `lagging`, with
///   `link: down`, never `silent`.
///
/// A pure value driven by the times it is given; the pipeline feeds it and
/// the routes read it, under one lock.
public struct CenterTracker: Sendable {
    /// The metric a center receiver writes every `center.heartbeat_interval`:
    /// its wall-clock time, in seconds.
    public static let heartbeatMetric = "meridian_center_heartbeat_timestamp_seconds"
    /// Heartbeat companion: when the center last accepted samples from its own senders (seconds).
    public static let lastIngestMetric = "meridian_center_last_ingest_timestamp_seconds"
    /// Heartbeat companion: the center's largest forward lag among its upstreams (seconds).
    public static let forwardLagMetric = "meridian_center_forward_lag_seconds"

    /// When a center counts as lagging, silent, or cut off.
    public struct Thresholds: Sendable, Equatable {
        /// Data newer than this is live.
        public var laggingAfter: Double = 30
        /// A center whose link is up but whose data is older than this is silent.
        public var silentAfter: Double = 30
        /// No write at all (data or heartbeat) for this long: the link is down.
        public var linkTimeout: Double = 15
        public init() {}
    }

    /// What is known about one center.
    public struct Center: Sendable {
        public var name: String
        /// Wall-clock seconds of the last write carrying this center's series.
        public var lastWrite: Double = 0
        /// Newest sample time (ms) of the center's data (heartbeats excluded).
        public var newestSample: Int64 = .min
        /// Wall-clock seconds when the last heartbeat arrived, and what it said.
        public var lastHeartbeat: Double?
        public var reportedLastIngest: Double?
        public var reportedForwardLag: Double?
        public var samplesReceived: UInt64 = 0
        /// Samples received per wall-clock second, for the last 16 seconds.
        var perSecond = [UInt64](repeating: 0, count: 16)
        var perSecondStart = 0
    }

    /// A center's state as `/api/v1/centers` reports it.
    public struct Report: Sendable {
        public var center: Center
        /// `live`, `lagging` or `silent`.
        public var state: String
        /// `up`, `down`, or `unknown` (a center writing without a Meridian receiver sends no heartbeat).
        public var link: String
        public var reason: String
        public var newestSampleAge: Double?
        public var lastWriteAge: Double
        public var samplesPerSecond: Double
    }

    public var thresholds: Thresholds
    public private(set) var centers: [String: Center] = [:]

    public init(thresholds: Thresholds = Thresholds()) { self.thresholds = thresholds }

    /// Counts one write: `samples` data samples of `center` whose newest is
    /// `newest` (ms), and a heartbeat if the write carried one.
    public mutating func record(
        center name: String, samples: Int, newest: Int64?, heartbeat: Heartbeat?, now: Double
    ) {
        var c = centers[name] ?? Center(name: name)
        c.lastWrite = max(c.lastWrite, now)
        if let newest { c.newestSample = max(c.newestSample, newest) }
        c.samplesReceived += UInt64(samples)
        let second = Int(now)
        advance(&c, to: second)
        c.perSecond[second & 15] += UInt64(samples)
        if let heartbeat {
            c.lastHeartbeat = now
            if let v = heartbeat.lastIngest { c.reportedLastIngest = max(c.reportedLastIngest ?? 0, v) }
            if let v = heartbeat.forwardLag { c.reportedForwardLag = v }
        }
        centers[name] = c
    }

    /// What a center's heartbeat series said in one write.
    public struct Heartbeat: Sendable, Equatable {
        public var lastIngest: Double?
        public var forwardLag: Double?
        public init(lastIngest: Double? = nil, forwardLag: Double? = nil) {
            self.lastIngest = lastIngest
            self.forwardLag = forwardLag
        }
    }

    /// Zeroes the per-second buckets between the last one written and `second`.
    private func advance(_ c: inout Center, to second: Int) {
        if c.perSecondStart == 0 { c.perSecondStart = second }
        if second - c.perSecondStart >= 16 {
            c.perSecond = [UInt64](repeating: 0, count: 16)
        } else {
            var s = c.perSecondStart + 1
            while s <= second {
                c.perSecond[s & 15] = 0
                s += 1
            }
        }
        c.perSecondStart = max(c.perSecondStart, second)
    }

    /// Every center's state at `now` (wall-clock seconds), sorted by name.
    public func reports(now: Double) -> [Report] {
        centers.keys.sorted().map { report(centers[$0]!, now: now) }
    }

    func report(_ c: Center, now: Double) -> Report {
        let writeAge = max(0, now - c.lastWrite)
        let dataAge = c.newestSample == .min ? nil : max(0, now - Double(c.newestSample) / 1000)
        // The last 10 complete seconds.
        var recent: UInt64 = 0
        let second = Int(now)
        if second - c.perSecondStart < 16 {
            for s in (second - 10)..<second where s > c.perSecondStart - 16 && s <= c.perSecondStart {
                recent += c.perSecond[s & 15]
            }
        }
        let rate = Double(recent) / 10
        let link: String
        let state: String
        let reason: String
        let t = thresholds
        if let heartbeat = c.lastHeartbeat {
            let heartbeatAge = max(0, now - heartbeat)
            link = heartbeatAge > t.linkTimeout ? "down" : "up"
            if heartbeatAge > t.linkTimeout {
                state = "lagging"
                reason = "nothing from the center receiver for \(Self.seconds(writeAge)): its link (or the receiver) is down; the center queues its data"
            } else if dataAge == nil || dataAge! > t.silentAfter {
                state = "silent"
                let since = c.reportedLastIngest.map { " (its senders last wrote \(Self.seconds(max(0, now - $0))) ago)" } ?? ""
                reason = "the center is reachable but has no new data\(since): its senders stopped"
                    + (dataAge.map { "; newest sample is \(Self.seconds($0)) old" } ?? "")
            } else if let lag = c.reportedForwardLag, lag > t.laggingAfter {
                state = "lagging"
                reason = "the center reports a forward backlog of \(Self.seconds(lag))"
            } else {
                state = dataAge! > t.laggingAfter ? "lagging" : "live"
                reason = "newest sample is \(Self.seconds(dataAge!)) old"
            }
        } else {
            // Written to directly, with no receiver's heartbeat: only data age tells.
            link = "unknown"
            if let dataAge, dataAge <= t.silentAfter {
                state = dataAge > t.laggingAfter ? "lagging" : "live"
                reason = "newest sample is \(Self.seconds(dataAge)) old"
            } else {
                state = "silent"
                reason = "no new data" + (dataAge.map { "; newest sample is \(Self.seconds($0)) old" } ?? "")
            }
        }
        return Report(
            center: c, state: state, link: link, reason: reason, newestSampleAge: dataAge, lastWriteAge: writeAge,
            samplesPerSecond: rate)
    }

    static func seconds(_ value: Double) -> String { String(format: "%.1fs", value) }
}
