import MeridianModel

/// An inverted index the matcher rules run on: the head's ``MemPostings``
/// or a block's index, each with its own way to read a postings list.
protocol PostingsSource {
    associatedtype Failure: Error

    /// Every series, sorted: the starting set for selectors with only
    /// matchers that also match an absent label.
    func allPostings() throws(Failure) -> [SeriesRef]
    /// Series with `name="value"`, sorted.
    func postings(_ name: String, _ value: String) throws(Failure) -> [SeriesRef]
    /// The union of the lists of `name`'s values for which `include` is true.
    func postings(_ name: String, where include: (String) -> Bool) throws(Failure) -> [SeriesRef]
}

extension PostingsSource {
    /// The series selected by `matchers`, sorted, by Prometheus' rules
    /// (PostingsForMatchers): intersect the lists of the matchers that need
    /// their label, then subtract the series whose value fails a matcher that
    /// also matches an absent label (`{foo=""}` selects series without `foo`).
    ///
    /// Stops early with a partial result once `context` is interrupted (a
    /// name with millions of values takes a while to match): the caller
    /// must `check()` the context before using the result.
    /// - Complexity: O(postings read + values of regex-matched names).
    func postings(for matchers: [LabelMatcher], context: QueryContext) throws(Failure) -> [SeriesRef] {
        var positive: [[SeriesRef]] = []
        var negative: [[SeriesRef]] = []
        var interruption = InterruptionProbe(context)
        for m in matchers {
            if interruption.stopped { return [] }
            if m.matchesEmpty {
                if m.type == .notEqual {
                    negative.append(try postings(m.name, m.value))
                } else {
                    negative.append(try postings(m.name) { !interruption.poll() && !m.matches($0) })
                }
                continue
            }
            switch m.type {
            case .equal:
                positive.append(try postings(m.name, m.value))
            case .regexMatch:
                if let literals = m.literalAlternatives {
                    var lists: [[SeriesRef]] = []
                    for literal in literals { lists.append(try postings(m.name, literal)) }
                    positive.append(Postings.union(lists))
                } else {
                    positive.append(try postings(m.name) { !interruption.poll() && m.matches($0) })
                }
            case .notEqual, .regexNoMatch:
                positive.append(try postings(m.name) { !interruption.poll() && m.matches($0) })
            }
            // An empty list in an intersection empties the result: stop reading.
            if positive.last?.isEmpty == true { return [] }
        }
        if interruption.stopped { return [] }
        var result = positive.isEmpty ? try allPostings() : Postings.intersect(positive)
        for n in negative where !result.isEmpty && !n.isEmpty { result = Postings.subtract(result, n) }
        return result
    }
}

/// Polls a ``QueryContext`` every few hundred calls from a loop that cannot
/// throw (a matcher run over every value of a label): once interrupted it
/// stays stopped, so the loop finishes without matching what is left.
struct InterruptionProbe {
    private let context: QueryContext
    private var calls = 0
    /// Whether the context was found interrupted.
    private(set) var stopped = false

    init(_ context: QueryContext) { self.context = context }

    /// True once the context is interrupted; reads its clock one call in 256.
    mutating func poll() -> Bool {
        if stopped { return true }
        calls &+= 1
        if calls & 255 == 0 && context.isInterrupted { stopped = true }
        return stopped
    }
}
