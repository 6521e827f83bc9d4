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
