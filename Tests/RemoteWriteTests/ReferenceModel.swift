import Foundation
import MeridianModel
import SwiftProtobuf

@testable import RemoteWrite

/// What the hand-written decoder must produce for a request, derived from
/// SwiftProtobuf's decoding of the same bytes with plain `String` code.
enum ReferenceModel {
    /// Every series with samples, as labels and samples; and what is ignored.
    struct Expected {
        var series: [(labels: [Label], samples: [Sample])] = []
        var metadata: [MetricMetadata] = []
        var ignored = RemoteWriteDecoder.Ignored()
    }

    static func expected(_ request: Prometheus_WriteRequest) -> Expected {
        var out = Expected()
        out.metadata = request.metadata.map {
            MetricMetadata(
                family: $0.metricFamilyName, type: MetricMetadata.Kind(wireValue: UInt64(truncatingIfNeeded: $0.type.rawValue)),
                help: $0.help, unit: $0.unit)
        }
        for series in request.timeseries {
            out.ignored.exemplars += series.exemplars.count
            out.ignored.histograms += series.histograms.count
            if series.samples.isEmpty {
                out.ignored.seriesWithoutSamples += 1
                continue
            }
            out.series.append(
                (
                    series.labels.map { Label(name: $0.name, value: $0.value) },
                    series.samples.map { Sample(t: $0.timestamp, v: $0.value) }
                ))
        }
        return out
    }

    /// The first label-rule or limit violation in request order, with the
    /// error the decoder must give, written independently of the decoder's
    /// checks. Metadata counts last: generated requests put it after the series.
    static func firstViolation(
        _ request: Prometheus_WriteRequest, limits: RemoteWriteLimits = RemoteWriteLimits()
    ) -> RemoteWriteError? {
        let totalSamples = request.timeseries.reduce(0) { $0 + $1.samples.count }
        func over(_ limit: RemoteWriteLimits.Limit, _ what: String) -> RemoteWriteError {
            RemoteWriteError(
                limit: limit,
                "request has \(what), over the limit of \(limits[limit]) (remote_write.\(limit.rawValue))",
                refusedSamples: totalSamples)
        }
        var samples = 0
        for (index, series) in request.timeseries.enumerated() {
            if index == limits.maxSeriesPerRequest {
                return over(.seriesPerRequest, "\(request.timeseries.count) series")
            }
            let labels = series.labels.map { (name: $0.name, value: $0.value) }
            if let problem = violation(series.labels, limits: limits) {
                let error = problem.error(seriesIndex: index, labels: problem == .noLabels ? [] : labels)
                return error.code == .limitExceeded ? error.refusing(totalSamples) : error
            }
            samples += series.samples.count
            if samples > limits.maxSamplesPerRequest { return over(.samplesPerRequest, "\(totalSamples) samples") }
        }
        if request.metadata.count > limits.maxMetadataPerRequest {
            return over(.metadataPerRequest, "\(request.metadata.count) metadata entries")
        }
        return nil
    }

    static func violation(_ labels: [Prometheus_Label], limits: RemoteWriteLimits) -> LabelProblem? {
        var previous: String?
        var hasMetricName = false
        for label in labels {
            if label.name.isEmpty { return .emptyName }
            let validName =
                label.name.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "_" || $0.isNumber) }
                && !label.name.first!.isNumber
            if !validName { return .invalidName(label.name) }
            if label.name.utf8.count > limits.maxLabelNameLength {
                return .nameTooLong(name: label.name, bytes: label.name.utf8.count, limit: limits.maxLabelNameLength)
            }
            if let previous {
                if previous == label.name { return .duplicateName(label.name) }
                if !previous.utf8.lexicographicallyPrecedes(label.name.utf8) {
                    return .unsorted(name: label.name, after: previous)
                }
            }
            if label.value.isEmpty { return .emptyValue(name: label.name) }
            if label.value.utf8.count > limits.maxLabelValueLength {
                return .valueTooLong(name: label.name, bytes: label.value.utf8.count, limit: limits.maxLabelValueLength)
            }
            if label.name == "__name__" {
                hasMetricName = true
                let first = label.value.first!
                let validMetric =
                    label.value.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "_" || $0 == ":" || $0.isNumber) }
                    && !first.isNumber
                if !validMetric { return .invalidMetricName(label.value) }
            }
            previous = label.name
        }
        if labels.isEmpty { return .noLabels }
        if labels.count > limits.maxLabelsPerSeries {
            return .tooManyLabels(count: labels.count, limit: limits.maxLabelsPerSeries)
        }
        if !hasMetricName { return .missingMetricName }
        return nil
    }

    /// Whether SwiftProtobuf kept a field of a known number as unknown, which
    /// it does when the wire type is wrong and the hand-written decoder (like
    /// Prometheus) refuses.
    static func hasMisTypedKnownField(_ request: Prometheus_WriteRequest) -> Bool {
        func check(_ storage: UnknownStorage, _ known: Set<UInt64>) -> Bool {
            topLevelFieldNumbers(Array(storage.data)).contains { known.contains($0) }
        }
        let pair: Set<UInt64> = [1, 2]
        if check(request.unknownFields, [1, 3]) { return true }
        if request.metadata.contains(where: { check($0.unknownFields, [1, 2, 4, 5]) }) { return true }
        for series in request.timeseries {
            if check(series.unknownFields, [1, 2, 3, 4]) { return true }
            if series.labels.contains(where: { check($0.unknownFields, pair) }) { return true }
            if series.samples.contains(where: { check($0.unknownFields, pair) }) { return true }
            for exemplar in series.exemplars {
                if check(exemplar.unknownFields, [1, 2, 3]) { return true }
                if exemplar.labels.contains(where: { check($0.unknownFields, pair) }) { return true }
            }
            for histogram in series.histograms {
                if check(histogram.unknownFields, Set(1...15)) { return true }
                let spans = histogram.positiveSpans + histogram.negativeSpans
                if spans.contains(where: { check($0.unknownFields, pair) }) { return true }
            }
        }
        return false
    }

    /// The field numbers at the top level of serialized unknown fields
    /// (fields inside groups do not count).
    static func topLevelFieldNumbers(_ bytes: [UInt8]) -> [UInt64] {
        var i = 0
        func varint() -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                if shift < 64 { value |= UInt64(b & 0x7f) << shift }
                if b < 0x80 { break }
                shift += 7
            }
            return value
        }
        func skip(_ tag: UInt64) {
            switch tag & 7 {
            case 0: _ = varint()
            case 1: i += 8
            case 2: i += Int(varint())
            case 3:
                while i < bytes.count {
                    let inner = varint()
                    if inner & 7 == 4 { return }
                    skip(inner)
                }
            case 5: i += 4
            default: break
            }
        }
        var numbers: [UInt64] = []
        while i < bytes.count {
            let tag = varint()
            numbers.append(tag >> 3)
            skip(tag)
        }
        return numbers
    }
}
