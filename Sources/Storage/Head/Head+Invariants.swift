extension Head {
    /// Verifies the head's internal consistency; tests call it after every kind
    /// of operation. Compiled in debug builds only (a no-op in release).
    /// - Complexity: O(series × labels + postings).
    public func checkInvariants() throws {
        #if DEBUG
        func fail(_ message: String) -> StorageError { StorageError(.corruption, "head invariant violated: \(message)") }
        let (postings, locations) = index.withLock { ($0.postings, $0.locations) }
        guard zip(postings.all, postings.all.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw fail("the all-series postings are not sorted and unique")
        }
        for (name, values) in postings.byName {
            for (value, refs) in values {
                guard zip(refs, refs.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw fail("postings of \(name)=\(value) are not sorted and unique")
                }
            }
        }
        var seen = 0
        for ref in postings.all {
            guard Int(ref) < locations.count, let location = locations[Int(ref)] else {
                throw fail("series \(ref) is indexed but has no location")
            }
            try stripes[Int(location.stripe)].state.withLock { stripe in
                let series = stripe.series[Int(location.slot)]
                guard series.ref == ref else { throw fail("location of \(ref) holds series \(series.ref)") }
                guard stripeIndex(of: series.hash) == Int(location.stripe) else {
                    throw fail("series \(ref) is in the wrong stripe")
                }
                guard stripe.find(hash: series.hash, labels: series.labels) == location.slot else {
                    throw fail("series \(ref) cannot be found by its hash")
                }
                let labels = series.labels.labels()
                for label in labels where !(postings.byName[label.name]?[label.value]?.contains(ref) ?? false) {
                    throw fail("series \(ref) missing from postings of \(label.name)")
                }
            }
            seen += 1
        }
        let stored = stripes.reduce(0) { total, stripe in total + stripe.state.withLock { $0.series.count } }
        guard stored == seen else { throw fail("\(stored) series stored but \(seen) indexed") }
        #endif
    }
}
