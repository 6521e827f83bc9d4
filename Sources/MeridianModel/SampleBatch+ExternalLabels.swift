#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

extension SampleBatch {
    /// The first series (index and labels) that carries label `name` with a
    /// value other than `value`; nil when every series either lacks the label
    /// or has exactly that value.
    /// - Complexity: O(labels) of the batch; builds a `String` only for the answer.
    public func firstSeries(withLabel name: String, otherThan value: String) -> (index: Int, labels: Labels)? {
        let nameBytes = Array(name.utf8)
        let valueBytes = Array(value.utf8)
        for i in series.indices where seriesHasLabel(i, name: nameBytes, otherThan: valueBytes) {
            return (i, labelSet(of: i))
        }
        return nil
    }

    /// Whether series `index` carries label `name` with a value other than `value`.
    public func seriesHasLabel(_ index: Int, name: String, otherThan value: String) -> Bool {
        seriesHasLabel(index, name: Array(name.utf8), otherThan: Array(value.utf8))
    }

    private func seriesHasLabel(_ index: Int, name: [UInt8], otherThan value: [UInt8]) -> Bool {
        let entry = series[index]
        for range in labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)]
        where equal(range.nameStart, range.nameLength, name) {
            return !equal(range.valueStart, range.valueLength, value)
        }
        return false
    }

    /// Adds each of `external` to every series that lacks a label of that name
    /// (a series' own value wins, as with Prometheus' external labels), keeping
    /// every series' labels sorted and recomputing the hash of each series it
    /// changes.
    ///
    /// The external names and values are appended to ``bytes`` once and shared
    /// by every series, so the cost does not grow with label bytes.
    /// - Complexity: O(labels + series × external.count).
    public mutating func addMissingLabels(_ external: Labels) {
        guard !external.isEmpty, !series.isEmpty else { return }
        let extra = Self.append(external, to: &bytes)
        var merged: [LabelRange] = []
        merged.reserveCapacity(labels.count + series.count * extra.count)
        // A copy of the array (no bytes are copied), so that the series can
        // change while its bytes are read through a pointer.
        let text = bytes
        text.withUnsafeBytes { raw in
            for i in series.indices {
                let entry = series[i]
                let start = merged.count
                var added = false
                var next = extra.startIndex
                for range in labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)] {
                    while next < extra.endIndex, Self.compareNames(extra[next], range, in: raw) < 0 {
                        merged.append(extra[next])
                        added = true
                        next += 1
                    }
                    // The series has this name already: its value wins.
                    if next < extra.endIndex, Self.compareNames(extra[next], range, in: raw) == 0 { next += 1 }
                    merged.append(range)
                }
                if next < extra.endIndex {
                    merged.append(contentsOf: extra[next...])
                    added = true
                }
                series[i].labelStart = UInt32(start)
                series[i].labelCount = UInt32(merged.count - start)
                if added { series[i].labelsHash = Self.hash(merged[start...], in: raw) }
            }
        }
        labels = merged
    }

    private func equal(_ start: UInt32, _ length: UInt32, _ other: [UInt8]) -> Bool {
        guard Int(length) == other.count else { return false }
        guard length > 0 else { return true }
        return bytes.withUnsafeBytes { raw in
            other.withUnsafeBytes { memcmp(raw.baseAddress! + Int(start), $0.baseAddress!, other.count) == 0 }
        }
    }

    /// Orders label names by their bytes, as label sets are sorted: negative,
    /// zero or positive as `a`'s name sorts before, equal to or after `b`'s.
    @inline(__always)
    private static func compareNames(_ a: LabelRange, _ b: LabelRange, in raw: UnsafeRawBufferPointer) -> Int {
        let x = Int(a.nameLength)
        let y = Int(b.nameLength)
        let order = memcmp(raw.baseAddress! + Int(a.nameStart), raw.baseAddress! + Int(b.nameStart), min(x, y))
        return order != 0 ? Int(order) : x - y
    }

    private func hash(_ ranges: ArraySlice<LabelRange>) -> UInt64 {
        bytes.withUnsafeBytes { Self.hash(ranges, in: $0) }
    }

    private static func hash(_ ranges: ArraySlice<LabelRange>, in raw: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = LabelsHash.Hasher()
        for r in ranges {
            hasher.combine(
                name: UnsafeRawBufferPointer(rebasing: raw[Int(r.nameStart)..<Int(r.nameStart + r.nameLength)]),
                value: UnsafeRawBufferPointer(rebasing: raw[Int(r.valueStart)..<Int(r.valueStart + r.valueLength)]))
        }
        return hasher.value
    }
}

extension SampleBatch {
    /// The value of label `name` on series `index`, as bytes of ``bytes``; nil when it has none.
    public func labelValue(_ index: Int, named name: [UInt8]) -> ArraySlice<UInt8>? {
        let entry = series[index]
        for range in labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)]
        where bytes[Int(range.nameStart)..<Int(range.nameStart + range.nameLength)].elementsEqual(name) {
            return bytes[Int(range.valueStart)..<Int(range.valueStart + range.valueLength)]
        }
        return nil
    }

    /// Removes the labels named in `names` from every series that has them,
    /// recomputing those series' hashes.
    /// - Complexity: O(labels × names.count).
    public mutating func removeLabels(named names: [[UInt8]]) {
        var kept: [LabelRange] = []
        kept.reserveCapacity(labels.count)
        for i in series.indices {
            let entry = series[i]
            let start = kept.count
            var removed = false
            for range in labels[Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)] {
                let name = bytes[Int(range.nameStart)..<Int(range.nameStart + range.nameLength)]
                if names.contains(where: { name.elementsEqual($0) }) {
                    removed = true
                } else {
                    kept.append(range)
                }
            }
            series[i].labelStart = UInt32(start)
            series[i].labelCount = UInt32(kept.count - start)
            if removed { series[i].labelsHash = hash(kept[start...]) }
        }
        labels = kept
    }

    /// The series at `indices` (ascending), with their samples, sharing ``bytes``.
    public func selectingSeries(_ indices: [Int]) -> SampleBatch {
        var out = SampleBatch(bytes: bytes)
        for i in indices {
            var entry = series[i]
            let labelRange = Int(entry.labelStart)..<Int(entry.labelStart + entry.labelCount)
            let sampleRange = Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount)
            entry.labelStart = UInt32(out.labels.count)
            entry.sampleStart = UInt32(out.samples.count)
            out.labels.append(contentsOf: labels[labelRange])
            out.samples.append(contentsOf: samples[sampleRange])
            out.series.append(entry)
        }
        return out
    }

    /// This batch without the samples at or before `fence` (milliseconds).
    public func keepingSamples(after fence: Timestamp) -> SampleBatch {
        let old = samples.indices.filter { samples[$0].t <= fence }
        return removingSamples(at: old)
    }
}
