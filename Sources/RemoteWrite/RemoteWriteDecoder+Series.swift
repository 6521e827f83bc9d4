import MeridianModel

extension RemoteWriteDecoder {
    /// `__name__` as one little-endian word, to spot the metric name label
    /// with a single compare.
    private static let metricNameWord: UInt64 = 0x5f5f_656d_616e_5f5f

    /// One `TimeSeries`: labels = 1, samples = 2, exemplars = 3, histograms = 4.
    /// Validates the labels as they arrive (they must already be sorted, so the
    /// hash can be streamed) and appends them and the samples to `builder`.
    @inline(__always)
    static func decodeSeries(
        _ reader: WireReader, index: Int, into builder: inout BatchBuilder, ignored: inout Ignored
    ) throws(RemoteWriteError) {
        var r = reader
        let base = r.base
        let labelStart = builder.labels.count
        let sampleStart = builder.samples.count
        var hasher = LabelsHash.Hasher()
        var previous = LabelRange(nameStart: 0, nameLength: 0, valueStart: 0, valueLength: 0)
        var hasMetricName = false

        while !r.isAtEnd {
            let at = r.position
            let tag = try r.readTag()
            switch tag {
            case 0x0a:
                let label = try readLabel(r.subReader(try r.readLengthDelimited()))
                if let problem = check(label, previous: previous, isFirst: builder.labels.count == labelStart, base: base) {
                    throw problem.error(seriesIndex: index, labels: SeriesDescription.labels(of: reader))
                }
                let name = UnsafeRawBufferPointer(start: base + Int(label.nameStart), count: Int(label.nameLength))
                if label.nameLength == 8 && UInt64(littleEndian: name.loadUnaligned(as: UInt64.self)) == metricNameWord {
                    hasMetricName = true
                    let value = UnsafeRawBufferPointer(start: base + Int(label.valueStart), count: Int(label.valueLength))
                    if !NameValidation.isValidMetricName(value) {
                        throw LabelProblem.invalidMetricName(String(decoding: value, as: UTF8.self))
                            .error(seriesIndex: index, labels: SeriesDescription.labels(of: reader))
                    }
                }
                hasher.combine(
                    name: name,
                    value: UnsafeRawBufferPointer(start: base + Int(label.valueStart), count: Int(label.valueLength)))
                builder.labels.append(label)
                previous = label
            case 0x12:
                builder.samples.append(try readSample(r.subReader(try r.readLengthDelimited())))
            case 0x1a:
                try SkippedMessage.exemplar.check(r.subReader(try r.readLengthDelimited()), depth: 3)
                ignored.exemplars += 1
            case 0x22:
                try SkippedMessage.histogram.check(r.subReader(try r.readLengthDelimited()), depth: 3)
                ignored.histograms += 1
            default:
                if (1...4).contains(tag >> 3) {
                    throw r.wrongWireType(field: tag >> 3, wire: tag & 7, in: "TimeSeries", at: at)
                }
                try r.skipField(tag: tag, depth: 2)
            }
        }

        let labelCount = builder.labels.count - labelStart
        if labelCount == 0 {
            throw LabelProblem.noLabels.error(seriesIndex: index, labels: [])
        }
        if !hasMetricName {
            throw LabelProblem.missingMetricName.error(seriesIndex: index, labels: SeriesDescription.labels(of: reader))
        }
        let sampleCount = builder.samples.count - sampleStart
        if sampleCount == 0 {
            // Histogram- or exemplar-only: valid, but nothing for the head.
            builder.labels.removeSubrange(labelStart...)
            ignored.seriesWithoutSamples += 1
            return
        }
        builder.series.append(
            BatchSeries(
                labelStart: UInt32(labelStart), labelCount: UInt32(labelCount),
                sampleStart: UInt32(sampleStart), sampleCount: UInt32(sampleCount),
                labelsHash: hasher.value))
    }

