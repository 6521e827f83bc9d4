import Encoding
import MeridianModel

extension Head {
    /// Rebuilds the head from the WAL in `directory`: the newest checkpoint, then
    /// every later segment. Samples already present (a checkpoint overlaps the
    /// segments written while it was taken) are skipped as duplicates.
    public func replay(from directory: String) throws -> WALReplayStats {
        try WAL.replay(directory: directory, logger: logger) { record in
            switch record {
            case .series(let list):
                for s in list { restoreSeries(s) }
            case .samples(let list):
                restoreSamples(list)
            case .chunks(let list):
                try restoreChunks(list)
            }
        }
    }

    private func restoreSeries(_ s: RefSeries) {
        let hash = LabelsHash.of(s.labels)
        let packed = PackedLabels(s.labels)
        let stripeNumber = stripeIndex(of: hash)
        stripes[stripeNumber].state.withLock { stripe in
            if let slot = stripe.find(hash: hash, labels: packed) {
                // The same series again (checkpoint and segment overlap): make its ref point here.
                index.withLock { state in
                    if Int(s.ref) >= state.locations.count || state.locations[Int(s.ref)] == nil {
                        state.alias(s.ref, to: SeriesLocation(stripe: UInt16(stripeNumber), slot: slot))
                    }
                }
                return
            }
            _ = insertSeries(
                ref: s.ref, hash: hash, packed: packed, labels: s.labels, stripe: &stripe, stripeNumber: stripeNumber)
        }
    }

    private func restoreSamples(_ list: [RefSample]) {
        let locations = index.withLock { state in list.map { Int($0.ref) < state.locations.count ? state.locations[Int($0.ref)] : nil } }
        var byStripe = Array(repeating: [Int](), count: stripes.count)
        for (i, location) in locations.enumerated() {
            if let location { byStripe[Int(location.stripe)].append(i) }
        }
        var mint = Timestamp.max
        var maxt = Timestamp.min
        for (stripeNumber, members) in byStripe.enumerated() where !members.isEmpty {
            stripes[stripeNumber].state.withLock { stripe in
                for i in members {
                    let s = list[i]
                    // Everything in the WAL was accepted once: no window applies on replay.
                    switch stripe.series[Int(locations[i]!.slot)].append(t: s.t, v: s.v, options: options, minValidTime: .min) {
                    case .appended, .appendedOutOfOrder:
                        mint = min(mint, s.t)
                        maxt = max(maxt, s.t)
                    default:
                        break
                    }
                }
            }
        }
        if mint <= maxt { index.withLock { $0.observe(mint, maxt) } }
    }

    private func restoreChunks(_ list: [RefChunk]) throws {
        for c in list {
            guard let location = index.withLock({ Int(c.ref) < $0.locations.count ? $0.locations[Int(c.ref)] : nil }) else {
                continue
            }
            try stripes[Int(location.stripe)].state.withLock { stripe in
                try stripe.series[Int(location.slot)].restore(c, options: options)
            }
            index.withLock { $0.observe(c.minTime, c.maxTime) }
        }
    }

    /// Writes the whole head as a WAL checkpoint (series and their compressed
    /// chunks) and deletes the segments it covers, so the WAL stays about the
    /// size of the compressed head instead of growing with every sample.
    ///
    /// Safe while appends run: the WAL is cut first, so every record in an older
    /// segment was applied to the head before the snapshot below reads it.
    public func checkpoint() throws {
        guard let wal else { return }
        let started = ContinuousClock.now
        let cutAt = try wal.cut()
        var snapshot: [(SeriesRef, PackedLabels, [HeadChunk], [Sample])] = []
        for stripe in stripes {
            stripe.state.withLock { state in
                for s in state.series { snapshot.append((s.ref, s.labels, s.allChunks(), s.outOfOrder)) }
            }
        }
        snapshot.sort { $0.0 < $1.0 }
        try wal.writeCheckpoint(coveringSegmentsBefore: cutAt) { emit in
            let batchSize = 1000
            var start = 0
            while start < snapshot.count {
                let part = snapshot[start..<min(start + batchSize, snapshot.count)]
                try emit(.series(part.map { RefSeries(ref: $0.0, labels: $0.1.labels()) }))
                try emit(.chunks(part.flatMap { ref, _, chunks, _ in
                    chunks.map {
                        RefChunk(
                            ref: ref, minTime: $0.minTime, maxTime: $0.maxTime, sampleCount: $0.chunk.sampleCount,
                            encoding: XORChunk.encodingID, bytes: $0.chunk.bytes)
                    }
                }))
                // Out-of-order samples after the chunks: on replay they land behind the newest sample.
                let outOfOrder = part.flatMap { ref, _, _, samples in samples.map { RefSample(ref: ref, t: $0.t, v: $0.v) } }
                if !outOfOrder.isEmpty { try emit(.samples(outOfOrder)) }
                start += batchSize
            }
        }
        logger.info(
            "WAL checkpoint written",
            metadata: [
                "series": "\(snapshot.count)", "segment": "\(cutAt)",
                "duration": "\(ContinuousClock.now - started)",
            ])
    }
}

extension HeadIndex {
    /// Points an extra ref at an existing series (no postings: the series is indexed once).
    mutating func alias(_ ref: SeriesRef, to location: SeriesLocation) {
        let i = Int(ref)
        if i >= locations.count { locations.append(contentsOf: repeatElement(nil, count: i - locations.count + 1)) }
        locations[i] = location
    }
}
