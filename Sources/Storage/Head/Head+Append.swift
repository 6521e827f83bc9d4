import MeridianModel

extension Head {
    /// How many refusals an outcome keeps verbatim.
    static let maxRejectionsReported = 5

    /// Appends every sample of `batch`, creating series as needed, then logs the
    /// accepted samples to the WAL and hands them to the OS before returning —
    /// so once this returns, a crash cannot lose them.
    ///
    /// Samples are checked one by one: an out-of-order sample or a conflicting
    /// duplicate is refused (reported in the outcome) while the rest are kept.
    /// - Complexity: O(samples + bytes of labels); each stripe is locked once.
    /// - Throws: ``StorageError`` with code `.io` when the WAL cannot be written;
    ///   the samples are then in memory but not acknowledged, and a retry is safe.
    public func append(_ batch: SampleBatch) throws(StorageError) -> AppendOutcome {
        var outcome = AppendOutcome()
        var accepted: [RefSample] = []
        accepted.reserveCapacity(batch.sampleCount)
        var mint = Timestamp.max
        var maxt = Timestamp.min
        let minValidTime = outOfOrderFloor()
        for (stripeNumber, members) in groupByStripe(batch) {
            stripes[stripeNumber].state.withLock { stripe in
                for i in members {
                    let slot = stripe.find(batch: batch, series: i) ?? createSeries(
                        batch: batch, series: i, stripe: &stripe, stripeNumber: stripeNumber, outcome: &outcome)
                    appendSamples(
                        of: i, batch: batch, to: &stripe.series[Int(slot)], minValidTime: minValidTime,
                        accepted: &accepted, outcome: &outcome, mint: &mint, maxt: &maxt)
                }
            }
        }
        if mint <= maxt { index.withLock { $0.observe(mint, maxt) } }
        // Stripe order is not batch order.
        outcome.refusedSampleIndices.sort()
        if let wal, !accepted.isEmpty {
            let position = wal.append(.samples(accepted))
            try wal.commit(through: position)
        }
        return outcome
    }

    /// The oldest time an out-of-order sample may have: the window behind the
    /// head's newest sample; nil when out-of-order samples are refused.
    func outOfOrderFloor() -> Timestamp? {
        guard options.outOfOrderWindow > 0 else { return nil }
        let newest = index.withLock { $0.maxTime }
        return newest == .min ? .min : newest &- options.outOfOrderWindow
    }

    /// Series indices of `batch` grouped by stripe, stripes in ascending order.
    private func groupByStripe(_ batch: SampleBatch) -> [(Int, [Int])] {
        var groups = Array(repeating: [Int](), count: stripes.count)
        for i in batch.series.indices { groups[stripeIndex(of: batch.series[i].labelsHash)].append(i) }
        return groups.enumerated().compactMap { $0.element.isEmpty ? nil : ($0.offset, $0.element) }
    }

    private func appendSamples(
        of i: Int, batch: SampleBatch, to series: inout MemSeries, minValidTime: Timestamp?,
        accepted: inout [RefSample], outcome: inout AppendOutcome, mint: inout Timestamp, maxt: inout Timestamp
    ) {
        let entry = batch.series[i]
        for index in Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount) {
            let s = batch.samples[index]
            let result = series.append(t: s.t, v: s.v, options: options, minValidTime: minValidTime)
            switch result {
            case .appended, .appendedOutOfOrder:
                accepted.append(RefSample(ref: series.ref, t: s.t, v: s.v))
                outcome.appended += 1
                if case .appendedOutOfOrder = result { outcome.appendedOutOfOrder += 1 }
                if s.t < mint { mint = s.t }
                if s.t > maxt { maxt = s.t }
            case .duplicate:
                outcome.duplicates += 1
            case .outOfOrder(let newest):
                outcome.outOfOrder += 1
                outcome.refusedSampleIndices.append(index)
                let window = options.outOfOrderWindow
                let detail = window > 0
                    ? "outside the out-of-order window of \(window / 1000)s behind the newest sample in the store (series' newest at \(newest))"
                    : "older than the series' newest sample at \(newest) (out-of-order samples are disabled)"
                reject(.outOfOrderSample, s, detail, series, &outcome)
            case .conflictingValue(let existing):
                outcome.conflicting += 1
                outcome.refusedSampleIndices.append(index)
                reject(.duplicateSampleForTimestamp, s, "\(existing)", series, &outcome)
            }
        }
    }

    private func reject(
        _ code: SampleRejection.Code, _ sample: Sample, _ detail: String, _ series: MemSeries, _ outcome: inout AppendOutcome
    ) {
        guard outcome.rejections.count < Self.maxRejectionsReported else { return }
        outcome.rejections.append(SampleRejection(code: code, labels: series.labels.labels(), sample: sample, detail: detail))
    }

    /// Creates the series for `batch.series[i]` in `stripe` (whose lock is held):
    /// allocates its ref and indexes it under the index lock, and logs it to the
    /// WAL before any sample of it can be logged.
    private func createSeries(
        batch: SampleBatch, series i: Int, stripe: inout StripeState, stripeNumber: Int, outcome: inout AppendOutcome
    ) -> Int32 {
        let packed = PackedLabels(batch: batch, series: i)
        let labels = batch.labelSet(of: i)
        outcome.newSeries += 1
        return insertSeries(
            ref: nil, hash: batch.series[i].labelsHash, packed: packed, labels: labels, stripe: &stripe,
            stripeNumber: stripeNumber)
    }

    /// Inserts a series into a locked stripe and the index; `ref` nil allocates one.
    func insertSeries(
        ref: SeriesRef?, hash: UInt64, packed: PackedLabels, labels: Labels, stripe: inout StripeState, stripeNumber: Int
    ) -> Int32 {
        let slot = Int32(stripe.series.count)
        let location = SeriesLocation(stripe: UInt16(stripeNumber), slot: slot)
        let assigned = index.withLock { state -> SeriesRef in
            let assigned = ref ?? state.nextRef
            state.register(assigned, labels: labels, at: location)
            if ref == nil, let wal { _ = wal.append(.series([RefSeries(ref: assigned, labels: labels)])) }
            return assigned
        }
        return stripe.insert(MemSeries(ref: assigned, hash: hash, labels: packed))
    }
}
