/// The write seam, beside ``Querier``: whatever stores samples (the store, a
/// test double) takes a decoded batch through it, so that remote-write, the
/// forwarder's tests, HA dedup and the scorer's write-back never see the head.
public protocol Appender: Sendable {
    /// Stores every sample of `batch` it accepts, durably (written to the WAL
    /// and handed to the OS) before returning, and reports what it refused.
    /// - Throws: when nothing can be acknowledged (the disk failed); a retry of
    ///   the same batch is then safe, exact duplicates being accepted silently.
    func append(_ batch: SampleBatch) throws -> AppendOutcome
}

/// A sample the store refused, with the reason a sender can act on.
public struct SampleRejection: Sendable, CustomStringConvertible {
    /// Why a sample was refused.
    public enum Code: String, Sendable {
        /// Older than its series' newest sample, outside the out-of-order window.
        case outOfOrderSample
        /// A different value at a timestamp that already has one.
        case duplicateSampleForTimestamp
    }

    public let code: Code
    /// The series.
    public let labels: Labels
    /// The refused sample.
    public let sample: Sample
    /// The stored sample it conflicts with: the newest one's time, or the existing value.
    public let detail: String

    public init(code: Code, labels: Labels, sample: Sample, detail: String) {
        self.code = code
        self.labels = labels
        self.sample = sample
        self.detail = detail
    }

    public var description: String {
        switch code {
        case .outOfOrderSample:
            return "out of order sample: series \(labels) at timestamp \(sample.t) is \(detail)"
        case .duplicateSampleForTimestamp:
            return "duplicate sample for timestamp: series \(labels) at timestamp \(sample.t) has value \(detail), got \(sample.v)"
        }
    }
}

/// What an append did.
public struct AppendOutcome: Sendable {
    /// Samples stored (in order and out of order).
    public var appended = 0
    /// Of those, samples older than their series' newest, stored inside the out-of-order window.
    public var appendedOutOfOrder = 0
    /// Samples identical to a stored one (same time, same value bits), accepted silently.
    public var duplicates = 0
    /// Series created by this append.
    public var newSeries = 0
    /// Samples refused, by reason.
    public var outOfOrder = 0
    public var conflicting = 0
    /// The first few refusals, for the error message.
    public var rejections: [SampleRejection] = []
    /// Positions in ``SampleBatch/samples`` of every refused sample, in
    /// ascending order, so what is passed on (forwarded) is exactly what was kept.
    public var refusedSampleIndices: [Int] = []

    public init() {}

    /// Total refused samples.
    public var rejected: Int { outOfOrder + conflicting }

    /// Adds the counts of an append of another batch (whose sample indices
    /// are its own, so they are not carried over) and keeps the first refusals.
    public mutating func add(_ other: AppendOutcome) {
        appended += other.appended
        appendedOutOfOrder += other.appendedOutOfOrder
        duplicates += other.duplicates
        newSeries += other.newSeries
        outOfOrder += other.outOfOrder
        conflicting += other.conflicting
        rejections += other.rejections.prefix(max(0, 5 - rejections.count))
    }
}

extension SampleBatch {
    /// This batch without the samples at `indices` (ascending positions in
    /// ``samples``); series left with no sample are dropped, metadata kept.
    /// - Complexity: O(series + samples).
    public func removingSamples(at indices: [Int]) -> SampleBatch {
        guard !indices.isEmpty else { return self }
        var out = SampleBatch(bytes: bytes)
        out.metadata = metadata
        out.samples.reserveCapacity(samples.count - indices.count)
        var skip = indices.startIndex
        for entry in series {
            let start = out.samples.count
            for i in Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount) {
                if skip < indices.endIndex, indices[skip] == i {
                    skip += 1
                    continue
                }
                out.samples.append(samples[i])
            }
            guard out.samples.count > start else { continue }
            var kept = entry
            kept.labelStart = UInt32(out.labels.count)
            out.labels.append(contentsOf: labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)])
            kept.sampleStart = UInt32(start)
            kept.sampleCount = UInt32(out.samples.count - start)
            out.series.append(kept)
        }
        return out
    }
}
