import MeridianModel

extension RemoteWriteDecoder {
    /// `__name__` as one little-endian word, to spot the metric name label
    /// with a single compare.
    private static let metricNameWord: UInt64 = 0x5f5f_656d_616e_5f5f

    /// One `TimeSeries`: labels = 1, samples = 2, exemplars = 3, histograms = 4.
    /// Validates the labels as they arrive (they must already be sorted, so the
    /// hash can be streamed) and appends them and the samples to `builder`.
    /// The per-series limits cost two compares per label and one per series:
    /// lengths are checked before the bytes are scanned, so a megabyte value
    /// is refused without being read.
    ///
    /// Labels and samples take a fast path for the shape every sender writes
    /// (one-byte tags and lengths, fields in order, nothing unknown); anything
    /// else goes through the general ``readLabel(_:)`` / ``readSample(_:)``.
    @inline(__always)
    static func decodeSeries(
        _ reader: WireReader, index: Int, limits: RemoteWriteLimits, into builder: inout BatchBuilder,
        ignored: inout Ignored
    ) throws(RemoteWriteError) {
        var r = reader
        let base = r.base
        let labelStart = builder.labels.count
        let sampleStart = builder.samples.count
        var hasher = LabelsHash.Hasher()
        var previousName = (start: 0, count: 0)
        var hasMetricName = false
        var ownLabels = 0
        // The next of `builder.added` to place (they go before the first own
        // label that sorts after them, unless the series has that name).
        var nextAdded = 0
        let added = builder.added

        while !r.isAtEnd {
            let at = r.position
            let first = r.byte(at: at)
            let tag: UInt32
            if first == 0x0a || first == 0x12 {
                tag = UInt32(first)
                r.position &+= 1
            } else {
                tag = try r.readTag()
            }
            switch tag {
            case 0x0a:
                let body = try r.readLengthDelimited()
                let label: LabelRange
                if let fast = fastLabel(base, body) { label = fast } else { label = try readLabel(r.subReader(body)) }
                let name = (start: Int(label.nameStart), count: Int(label.nameLength))
                let value = (start: Int(label.valueStart), count: Int(label.valueLength))
                let isFirst = ownLabels == 0
                guard name.count <= limits.maxLabelNameLength,
                    NameValidation.isValidLabelName(base + name.start, count: name.count),
                    isFirst
                        || compare(base + previousName.start, previousName.count, base + name.start, name.count) < 0,
                    value.count > 0, value.count <= limits.maxLabelValueLength,
                    UTF8Validation.isValid(base + value.start, count: value.count)
                else {
                    throw labelError(
                        label, previousName: previousName, isFirst: isFirst, limits: limits, series: reader,
                        index: index)
                }
                if name.count == 8
                    && UInt64(littleEndian: (base + name.start).loadUnaligned(as: UInt64.self)) == metricNameWord
                {
                    hasMetricName = true
                    if !NameValidation.isValidMetricName(base + value.start, count: value.count) {
                        throw metricNameError(label, series: reader, index: index)
                    }
                }
                while nextAdded < added.count {
                    let order = compare(
                        base + Int(added[nextAdded].nameStart), Int(added[nextAdded].nameLength), base + name.start,
                        name.count)
                    if order > 0 { break }
                    // Equal: the series' own value wins.
                    if order < 0 { appendAdded(added[nextAdded], base: base, to: &builder, hasher: &hasher) }
                    nextAdded &+= 1
                }
                hasher.combine(
                    name: UnsafeRawBufferPointer(start: base + name.start, count: name.count),
                    value: UnsafeRawBufferPointer(start: base + value.start, count: value.count))
                builder.labels.append(label)
                ownLabels &+= 1
                previousName = name
            case 0x12:
                let body = try r.readLengthDelimited()
                if let sample = fastSample(base, body) {
                    builder.samples.append(sample)
                } else {
                    builder.samples.append(try readSample(r.subReader(body)))
                }
            default:
                try skipOtherSeriesField(tag, at: at, &r, ignored: &ignored)
            }
        }

        if ownLabels == 0 {
            throw LabelProblem.noLabels.error(seriesIndex: index, labels: [])
        }
        if ownLabels > limits.maxLabelsPerSeries {
            throw LabelProblem.tooManyLabels(count: ownLabels, limit: limits.maxLabelsPerSeries)
                .error(seriesIndex: index, labels: SeriesDescription.labels(of: reader))
        }
        if !hasMetricName {
            throw LabelProblem.missingMetricName.error(seriesIndex: index, labels: SeriesDescription.labels(of: reader))
        }
        while nextAdded < added.count {
            appendAdded(added[nextAdded], base: base, to: &builder, hasher: &hasher)
            nextAdded &+= 1
        }
        let labelCount = builder.labels.count - labelStart
        let sampleCount = builder.samples.count - sampleStart
        if sampleCount == 0 {
            // Histogram- or exemplar-only: valid, but nothing for the head.
            builder.labels.removeSubrange(labelStart...)
            ignored.seriesWithoutSamples += 1
            return
        }
        builder.series.append(
            BatchSeries(
                labelStart: UInt32(truncatingIfNeeded: labelStart), labelCount: UInt32(truncatingIfNeeded: labelCount),
                sampleStart: UInt32(truncatingIfNeeded: sampleStart),
                sampleCount: UInt32(truncatingIfNeeded: sampleCount), labelsHash: hasher.value))
    }

