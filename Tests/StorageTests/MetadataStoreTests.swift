import Foundation
import Logging
import MeridianModel
import Storage
import Testing
import TestSupport

@Suite struct MetadataStoreTests {
    let logger = Logger(label: "test")

    private func meta(_ family: String, _ type: MetricMetadata.Kind, _ help: String) -> MetricMetadata {
        MetricMetadata(family: family, type: type, help: help)
    }

    @Test func keepsDistinctDescriptionsNewestFirst() {
        let store = MetadataStore(dataDirectory: nil, logger: logger)
        store.record([meta("a_total", .counter, "A."), meta("b", .gauge, "B."), meta("a_total", .counter, "A.")])
        store.record([meta("a_total", .counter, "A, reworded."), meta("", .gauge, "no family")])
        let all = store.lookup(metric: nil, limit: nil)
        #expect(all.map(\.family) == ["a_total", "b"])
        #expect(all[0].metadata.map(\.help) == ["A, reworded.", "A."])
        // Seeing an old description again makes it the newest.
        store.record([meta("a_total", .counter, "A.")])
        #expect(store.lookup(metric: "a_total", limit: nil)[0].metadata.map(\.help) == ["A.", "A, reworded."])
    }

    @Test func limitAndMetricFilter() {
        let store = MetadataStore(dataDirectory: nil, logger: logger)
        store.record((0..<5).map { meta("m\($0)", .gauge, "") })
        #expect(store.lookup(metric: nil, limit: 2).map(\.family) == ["m0", "m1"])
        #expect(store.lookup(metric: nil, limit: 0).isEmpty)
        #expect(store.lookup(metric: nil, limit: 9).count == 5)
        #expect(store.lookup(metric: "m3", limit: nil).map(\.family) == ["m3"])
        #expect(store.lookup(metric: "m3", limit: 0).isEmpty)
        #expect(store.lookup(metric: "nope", limit: nil).isEmpty)
    }

    @Test func boundsDescriptionsPerFamily() {
        let store = MetadataStore(dataDirectory: nil, logger: logger)
        store.record((0..<(MetadataStore.maxPerFamily + 3)).map { meta("x", .gauge, "v\($0)") })
        let kept = store.lookup(metric: "x", limit: nil)[0].metadata.map(\.help)
        #expect(kept.count == MetadataStore.maxPerFamily)
        #expect(kept.first == "v\(MetadataStore.maxPerFamily + 2)")
        #expect(!kept.contains("v0"))
    }

    @Test func survivesARestartAndAnUnreadableFile() throws {
        let dir = try TemporaryDirectory("metadata")
        defer { dir.remove() }
        let first = MetadataStore(dataDirectory: dir.path, logger: logger)
        first.record([meta("a_total", .counter, "A \"quoted\" ü."), meta("h", .histogram, "H.")])
        first.record([MetricMetadata(family: "h", type: .histogram, help: "H.", unit: "seconds")])
        try first.saveIfChanged()
        let second = MetadataStore(dataDirectory: dir.path, logger: logger)
        #expect(second.lookup(metric: nil, limit: nil).map(\.family) == first.lookup(metric: nil, limit: nil).map(\.family))
        #expect(second.lookup(metric: "h", limit: nil)[0].metadata == first.lookup(metric: "h", limit: nil)[0].metadata)
        #expect(second.lookup(metric: "a_total", limit: nil)[0].metadata[0].help == "A \"quoted\" ü.")

        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir.appending("metadata.json")))
        let third = MetadataStore(dataDirectory: dir.path, logger: logger)
        #expect(third.lookup(metric: nil, limit: nil).isEmpty)
        third.record([meta("b", .gauge, "B.")])
        try third.saveIfChanged()
        #expect(MetadataStore(dataDirectory: dir.path, logger: logger).lookup(metric: nil, limit: nil).map(\.family) == ["b"])
    }

    @Test func descriptionsExpireAnHourAfterTheyWereLastSent() throws {
        let dir = try TemporaryDirectory("metadata")
        defer { dir.remove() }
        let store = MetadataStore(dataDirectory: dir.path, logger: logger)
        let hour = MetadataStore.expiry
        store.record([meta("old", .gauge, "Gone soon."), meta("kept", .counter, "K.")], now: 0)
        store.record([meta("kept", .counter, "K.")], now: hour / 2)
        #expect(store.lookup(metric: nil, limit: nil, now: hour - 1).map(\.family) == ["kept", "old"])
        #expect(store.lookup(metric: nil, limit: nil, now: hour).map(\.family) == ["kept"])
        #expect(store.lookup(metric: "old", limit: nil, now: hour).isEmpty)
        // A limit counts only families still described.
        #expect(store.lookup(metric: nil, limit: 1, now: hour).map(\.family) == ["kept"])
        try store.saveIfChanged(now: hour)
        let reloaded = MetadataStore(dataDirectory: dir.path, logger: logger)
        #expect(reloaded.lookup(metric: nil, limit: nil, now: hour).map(\.family) == ["kept"])
        #expect(reloaded.lookup(metric: nil, limit: nil, now: hour / 2 + hour).isEmpty)
    }
}