    /// The label rules, in the order the sender is told about them: name
    /// present and valid, names strictly ascending, value present and UTF-8.
    @inline(__always)
    static func check(_ label: LabelRange, previous: LabelRange, isFirst: Bool, base: UnsafeRawPointer)
        -> LabelProblem?
    {
        let name = UnsafeRawBufferPointer(start: base + Int(label.nameStart), count: Int(label.nameLength))
        if name.isEmpty { return .emptyName }
        if !NameValidation.isValidLabelName(name) { return .invalidName(String(decoding: name, as: UTF8.self)) }
        if !isFirst {
            let before = UnsafeRawBufferPointer(start: base + Int(previous.nameStart), count: Int(previous.nameLength))
            let order = compare(before, name)
            if order == 0 { return .duplicateName(String(decoding: name, as: UTF8.self)) }
            if order > 0 {
                return .unsorted(
                    name: String(decoding: name, as: UTF8.self), after: String(decoding: before, as: UTF8.self))
            }
        }
        if label.valueLength == 0 { return .emptyValue(name: String(decoding: name, as: UTF8.self)) }
        if !UTF8Validation.isValid(base + Int(label.valueStart), count: Int(label.valueLength)) {
            return .invalidValueUTF8(name: String(decoding: name, as: UTF8.self))
        }
        return nil
    }

    /// Byte-order comparison (Prometheus sorts label names by bytes): negative,
    /// zero or positive as `a` sorts before, equal to or after `b`.
    @inline(__always)
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        var i = 0
        while i < n {
            let x = a[i]
            let y = b[i]
            if x != y { return Int(x) - Int(y) }
            i += 1
        }
        return a.count - b.count
    }

    /// One `Label`: name = 1, value = 2. A field sent twice keeps its last
    /// value, as protobuf specifies, but every occurrence must be UTF-8.
    @inline(__always)
    static func readLabel(_ reader: WireReader) throws(RemoteWriteError) -> LabelRange {
        var r = reader
        var name = (start: r.position, count: 0)
        var value = (start: r.position, count: 0)
        var nameSeen = false
        var valueSeen = false
        while !r.isAtEnd {
            let at = r.position
            let tag = try r.readTag()
            switch tag {
            case 0x0a:
                if nameSeen { try requireUTF8(name, of: "name", reader: r, at: at) }
                name = try r.readLengthDelimited()
                nameSeen = true
            case 0x12:
                if valueSeen { try requireUTF8(value, of: "value", reader: r, at: at) }
                value = try r.readLengthDelimited()
                valueSeen = true
            default:
                if tag >> 3 == 1 || tag >> 3 == 2 {
                    throw r.wrongWireType(field: tag >> 3, wire: tag & 7, in: "Label", at: at)
                }
                try r.skipField(tag: tag, depth: 3)
            }
        }
        // Bodies are below 4 GiB (checked on entry), so offsets fit.
        return LabelRange(
            nameStart: UInt32(truncatingIfNeeded: name.start), nameLength: UInt32(truncatingIfNeeded: name.count),
            valueStart: UInt32(truncatingIfNeeded: value.start), valueLength: UInt32(truncatingIfNeeded: value.count))
    }

    @inline(never)
    static func requireUTF8(_ body: (start: Int, count: Int), of field: String, reader: WireReader, at: Int)
        throws(RemoteWriteError)
    {
        if !UTF8Validation.isValid(reader.base + body.start, count: body.count) {
            throw reader.malformed(at: at, "invalid UTF-8 in a label \(field) that a later one overrides")
        }
    }

    /// One `Sample`: value = 1 (double), timestamp = 2 (int64).
    @inline(__always)
    static func readSample(_ reader: WireReader) throws(RemoteWriteError) -> Sample {
        var r = reader
        var bits: UInt64 = 0
        var timestamp: UInt64 = 0
        while !r.isAtEnd {
            let at = r.position
            let tag = try r.readTag()
            switch tag {
            case 0x09: bits = try r.readFixed64()
            case 0x10: timestamp = try r.readVarint()
            default:
                if tag >> 3 == 1 || tag >> 3 == 2 {
                    throw r.wrongWireType(field: tag >> 3, wire: tag & 7, in: "Sample", at: at)
                }
                try r.skipField(tag: tag, depth: 3)
            }
        }
        return Sample(t: Int64(bitPattern: timestamp), v: Double(bitPattern: bits))
    }
}
