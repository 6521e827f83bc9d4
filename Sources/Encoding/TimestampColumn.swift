/// The timestamps of one series in an immutable block, encoded as a whole.
///
/// A block is written once, so the encoder looks at the entire column and
/// keeps the smallest of several encodings, named by a leading kind byte
/// (docs/format/columns.md):
///
/// - ``Kind/regular``: t₀ and one interval; a perfectly regular column in a
///   handful of bytes whatever its length.
/// - ``Kind/grid``: scrape timestamps. Prometheus scrapes a target at a fixed
///   phase, so tᵢ = t₀ + kᵢ·D + jitter: the column stores D, the rare steps
///   where kᵢ skips (target down), and each jitter in ~3 bits for ±3 ms.
/// - ``Kind/delta``, ``Kind/deltaOfDelta``: packed deltas or deltas of deltas,
///   for drifting intervals, and as the fallback that holds any Int64
///   sequence (decreasing, `Int64.min`/`.max`, wrap-around).
///
/// The sample count is not stored; the block keeps it beside the column.
public enum TimestampColumn {
    /// How a column is encoded: the value of its first byte.
    public enum Kind: UInt8, Sendable, CaseIterable {
        /// t₀ and one interval D (omitted for one sample): tᵢ = t₀ + i·D.
        case regular = 1
        /// t₀, then packed deltas.
        case delta = 2
        /// t₀ and the first delta, then packed deltas of deltas.
        case deltaOfDelta = 3
        /// t₀, D, grid skips, then packed jitter: tᵢ = t₀ + kᵢ·D + rᵢ.
        case grid = 4
    }

    /// Encodes `timestamps`, choosing the smallest kind. No input order is
    /// assumed: any Int64 sequence round-trips, though only increasing
    /// scrape-like ones are small. An empty column is zero bytes.
    ///
    /// - Complexity: O(n log n) (a median of the intervals); meant for
    ///   compaction, not for the ingest path.
    public static func encode(_ timestamps: [Int64]) -> [UInt8] {
        guard !timestamps.isEmpty else { return [] }
        if let regular = encode(timestamps, as: .regular) { return regular }
        // Ties go to the kinds listed first, which decode with less work.
        var best: [UInt8]?
        for kind in [Kind.delta, .deltaOfDelta, .grid] {
            guard let candidate = encode(timestamps, as: kind) else { continue }
            if best == nil || candidate.count < best!.count { best = candidate }
        }
        assert(decodes(best!, to: timestamps), "timestamp column does not round-trip: \(timestamps)")
        return best!
    }

    /// Whether `bytes` decode to `timestamps`: the invariant that debug
    /// builds check on every column they encode, so that a chooser bug fails
    /// the test that made it rather than a query on a written block.
    static func decodes(_ bytes: [UInt8], to timestamps: [Int64]) -> Bool {
        var out: [Int64] = []
        out.reserveCapacity(timestamps.count)
        do {
            try bytes.withUnsafeBytes { try decode($0, count: timestamps.count, into: &out) }
        } catch {
            return false
        }
        return out == timestamps
    }

    /// `timestamps` (not empty) encoded as `kind`, or nil when that kind
    /// cannot hold them (irregular for ``Kind/regular``, no positive typical
    /// interval for ``Kind/grid``).
    static func encode(_ timestamps: [Int64], as kind: Kind) -> [UInt8]? {
        var out = [kind.rawValue]
        switch kind {
        case .regular:
            guard let interval = regularInterval(timestamps) else { return nil }
            Varint.appendSigned(timestamps[0], to: &out)
            if timestamps.count >= 2 { Varint.appendSigned(interval, to: &out) }
        case .delta:
            IntSequence.encode(timestamps, order: 1, to: &out)
        case .deltaOfDelta:
            IntSequence.encode(timestamps, order: 2, to: &out)
        case .grid:
            guard let grid = Grid(fitting: timestamps) else { return nil }
            grid.encode(timestamps, to: &out)
        }
        return out
    }

    /// The kind of an encoded column, or nil for an empty or unknown one.
    public static func kind(of bytes: some Collection<UInt8>) -> Kind? {
        bytes.first.flatMap(Kind.init(rawValue:))
    }

    /// The common interval when every interval is the same (wrapping
    /// arithmetic); 0 for a single timestamp.
    static func regularInterval(_ t: [Int64]) -> Int64? {
        guard t.count >= 2 else { return 0 }
        let interval = t[1] &- t[0]
        for i in 2..<t.count where t[i] &- t[i - 1] != interval { return nil }
        return interval
    }
}