    /// Places one of ``BatchBuilder/added`` among a series' labels.
    @inline(__always)
    static func appendAdded(
        _ label: LabelRange, base: UnsafeRawPointer, to builder: inout BatchBuilder, hasher: inout LabelsHash.Hasher
    ) {
        hasher.combine(
            name: UnsafeRawBufferPointer(start: base + Int(label.nameStart), count: Int(label.nameLength)),
            value: UnsafeRawBufferPointer(start: base + Int(label.valueStart), count: Int(label.valueLength)))
        builder.labels.append(label)
    }

    /// A `TimeSeries` field other than labels and samples: exemplars,
    /// histograms, unknown fields. Kept out of line: rare.
    @inline(never)
    static func skipOtherSeriesField(_ tag: UInt32, at: Int, _ r: inout WireReader, ignored: inout Ignored)
        throws(RemoteWriteError)
    {
        switch tag {
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

    /// The error for a label that failed the fast checks: works out which rule
    /// it broke and names the series. The order: the name's rules, its
    /// length, its place after the previous name, then the value's rules and
    /// its length (a rule of the protocol before a limit of this receiver).
    @inline(never)
    static func labelError(
        _ label: LabelRange, previousName: (start: Int, count: Int), isFirst: Bool, limits: RemoteWriteLimits,
        series: WireReader, index: Int
    ) -> RemoteWriteError {
        let base = series.base
        let name = UnsafeRawBufferPointer(start: base + Int(label.nameStart), count: Int(label.nameLength))
        let value = UnsafeRawBufferPointer(start: base + Int(label.valueStart), count: Int(label.valueLength))
        let previous = UnsafeRawBufferPointer(start: base + previousName.start, count: previousName.count)
        let problem: LabelProblem
        if name.isEmpty {
            problem = .emptyName
        } else if !NameValidation.isValidLabelName(name) {
            problem = .invalidName(String(decoding: name, as: UTF8.self))
        } else if name.count > limits.maxLabelNameLength {
            problem = .nameTooLong(
                name: String(decoding: name, as: UTF8.self), bytes: name.count, limit: limits.maxLabelNameLength)
        } else if !isFirst && previous.elementsEqual(name) {
            problem = .duplicateName(String(decoding: name, as: UTF8.self))
        } else if !isFirst && !previous.lexicographicallyPrecedes(name) {
            problem = .unsorted(
                name: String(decoding: name, as: UTF8.self), after: String(decoding: previous, as: UTF8.self))
        } else if value.isEmpty {
            problem = .emptyValue(name: String(decoding: name, as: UTF8.self))
        } else if !UTF8Validation.isValid(value.baseAddress!, count: value.count) {
            problem = .invalidValueUTF8(name: String(decoding: name, as: UTF8.self))
        } else {
            problem = .valueTooLong(
                name: String(decoding: name, as: UTF8.self), bytes: value.count, limit: limits.maxLabelValueLength)
        }
        return problem.error(seriesIndex: index, labels: SeriesDescription.labels(of: series))
    }

    @inline(never)
    static func metricNameError(_ label: LabelRange, series: WireReader, index: Int) -> RemoteWriteError {
        let value = UnsafeRawBufferPointer(start: series.base + Int(label.valueStart), count: Int(label.valueLength))
        return LabelProblem.invalidMetricName(String(decoding: value, as: UTF8.self))
            .error(seriesIndex: index, labels: SeriesDescription.labels(of: series))
    }

    /// Byte-order comparison (Prometheus sorts label names by bytes): negative,
    /// zero or positive as `a` sorts before, equal to or after `b`.
    @inline(__always)
    static func compare(_ a: UnsafeRawPointer, _ aCount: Int, _ b: UnsafeRawPointer, _ bCount: Int) -> Int {
        let n = min(aCount, bCount)
        var i = 0
        while i < n {
            let x = a.load(fromByteOffset: i, as: UInt8.self)
            let y = b.load(fromByteOffset: i, as: UInt8.self)
            if x != y { return Int(x) &- Int(y) }
            i &+= 1
        }
        return aCount &- bCount
    }
}
