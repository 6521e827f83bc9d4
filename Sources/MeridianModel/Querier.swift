/// A series' samples, read one at a time. One protocol for every iterator in the
/// store: `next` advances, `seek` jumps forward, `at` reads without moving,
/// and `readAll` takes the rest at once.
public protocol SampleIterator {
    /// Moves to the next sample; false when there is none (the iterator is then exhausted).
    mutating func next() -> Bool
    /// Moves to the first sample with `t >= target` (never backwards); false when none.
    mutating func seek(_ target: Timestamp) -> Bool
    /// The current sample; valid only after `next` or `seek` returned true.
    func at() -> Sample
    /// Appends every sample that further `next` calls would return, and
    /// exhausts the iterator. Queries read whole series this way: iterators
    /// over decoded arrays copy them in bulk, where a call per sample through
    /// `any SampleIterator` costs more than decoding the sample did.
    mutating func readAll(into out: inout [Sample])
}

extension SampleIterator {
    /// `readAll` one sample at a time, for iterators with nothing faster.
    public mutating func readAll(into out: inout [Sample]) {
        while next() { out.append(at()) }
    }

    /// A default `seek` by stepping; iterators that can skip whole chunks override it.
    public mutating func seekByStepping(_ target: Timestamp, started: Bool) -> Bool {
        if started && at().t >= target { return true }
        while next() {
            if at().t >= target { return true }
        }
        return false
    }
}

/// One series as a query sees it: its labels and a way to read its samples.
public struct StoredSeries: Sendable {
    /// The series' label set.
    public let labels: Labels
    /// At most how many samples the iterator yields (the sample counts of the
    /// chunks that meet the range), or nil when unknown: what a query charges
    /// to its budget before it reads the series.
    public let sampleBound: Int?
    private let makeIteratorClosure: @Sendable () -> any SampleIterator

    /// Creates a series whose samples `makeIterator` reads, from the first one on.
    public init(labels: Labels, sampleBound: Int? = nil, makeIterator: @escaping @Sendable () -> any SampleIterator) {
        self.labels = labels
        self.sampleBound = sampleBound
        self.makeIteratorClosure = makeIterator
    }

    /// The bytes a query reserves for each series it selects, before the
    /// series is built: its label set (a few names and values) and its reader.
    /// An estimate: labels vary, but a bound per series is what keeps a
    /// selector of millions of series from allocating before it is refused.
    public static let estimatedBytes = 256

    /// A fresh iterator positioned before the first sample.
    public func makeIterator() -> any SampleIterator { makeIteratorClosure() }

    /// Every sample.
    public func samples() -> [Sample] {
        var it = makeIterator()
        var out: [Sample] = []
        it.readAll(into: &out)
        return out
    }
}

extension QueryContext {
    /// What a querier does once it has the series a selector picked (their
    /// postings, which an interruption may have cut short): throws if the
    /// query was stopped meanwhile, else reserves the memory of `count`
    /// series before they are built.
    public func reserveSeries(_ count: Int) throws(QueryAbort) {
        try check()
        try reserve(bytes: count * StoredSeries.estimatedBytes)
    }
}

/// The one seam between query evaluation and storage (as Prometheus'
/// `storage.Querier`): the PromQL engine and the HTTP read endpoints see only this,
/// never the head or blocks.
///
/// Every method takes the request's ``QueryContext``: implementations stop
/// their long loops (postings expansion, regex matching over label values,
/// series collection) when it is interrupted and then throw its ``QueryAbort``,
/// and reserve memory for the series they are about to return.
public protocol Querier: Sendable {
    /// The series that satisfy every matcher and have samples in `[mint, maxt]`,
    /// sorted by label set; each iterator yields only samples within that range.
    func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext) throws
        -> [StoredSeries]

    /// Sorted label names of the series that match (all series if `matchers` is empty).
    func labelNames(matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext) throws
        -> [String]

    /// Sorted values of label `name` over the series that match.
    func labelValues(
        _ name: String, matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext
    ) throws -> [String]
}

extension Querier {
    /// ``select(_:mint:maxt:context:)`` without limits, for tests and tools.
    public func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) throws -> [StoredSeries] {
        try select(matchers, mint: mint, maxt: maxt, context: .unlimited())
    }

    /// ``labelNames(matching:mint:maxt:context:)`` without limits.
    public func labelNames(matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) throws -> [String] {
        try labelNames(matching: matchers, mint: mint, maxt: maxt, context: .unlimited())
    }

    /// ``labelValues(_:matching:mint:maxt:context:)`` without limits.
    public func labelValues(_ name: String, matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) throws
        -> [String]
    {
        try labelValues(name, matching: matchers, mint: mint, maxt: maxt, context: .unlimited())
    }

    /// The sorted label names of the series ``select(_:mint:maxt:context:)`` returns:
    /// `labelNames` for a querier with no index of names to answer from.
    /// - Complexity: O(series selected × labels).
    public func labelNamesOfSelected(
        matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext
    ) throws -> [String] {
        var names = Set<String>()
        for series in try select(matchers, mint: mint, maxt: maxt, context: context) {
            names.formUnion(series.labels.map(\.name))
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The sorted values of label `name` over the series ``select(_:mint:maxt:context:)``
    /// returns: `labelValues` for a querier with no index of values.
    /// - Complexity: O(series selected × labels).
    public func labelValuesOfSelected(
        _ name: String, matching matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp, context: QueryContext
    ) throws -> [String] {
        var values = Set<String>()
        for series in try select(matchers, mint: mint, maxt: maxt, context: context) {
            if let value = series.labels[name] { values.insert(value) }
        }
        return values.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

/// An iterator over a sorted array of samples, for tests and small results.
public struct ArraySampleIterator: SampleIterator {
    private let samples: [Sample]
    private var index = -1

    /// Iterates `samples`, which must be sorted by time.
    public init(_ samples: [Sample]) { self.samples = samples }

    public mutating func next() -> Bool {
        guard index + 1 < samples.count else {
            index = samples.count
            return false
        }
        index += 1
        return true
    }

    public mutating func seek(_ target: Timestamp) -> Bool {
        if index < 0 { index = 0 }
        while index < samples.count && samples[index].t < target { index += 1 }
        return index < samples.count
    }

    public func at() -> Sample { samples[index] }
}
