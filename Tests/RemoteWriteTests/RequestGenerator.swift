import RemoteWrite
import TestSupport

/// Seeded random remote-write requests built with the generated types: label
/// values with Unicode, quotes and control characters; sample values with NaN
/// payloads, the stale marker, infinities and -0.0; extreme timestamps;
/// metadata, exemplars and native histograms alongside.
struct RequestGenerator {
    var rng: SplitMix64
    /// The chance that a series breaks one label rule (0 for valid requests).
    var invalidSeriesRate = 0.0

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    static let nameAlphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789")
    static let valuePieces = [
        "a", "node", "10.0.0.1:9100", "é", "日本", "🚀", "\u{0}", "\u{FFFF}", "\u{10FFFF}", "\"", "\\", "\n", " ",
        "GET", "/api/v1/query", "Ω≈ç√", "x-y.z", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}",
    ]

    mutating func labelName() -> String {
        if rng.chance(0.1) { return rng.pick(["job", "instance", "le", "quantile", "__meta", "_", "A", "Z_9"]) }
        let length = Int.random(in: 1...12, using: &rng)
        var name = String(rng.pick(Array(RequestGenerator.nameAlphabet.prefix(53))))
        for _ in 1..<length { name.append(rng.pick(RequestGenerator.nameAlphabet)) }
        return name
    }

    mutating func metricName() -> String {
        if rng.chance(0.3) { return rng.pick(["up", "http_requests_total", "node:cpu:rate5m", ":colon", "_x"]) }
        return labelName() + (rng.chance(0.2) ? ":sum" : "")
    }

    mutating func labelValue() -> String {
        var value = ""
        for _ in 0..<Int.random(in: 1...5, using: &rng) { value += rng.pick(RequestGenerator.valuePieces) }
        if rng.chance(0.02) { value += String(repeating: "v", count: Int.random(in: 100...400, using: &rng)) }
        return value
    }

    mutating func value() -> Double {
        switch Int.random(in: 0..<14, using: &rng) {
        case 0: return 0
        case 1: return -0.0
        case 2: return .infinity
        case 3: return -.infinity
        case 4: return Double(bitPattern: 0x7ff0_0000_0000_0002)  // the stale marker
        case 5: return .nan
        case 6: return Double(bitPattern: 0x7ff8_0000_0000_0000 | (rng.next() & 0x0007_ffff_ffff_ffff))
        case 7: return Double(bitPattern: 0xfff0_0000_0000_0001 | (rng.next() & 0x000f_ffff_ffff_fffe))
        case 8: return .leastNonzeroMagnitude
        case 9: return -.greatestFiniteMagnitude
        case 10: return Double(Int.random(in: 0...1_000_000, using: &rng))
        default: return Double(bitPattern: rng.next())
        }
    }

    mutating func timestamp() -> Int64 {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return 0
        case 1: return -Int64.random(in: 1...1_000_000_000_000, using: &rng)
        case 2: return .min
        case 3: return .max
        case 4: return Int64(bitPattern: rng.next())
        default: return 1_700_000_000_000 + Int64.random(in: 0...100_000_000, using: &rng)
        }
    }

    mutating func label(_ name: String, _ value: String) -> Prometheus_Label {
        var label = Prometheus_Label()
        label.name = name
        label.value = value
        return label
    }

    /// A series whose labels follow every rule: sorted, unique, `__name__` valid.
    mutating func validLabels() -> [Prometheus_Label] {
        var names: Set<String> = ["__name__"]
        for _ in 0..<Int.random(in: 0...9, using: &rng) { names.insert(labelName()) }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map {
            label($0, $0 == "__name__" ? metricName() : labelValue())
        }
    }

    /// Breaks one rule of a valid label list.
    mutating func breakRule(_ labels: inout [Prometheus_Label]) {
        switch Int.random(in: 0..<9, using: &rng) {
        case 0: labels = []
        case 1: labels.insert(label("", "v"), at: 0)
        case 2: labels.append(label("bad-name", "v"))
        case 3: labels.append(labels[labels.count - 1])
        case 4: if labels.count > 1 { labels.swapAt(0, labels.count - 1) } else { labels.append(label("A", "v")) }
        case 5: labels[Int.random(in: 0..<labels.count, using: &rng)].value = ""
        case 6: labels.removeAll { $0.name == "__name__" }
        case 7: labels[labels.firstIndex { $0.name == "__name__" }!].value = rng.pick(["1up", "a-b", "ü", " "])
        default: labels.append(label("zzzzzz", ""))
        }
    }

    mutating func exemplar() -> Prometheus_Exemplar {
        var exemplar = Prometheus_Exemplar()
        exemplar.labels = [label("trace_id", labelValue())]
        if rng.chance(0.5) { exemplar.labels.append(label("", "")) }
        exemplar.value = value()
        exemplar.timestamp = timestamp()
        return exemplar
    }

    mutating func histogram() -> Prometheus_Histogram {
        var histogram = Prometheus_Histogram()
        if rng.chance(0.5) { histogram.countInt = rng.next() } else { histogram.countFloat = value() }
        histogram.sum = value()
        histogram.schema = Int32.random(in: -4...8, using: &rng)
        histogram.zeroThreshold = 1e-128
        if rng.chance(0.5) { histogram.zeroCountInt = rng.next() >> 40 } else { histogram.zeroCountFloat = value() }
        var span = Prometheus_BucketSpan()
        span.offset = Int32.random(in: -5...5, using: &rng)
        span.length = UInt32.random(in: 0...4, using: &rng)
        histogram.positiveSpans = [span, span]
        histogram.negativeSpans = rng.chance(0.5) ? [span] : []
        histogram.positiveDeltas = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
            Int64.random(in: -9...9, using: &rng)
        }
        histogram.negativeCounts = (0..<Int.random(in: 0...3, using: &rng)).map { _ in value() }
        histogram.resetHint = rng.pick([.unknown, .yes, .no, .gauge])
        histogram.timestamp = timestamp()
        return histogram
    }

    mutating func metadata() -> Prometheus_MetricMetadata {
        var metadata = Prometheus_MetricMetadata()
        metadata.type = rng.pick([.counter, .gauge, .histogram, .summary, .unknown, .stateset])
        metadata.metricFamilyName = metricName()
        metadata.help = labelValue()
        metadata.unit = rng.chance(0.5) ? "seconds" : ""
        return metadata
    }

    mutating func series() -> Prometheus_TimeSeries {
        var series = Prometheus_TimeSeries()
        series.labels = validLabels()
        if rng.chance(invalidSeriesRate) { breakRule(&series.labels) }
        let sampleCount = rng.chance(0.1) ? 0 : Int.random(in: 1...6, using: &rng)
        series.samples = (0..<sampleCount).map { _ in
            var sample = Prometheus_Sample()
            sample.value = value()
            sample.timestamp = timestamp()
            return sample
        }
        if rng.chance(0.15) { series.exemplars = (0..<Int.random(in: 1...2, using: &rng)).map { _ in exemplar() } }
        if rng.chance(0.1) || sampleCount == 0 { series.histograms = [histogram()] }
        return series
    }

    mutating func request(maxSeries: Int = 12) -> Prometheus_WriteRequest {
        var request = Prometheus_WriteRequest()
        request.timeseries = (0..<Int.random(in: 0...maxSeries, using: &rng)).map { _ in series() }
        if rng.chance(0.3) { request.metadata = (0..<Int.random(in: 1...3, using: &rng)).map { _ in metadata() } }
        return request
    }
}
