import Forwarding
import Foundation
import MeridianModel
import Synchronization

/// What every remote-write request goes through once decoded and validated,
/// in this order:
/// 1. enforce the center's labels: add `center` and the external labels to
///    series that lack them, refuse series that claim another center;
/// 2. HA dedup; center freshness (``CenterRegistry``) on a layer that
///    receives centers' feeds;
/// 3. append to the local store through the ``Appender`` seam (WAL first);
/// 4. log what was kept for the upstreams (``Forwarder``), before the
///    request is acknowledged, so no acknowledged sample escapes forwarding.
///
/// A value built once per process by the role composition; the route only
/// maps its result to HTTP.
public final class IngestPipeline: Sendable {
    /// Labels added to every series that lacks them; `center` among them on a center.
    public let enforcedLabels: Labels
    /// The center this receiver is (nil: it accepts any center's series).
    public let centerName: String?
    public let appender: any Appender
    public let forwarder: Forwarder?
    /// Each center's freshness, on a layer that receives centers' feeds.
    public let centers: CenterRegistry?
    /// One copy of what HA replica pairs send (nil: `ha.replica_label` empty).
    public let ha: HADeduplicator?
    /// Wall-clock milliseconds of the last write from a sender (heartbeats
    /// excluded), which a center's heartbeat reports upstream.
    public let lastIngest = Atomic<Int64>(0)

    public init(
        enforcedLabels: Labels, centerName: String?, appender: any Appender, forwarder: Forwarder?,
        centers: CenterRegistry?, ha: HADeduplicator?
    ) {
        self.ha = ha
        self.enforcedLabels = enforcedLabels
        self.centerName = centerName
        self.appender = appender
        self.forwarder = forwarder
        self.centers = centers
    }

    /// Series refused because they belong to another center.
    public struct ForeignSeries: Sendable {
        public var series: Int
        public var samples: Int
        /// The first one, for the message.
        public var example: Labels
    }

    /// What happened to a batch.
    public struct Result: Sendable {
        public var outcome: AppendOutcome
        public var foreign: ForeignSeries?
        /// HA failovers this batch caused.
        public var failovers: [HADeduplicator.Failover] = []
    }

    /// Why a batch could not be acknowledged (the sender should retry).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Stage: String, Sendable { case store, forwardLog = "forward log" }
        public var stage: Stage
        public var message: String
        public var description: String { "\(stage.rawValue): \(message)" }
    }

    /// Runs the stages on `batch`. `labelsEnforced`: the decoder already
    /// added ``enforcedLabels`` where they were missing (see
    /// `RemoteWriteDecoder.decodeRequest(…adding:)`). `heartbeat`: the batch
    /// is the center's own heartbeat, which does not count as a write from
    /// its senders.
    /// - Throws: ``Failure`` when the store or the forward log cannot write;
    ///   nothing is acknowledged then, and a retry is safe (the store accepts
    ///   exact duplicates silently).
    /// - Note: `batch` is consumed, so that adding the center's labels to its
    ///   bytes does not copy the whole decoded request.
    public func ingest(_ batch: consuming SampleBatch, labelsEnforced: Bool = false, heartbeat: Bool = false)
        throws(Failure) -> Result
    {
        var batch = batch
        let foreign = removeForeignSeries(&batch)
        if !labelsEnforced { batch.addMissingLabels(enforcedLabels) }
        let (parts, failovers) = ha?.process(batch) ?? ([batch], [])
        var outcome = AppendOutcome()
        for part in parts {
            let kept: SampleBatch
            do {
                let partOutcome = try appender.append(part)
                outcome.add(partOutcome)
                kept = part.removingSamples(at: partOutcome.refusedSampleIndices)
            } catch {
                throw Failure(stage: .store, message: "\(error)")
            }
            centers?.observe(kept)
            if let forwarder {
                do {
                    try forwarder.append(kept)
                } catch {
                    throw Failure(stage: .forwardLog, message: error.description)
                }
            }
        }
        if !heartbeat { lastIngest.store(Int64(Date().timeIntervalSince1970 * 1000), ordering: .relaxed) }
        return Result(outcome: outcome, foreign: foreign, failovers: failovers)
    }

    /// Takes out of `batch` every series whose `center` label names another center.
    private func removeForeignSeries(_ batch: inout SampleBatch) -> ForeignSeries? {
        guard let centerName, let first = batch.firstSeries(withLabel: "center", otherThan: centerName) else { return nil }
        var refusedSamples: [Int] = []
        var count = 0
        for i in first.index..<batch.series.count {
            guard i == first.index || batch.seriesHasLabel(i, name: "center", otherThan: centerName) else { continue }
            count += 1
            let entry = batch.series[i]
            refusedSamples.append(contentsOf: Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount))
        }
        let foreign = ForeignSeries(series: count, samples: refusedSamples.count, example: first.labels)
        batch = batch.removingSamples(at: refusedSamples)
        return foreign
    }
}
