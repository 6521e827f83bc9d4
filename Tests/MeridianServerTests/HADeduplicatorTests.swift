import Logging
import MeridianModel
import Testing

@testable import MeridianServer

/// The HA stage on its own: one replica stored, failover on sample time,
/// the standby's buffer stored from the old replica's newest sample on.
@Suite struct HADeduplicatorTests {
    static func write(_ replica: String, _ times: [Int64], cluster: String = "c1") -> SampleBatch {
        SampleBatch(
            series: [
                (
                    Labels(["__name__": "requests_total", "center": "bj", "cluster": cluster, "replica": replica]),
                    times.map { Sample(t: $0 * 1000, v: Double($0)) }
                )
            ])
    }

    static func dedup(timeout: Double = 3) -> HADeduplicator {
        var options = HADeduplicator.Options()
        options.failoverTimeout = timeout
        return HADeduplicator(options: options, logger: Logger(label: "test"))
    }

    static func times(_ batches: [SampleBatch]) -> [Int64] { batches.flatMap { $0.samples.map { $0.t / 1000 } } }

    @Test func theFirstReplicaIsElectedAndStoredWithoutItsReplicaLabel() {
        let ha = Self.dedup()
        let first = ha.process(Self.write("r1", [1, 2]))
        #expect(Self.times(first.store) == [1, 2])
        #expect(first.store[0].labelSet(of: 0) == Labels(["__name__": "requests_total", "center": "bj", "cluster": "c1"]))
        #expect(first.store[0].series[0].labelsHash == LabelsHash.of(first.store[0].labelSet(of: 0)))
        #expect(ha.process(Self.write("r2", [1, 2])).store.isEmpty, "the standby is held, not stored")
        #expect(Self.times(ha.process(Self.write("r1", [3])).store) == [3])
    }

    @Test func aStandbyAheadByTheTimeoutTakesOverFromTheOldReplicasNewestSample() {
        let ha = Self.dedup(timeout: 3)
        _ = ha.process(Self.write("r1", [10, 11, 12]))
        // r2's scrapes are offset; r1 stops after 12.
        var stored: [Int64] = []
        for t in stride(from: Int64(10), through: 15, by: 1) {
            stored += Self.times(ha.process(Self.write("r2", [t])).store)
        }
        #expect(stored.isEmpty, "within the timeout nothing changes")
        let failover = ha.process(Self.write("r2", [16]))
        #expect(failover.failovers.count == 1)
        #expect(failover.failovers.first?.from == "r1" && failover.failovers.first?.to == "r2")
        #expect(failover.failovers.first?.fence == 12_000)
        // Everything r2 scraped after r1's last sample, at once: no gap.
        #expect(Self.times(failover.store) == [13, 14, 15, 16])
        // r1 coming back late with old samples is not stored: nothing goes back in time.
        #expect(ha.process(Self.write("r1", [13])).store.isEmpty)
        #expect(ha.replicas().first { $0.elected }?.replica == "r2")
    }

    @Test func clustersAreIndependentAndPlainSeriesPassThrough() {
        let ha = Self.dedup()
        _ = ha.process(Self.write("r1", [1], cluster: "east"))
        #expect(Self.times(ha.process(Self.write("r2", [1], cluster: "west")).store) == [1], "first in its own cluster")
        let plain = SampleBatch(series: [(Labels(["__name__": "up", "center": "bj"]), [Sample(t: 1, v: 1)])])
        let result = ha.process(plain)
        #expect(result.store.count == 1 && result.store[0].labelSet(of: 0) == Labels(["__name__": "up", "center": "bj"]))
    }

    @Test func prometheusStyleReplicaLabelIsAcceptedToo() {
        let ha = Self.dedup()
        let batch = SampleBatch(series: [(Labels(["__name__": "up", "__replica__": "a"]), [Sample(t: 1, v: 1)])])
        let result = ha.process(batch)
        #expect(result.store.first?.labelSet(of: 0) == Labels(["__name__": "up"]))
    }
}

extension HADeduplicatorTests {
    /// Replicas sending interleaved requests of many series, scraped 300 ms
    /// apart, as two Prometheus servers do; the elected one stops.
    @Test func interleavedReplicasFailOverWhenTheElectedStops() {
        let ha = Self.dedup(timeout: 3)
        func request(_ replica: String, _ t: Int64) -> SampleBatch {
            SampleBatch(
                series: (0..<50).map { i in
                    (
                        Labels(["__name__": "m\(i)", "center": "ha", "cluster": "c1", "replica": replica, "job": "j"]),
                        [Sample(t: t, v: Double(t))]
                    )
                })
        }
        var stored: [Int64] = []
        var failovers = 0
        for second in Int64(1)...20 {
            if second <= 10 {
                let r = ha.process(request("r1", second * 1000))
                stored += r.store.flatMap { $0.samples.map(\.t) }
                failovers += r.failovers.count
            }
            let r = ha.process(request("r2", second * 1000 + 300))
            stored += r.store.flatMap { $0.samples.map(\.t) }
            failovers += r.failovers.count
        }
        #expect(failovers == 1)
        let times = Set(stored).sorted()
        #expect(times.first == 1000 && times.last == 20_300)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 <= 1300 }, "\(times)")
    }
}

extension HADeduplicatorTests {
    /// A scraped metric with its own `replica` label keeps it over the
    /// external label; it still belongs to the replica that sent the request.
    @Test func aSeriesWithItsOwnReplicaLabelFollowsItsRequest() {
        let ha = Self.dedup()
        func request(_ replica: String, _ t: Int64) -> SampleBatch {
            var series: [(Labels, [Sample])] = (0..<5).map { i in
                (Labels(["__name__": "m\(i)", "center": "ha", "cluster": "c1", "replica": replica]), [Sample(t: t, v: 1)])
            }
            series.append((Labels(["__name__": "elected", "center": "ha", "cluster": "c1", "replica": "r1"]), [Sample(t: t, v: 1)]))
            return SampleBatch(series: series)
        }
        #expect(ha.process(request("r1", 1000)).store.first?.sampleCount == 6)
        #expect(ha.process(request("r2", 1300)).store.isEmpty, "r2's request, the odd series included, is the standby's")
        #expect(HADeduplicator.byRequestReplica(["a": [0, 2], "b": [1]]).map(\.0) == ["a"])
        #expect(HADeduplicator.byRequestReplica(["a": [0], "b": [1]]).map(\.0) == ["a", "b"], "no majority: each its own")
    }
}
