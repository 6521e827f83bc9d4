import MeridianModel

extension Head {
    /// Moves every sample older than `boundary` out of the head into a
    /// ``FrozenHead`` (to be written as a block), and garbage-collects the series
    /// left with no samples: they leave the stripes, the postings and the ref
    /// table, so a head serving months of churn holds only live series.
    ///
    /// Appends go on meanwhile: each stripe is frozen under its own lock, so a
    /// sample is either frozen or stays in the head, never both and never
    /// neither. Callers that query must make the frozen part visible before the
    /// head stops holding it (``Store`` does this under its view lock).
    /// - Complexity: O(series + chunks moved), one pass per stripe.
    public func freeze(before boundary: Timestamp) -> FrozenHead {
        var frozen: [FrozenHead.Series] = []
        for (stripeNumber, stripe) in stripes.enumerated() {
            stripe.state.withLock { state in
                var anyEmpty = false
                for i in state.series.indices {
                    let (chunks, outOfOrder) = state.series[i].removeData(before: boundary)
                    if !chunks.isEmpty || !outOfOrder.isEmpty {
                        frozen.append(.init(labels: state.series[i].labels.labels(), chunks: chunks, outOfOrder: outOfOrder))
                    }
                    if state.series[i].isEmpty { anyEmpty = true }
                }
                guard anyEmpty else { return }
                let (removed, moved) = state.removeEmptySeries()
                index.withLock { idx in
                    for (ref, _) in removed { idx.locations[Int(ref)] = nil }
                    for (ref, slot) in moved {
                        idx.locations[Int(ref)] = SeriesLocation(stripe: UInt16(stripeNumber), slot: slot)
                    }
                    idx.postings.remove(removed)
                }
            }
        }
        recomputeTimeRange()
        return FrozenHead(series: frozen, boundary: boundary)
    }

    /// Sets the head's time range from what its series hold now.
    private func recomputeTimeRange() {
        var low = Timestamp.max
        var high = Timestamp.min
        for stripe in stripes {
            stripe.state.withLock { state in
                for s in state.series {
                    if let first = s.minTime { low = min(low, first) }
                    if s.maxTime != .min { high = max(high, s.maxTime) }
                }
            }
        }
        index.withLock { idx in
            idx.minTime = low
            // The newest time only moves forward: it anchors the out-of-order window.
            idx.maxTime = max(idx.maxTime, high)
        }
    }
}

extension StripeState {
    /// Drops the series that hold no samples and rebuilds the slot table.
    /// Returns the removed series and the new slots of the ones that moved.
    mutating func removeEmptySeries() -> (removed: [(SeriesRef, Labels)], moved: [(SeriesRef, Int32)]) {
        var kept: [MemSeries] = []
        kept.reserveCapacity(series.count)
        var removed: [(SeriesRef, Labels)] = []
        var moved: [(SeriesRef, Int32)] = []
        for (slot, s) in series.enumerated() {
            if s.isEmpty {
                removed.append((s.ref, s.labels.labels()))
            } else {
                if kept.count != slot { moved.append((s.ref, Int32(kept.count))) }
                kept.append(s)
            }
        }
        series = kept
        slots = HashSlots(capacity: kept.count)
        for (slot, s) in kept.enumerated() { slots.insert(s.hash, Int32(slot)) }
        return (removed, moved)
    }
}

extension MemPostings {
    /// Removes series from every list they are in, each affected list filtered once.
    /// - Complexity: O(removed labels + length of the affected lists).
    mutating func remove(_ removed: [(SeriesRef, Labels)]) {
        guard !removed.isEmpty else { return }
        let refs = Set(removed.map(\.0))
        all.removeAll { refs.contains($0) }
        var affected: [String: Set<String>] = [:]
        for (_, labels) in removed {
            for label in labels { affected[label.name, default: []].insert(label.value) }
        }
        for (name, values) in affected {
            for value in values {
                byName[name]?[value]?.removeAll { refs.contains($0) }
                if byName[name]?[value]?.isEmpty == true { byName[name]?[value] = nil }
            }
            if byName[name]?.isEmpty == true { byName[name] = nil }
        }
    }
}
