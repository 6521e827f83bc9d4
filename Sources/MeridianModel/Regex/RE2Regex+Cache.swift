import Synchronization

extension RE2Regex {
    /// The compiled form of `pattern`, from the process-wide cache when a
    /// query (a dashboard refreshing, a rule every interval) compiled it
    /// before.
    /// - Throws: ``ModelError/invalidRegex(_:)`` with Go's error (errors are
    ///   not cached: they are cheap to find again and rare).
    /// - Complexity: a dictionary lookup under a lock on a hit; RE2's
    ///   compile on a miss.
    public static func compile(_ pattern: String) throws(ModelError) -> RE2Regex {
        try RE2RegexCache.shared.regex(for: pattern)
    }
}

/// Compiled regexes by pattern, bounded by count, by the bytes of their
/// patterns and by the size of their programs (RE2's instructions), least
/// recently used first out. Two threads missing on the same pattern both
/// compile it; the second result replaces the first, which is harmless.
///
/// Keyed by the pattern's bytes: Swift's `String` equality is canonical
/// equivalence, under which `K` and the Kelvin sign are one key, but RE2
/// (as Go) tells them apart.
final class RE2RegexCache: Sendable {
    /// Bounds on what the cache keeps.
    struct Limits: Sendable {
        /// Patterns kept.
        var entries = 1024
        /// Bytes of the patterns kept.
        var patternBytes = 1 << 20
        /// RE2 instructions of the programs kept (about 16 bytes each).
        var programSize = 4 << 20
    }

    static let shared = RE2RegexCache(Limits())

    private struct Entry {
        let regex: RE2Regex
        var lastUse: UInt64
    }

    private struct State {
        var entries: [[UInt8]: Entry] = [:]
        var clock: UInt64 = 0
        var patternBytes = 0
        var programSize = 0
    }

    let limits: Limits
    private let state = Mutex(State())

    init(_ limits: Limits) { self.limits = limits }

    /// The number of patterns held.
    var count: Int { state.withLock { $0.entries.count } }

    func regex(for pattern: String) throws(ModelError) -> RE2Regex {
        let key = Array(pattern.utf8)
        let hit: RE2Regex? = state.withLock { state in
            state.clock += 1
            guard var entry = state.entries[key] else { return nil }
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry.regex
        }
        if let hit { return hit }
        let regex = try RE2Regex(uncached: pattern)
        insert(regex, key: key)
        return regex
    }

    private func insert(_ regex: RE2Regex, key: [UInt8]) {
        let bytes = key.count
        // One regex past a bound would evict everything and still not fit.
        guard bytes <= limits.patternBytes, regex.programSize <= limits.programSize else { return }
        state.withLock { state in
            state.clock += 1
            if let old = state.entries.updateValue(Entry(regex: regex, lastUse: state.clock), forKey: key) {
                state.patternBytes -= old.regex.pattern.utf8.count
                state.programSize -= old.regex.programSize
            }
            state.patternBytes += bytes
            state.programSize += regex.programSize
            if state.entries.count > limits.entries || state.patternBytes > limits.patternBytes
                || state.programSize > limits.programSize
            {
                evict(&state)
            }
        }
    }

    /// Drops the least recently used entries down to three quarters of each
    /// bound, so that a full cache sorts once per quarter of its size, not on
    /// every insert.
    private func evict(_ state: inout State) {
        let oldestFirst = state.entries.sorted { $0.value.lastUse < $1.value.lastUse }
        for (key, entry) in oldestFirst {
            if state.entries.count <= limits.entries * 3 / 4, state.patternBytes <= limits.patternBytes * 3 / 4,
                state.programSize <= limits.programSize * 3 / 4
            {
                break
            }
            state.entries[key] = nil
            state.patternBytes -= key.count
            state.programSize -= entry.regex.programSize
        }
    }
}
