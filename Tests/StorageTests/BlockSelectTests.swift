import MeridianModel
import TestSupport
import Testing

@testable import Storage

@Suite("Block select")
struct BlockSelectTests {
    static let minTime: Int64 = 1_700_000_000_000
    static let maxTime: Int64 = minTime + 7_200_000

    /// The reference: filter every series by the matchers (a missing label
    /// matches as ""), keep those with samples in range, clip them.
    static func bruteForce(
        _ data: [BlockTestSeries], _ matchers: [LabelMatcher], mint: Int64, maxt: Int64
    ) -> [BlockTestSeries] {
        data.filter { s in matchers.allSatisfy { $0.matches(s.labels[$0.name] ?? "") } }
            .map { s in
                let keep = s.timestamps.indices.filter { s.timestamps[$0] >= mint && s.timestamps[$0] <= maxt }
                return BlockTestSeries(
                    labels: s.labels, timestamps: keep.map { s.timestamps[$0] }, values: keep.map { s.values[$0] })
            }
            .filter { !$0.timestamps.isEmpty }
            .sorted { $0.labels < $1.labels }
    }

    static func randomMatcher(_ rng: inout SplitMix64) throws -> LabelMatcher {
        let name = rng.pick(["__name__", "instance", "job", "le", "path", "zone", "absent"])
        let type = rng.pick(MatchType.allCases)
        let literal = rng.pick(["", "a", "b", "up", "node", "日本", "🦀", "GET", "nope", "http_requests_total"])
        switch type {
        case .equal, .notEqual:
            return try LabelMatcher(type, name, literal)
        case .regexMatch, .regexNoMatch:
            let pattern = rng.pick([
                ".*", ".+", "a|b", "up|node_load1", "日.*", "(a|GET)?", "[a-z]+", "", literal, "web-.*", ".*\\d.*",
                "ü.*|a",
            ])
            return try LabelMatcher(type, name, pattern)
        }
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func randomMatchersAgreeWithBruteForce(seed: UInt64) throws {
        let dir = try TemporaryDirectory("block-select")
        defer { dir.remove() }
        var rng = SplitMix64(seed: seed)
        let data = rng.blockDataSet(seriesCount: 150, minTime: Self.minTime, maxTime: Self.maxTime)
            .filter { !$0.timestamps.isEmpty }
        let (meta, _) = try BlockTesting.write(
            data, to: dir.path, minTime: Self.minTime, maxTime: Self.maxTime, samplesPerChunk: 50)
        let reader = try BlockReader(directory: dir.appending("\(meta.id)"), logger: BlockTesting.logger)

        for round in 0..<200 {
            var matchers: [LabelMatcher] = []
            for _ in 0..<(1 + rng.below(3)) { matchers.append(try Self.randomMatcher(&rng)) }
            let (mint, maxt) = randomRange(&rng)
            let expected = Self.bruteForce(data, matchers, mint: mint, maxt: maxt)
            let got = try reader.select(matchers, mint: mint, maxt: maxt).map { s in
                let samples = s.samples()
                return BlockTestSeries(labels: s.labels, timestamps: samples.map(\.t), values: samples.map(\.v))
            }
            #expect(got == expected, "seed \(seed) round \(round): \(matchers) [\(mint), \(maxt)]")
            // `samples()` reads in bulk; stepping, and bulk after some steps, must agree.
            for series in try reader.select(matchers, mint: mint, maxt: maxt) {
                var stepping = series.makeIterator()
                var stepped: [Sample] = []
                while stepping.next() { stepped.append(stepping.at()) }
                #expect(stepped == series.samples())
                var partial = series.makeIterator()
                let k = rng.below(stepped.count + 1)
                for _ in 0..<k { _ = partial.next() }
                var rest: [Sample] = []
                partial.readAll(into: &rest)
                #expect(rest == Array(stepped[k...]))
            }

            let names = Set(expected.flatMap { $0.labels.map(\.name) }).sorted {
                $0.utf8.lexicographicallyPrecedes($1.utf8)
            }
            #expect(try reader.labelNames(matching: matchers, mint: mint, maxt: maxt) == names)
            let values = Set(expected.compactMap { $0.labels["job"] }).sorted {
                $0.utf8.lexicographicallyPrecedes($1.utf8)
            }
            #expect(try reader.labelValues("job", matching: matchers, mint: mint, maxt: maxt) == values)
        }
    }

    /// Ranges that hit chunk edges, fall between samples, cover everything,
    /// or miss the block.
    private func randomRange(_ rng: inout SplitMix64) -> (Int64, Int64) {
        switch rng.below(6) {
        case 0: return (.min, .max)
        case 1: return (Self.maxTime, .max)  // after the block: maxTime is exclusive
        case 2:
            let t = Self.minTime + Int64(rng.below(7_200_000))
            return (t, t)  // an instant: usually between samples
        default:
            let a = Self.minTime - 100_000 + Int64(rng.below(7_400_000))
            return (a, a + Int64(rng.below(3_000_000)))
        }
    }

    @Test func concurrentQueriesOnOneReaderAgree() async throws {
        let dir = try TemporaryDirectory("block-concurrent")
        defer { dir.remove() }
        var rng = SplitMix64(seed: 8)
        let data = rng.blockDataSet(seriesCount: 60, minTime: Self.minTime, maxTime: Self.maxTime)
        let (meta, _) = try BlockTesting.write(data, to: dir.path, minTime: Self.minTime, maxTime: Self.maxTime)
        // Fresh reader: the tasks race to check the tables first.
        let reader = try BlockReader(directory: dir.appending("\(meta.id)"), logger: BlockTesting.logger)
        let expected = Self.bruteForce(data, [], mint: .min, maxt: .max)
        try await withThrowingTaskGroup(of: [BlockTestSeries].self) { group in
            for _ in 0..<4 {
                group.addTask { try BlockTesting.readAll(reader) }
            }
            for try await result in group { #expect(result == expected) }
        }
    }

    @Test func labelNamesAndValuesWithoutMatchers() throws {
        let dir = try TemporaryDirectory("block-labels")
        defer { dir.remove() }
        var rng = SplitMix64(seed: 5)
        let data = rng.blockDataSet(seriesCount: 100, minTime: Self.minTime, maxTime: Self.maxTime)
            .filter { !$0.timestamps.isEmpty }
        let (meta, _) = try BlockTesting.write(data, to: dir.path, minTime: Self.minTime, maxTime: Self.maxTime)
        let reader = try BlockReader(directory: dir.appending("\(meta.id)"), logger: BlockTesting.logger)
        let byteOrder: (String, String) -> Bool = { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let names = Set(data.flatMap { $0.labels.map(\.name) }).sorted(by: byteOrder)
        #expect(try reader.labelNames(matching: [], mint: .min, maxt: .max) == names)
        #expect(try reader.labelNames(matching: [], mint: Self.maxTime, maxt: .max) == [])
        for name in names + ["absent"] {
            let values = Set(data.compactMap { $0.labels[name] }).sorted(by: byteOrder)
            #expect(try reader.labelValues(name, matching: [], mint: .min, maxt: .max) == values)
        }
    }

    @Test func seekSkipsChunksAndClipsToTheRange() throws {
        let dir = try TemporaryDirectory("block-seek")
        defer { dir.remove() }
        let timestamps = (0..<1000).map { Self.minTime + Int64($0) * 7_000 + Int64($0 % 3) }
        let values = timestamps.indices.map { Double($0) }
        let labels = Labels(["__name__": "x"])
        let (meta, _) = try BlockTesting.write(
            [BlockTestSeries(labels: labels, timestamps: timestamps, values: values)], to: dir.path,
            minTime: Self.minTime, maxTime: Self.maxTime, samplesPerChunk: 100)
        #expect(meta.stats.chunks >= 8)
        let reader = try BlockReader(directory: dir.appending("\(meta.id)"), logger: BlockTesting.logger)
        var rng = SplitMix64(seed: 77)
        for _ in 0..<200 {
            let mint = timestamps[rng.below(1000)] + Int64(rng.below(3)) - 1
            let maxt = mint + Int64(rng.below(3_000_000))
            let inRange = timestamps.indices.filter { timestamps[$0] >= mint && timestamps[$0] <= maxt }
            let series = try reader.select([], mint: mint, maxt: maxt)
            guard let first = inRange.first else {
                #expect(series.isEmpty)
                continue
            }
            #expect(series.count == 1)
            var it = series[0].makeIterator()
            // Seek forward several times, sometimes backwards (a no-op), then step.
            var cursor = first
            var positioned = false
            for _ in 0..<5 {
                let target = timestamps[min(999, cursor + rng.below(250))] - Int64(rng.below(2))
                let expectedIndex = inRange.first { timestamps[$0] >= target }
                let found = it.seek(target)
                #expect(found == (expectedIndex != nil))
                positioned = found
                guard let expectedIndex, found else { break }
                #expect(it.at() == Sample(t: timestamps[expectedIndex], v: values[expectedIndex]))
                let stays = it.seek(target - 10_000)  // never moves backwards
                #expect(stays)
                #expect(it.at().t == timestamps[expectedIndex])
                cursor = expectedIndex
            }
            // Stepping after seeks stays within range and in order.
            guard positioned else { continue }
            var last = it.at().t
            while it.next() {
                #expect(it.at().t > last && it.at().t <= maxt)
                last = it.at().t
            }
            let more = it.next() || it.seek(.max)
            #expect(!more)
        }
    }

    @Test func instantInsideALongChunkSelectsOnlySeriesWithASampleThere() throws {
        let dir = try TemporaryDirectory("block-straddle")
        defer { dir.remove() }
        // One series samples every 15 s, the other twice an hour: an instant
        // range between the sparse one's samples lies inside its only chunk.
        let dense = (0..<480).map { Self.minTime + Int64($0) * 15_000 }
        let sparse: [Int64] = [Self.minTime, Self.minTime + 3_600_000]
        let (meta, _) = try BlockTesting.write(
            [
                BlockTestSeries(labels: Labels(["__name__": "dense"]), timestamps: dense, values: dense.map { _ in 1 }),
                BlockTestSeries(labels: Labels(["__name__": "sparse"]), timestamps: sparse, values: [1, 2]),
            ], to: dir.path, minTime: Self.minTime, maxTime: Self.maxTime)
        let reader = try BlockReader(directory: dir.appending("\(meta.id)"), logger: BlockTesting.logger)
        let t = Self.minTime + 1_800_000
        #expect(try reader.select([], mint: t, maxt: t).map { $0.labels.metricName } == ["dense"])
        #expect(try reader.select([], mint: t, maxt: t + 1_800_000).count == 2)
        #expect(
            try reader.labelNames(matching: [try LabelMatcher(.equal, "__name__", "sparse")], mint: t, maxt: t) == [])
    }
}
