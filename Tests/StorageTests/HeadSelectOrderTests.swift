import MeridianModel
import Testing

@testable import Storage

/// The head sorts selected series by their packed labels; that order must be
/// the one `Labels` (and Prometheus) sort by.
@Suite struct PackedLabelsTests {
    @Test func packedOrderIsTheLabelsOrder() {
        var rng = SystemRandomNumberGenerator()
        // Short pieces so that equal prefixes, prefixes of each other and
        // shared names are common; one piece longer than a one-byte length.
        let pieces = ["", "a", "ab", "b", "a\u{0}", "é", "z", "c001", "c01", String(repeating: "x", count: 130)]
        let names = ["__name__", "a", "ab", "b", "le", "service"]
        func randomLabels() -> Labels {
            var byName: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                byName[names.randomElement(using: &rng)!] = pieces.randomElement(using: &rng)!
            }
            return Labels(byName)
        }
        let sets = (0..<400).map { _ in randomLabels() }
        var compared = 0
        var less = 0
        for x in sets {
            for y in sets.prefix(100) {
                let packed = PackedLabels(x) < PackedLabels(y)
                #expect(packed == (x < y), "\(x) < \(y): packed says \(packed)")
                compared += 1
                if packed { less += 1 }
            }
        }
        #expect(compared == 40_000)
        // Both answers occurred, so the comparison was exercised either way.
        #expect(less > 1_000 && less < 39_000, "\(less) of \(compared) were less")
    }
}

/// The head remembers the label order of recent selections by the refs they
/// selected; the order must stay right when the selected series change.
@Suite struct SelectionOrderTests {
    @Test func repeatedSelectionsStaySortedAsSeriesComeAndGo() throws {
        let head = Head(wal: nil, logger: .init(label: "test"))
        // Written in an order unlike the label order, above the size worth remembering.
        let ids = (0..<600).map { ($0 * 7919) % 600 }
        let now: Int64 = 1_000_000
        func labels(_ id: Int, range: String = "a") -> Labels {
            Labels(["__name__": "m", "id": "x\(id)", "range": range])
        }
        _ = try head.append(.make(ids.map { (labels($0), [Sample(t: now, v: Double($0))]) }))
        let matcher = try LabelMatcher(.equal, "__name__", "m")
        func selected(mint: Int64 = now) throws -> [Labels] {
            try head.select([matcher], mint: mint, maxt: .max).map(\.labels)
        }
        let first = try selected()
        #expect(first.count == 600)
        #expect(first == first.sorted(by: <))
        // The same series again: the same order (remembered).
        #expect(try selected() == first)
        // A series that sorts in the middle: a different selection, sorted again.
        _ = try head.append(.make([(labels(5, range: "b"), [Sample(t: now, v: 1)])]))
        let second = try selected()
        #expect(second.count == 601)
        #expect(second == second.sorted(by: <))
        #expect(second.firstIndex(of: labels(5, range: "b")) == second.firstIndex(of: labels(5))! + 1)
        // Series without samples in range drop out, the rest keep their order.
        _ = try head.append(.make([(labels(7), [Sample(t: now + 10, v: 1)])]))
        #expect(try selected(mint: now + 5) == [labels(7)])
        #expect(try selected() == second)
    }
}
