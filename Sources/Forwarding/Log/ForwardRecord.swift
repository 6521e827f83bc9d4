import Encoding
import MeridianModel
import RemoteWrite

/// The fixed part at the start of every forward-log record's payload
/// (docs/format/forward-log.md): enough to account for the record (sample
/// counts, time range, when it was acknowledged) without decompressing it.
public struct ForwardRecordHeader: Sendable, Equatable {
    /// The payload formats: 1, a request as stored; 2, a request as received,
    /// followed by the labels to add to every series that lacks them (so a
    /// center logs the body it was sent, without encoding it again). Readers
    /// refuse others.
    static let version: UInt8 = 1
    static let versionWithLabels: UInt8 = 2

    /// Sequence number of the record's first sample across the whole log.
    public var firstSampleSeq: UInt64
    public var sampleCount: UInt64
    public var seriesCount: UInt64
    /// Oldest and newest sample timestamps, milliseconds.
    public var minTime: Int64
    public var maxTime: Int64
    /// Wall-clock milliseconds when the center acknowledged the samples.
    public var acknowledgedAt: Int64
    /// Labels the reader adds to every series of the body that lacks them (version 2).
    public var addedLabels = Labels.empty

    func encode(into out: inout [UInt8]) {
        out.append(addedLabels.isEmpty ? Self.version : Self.versionWithLabels)
        Varint.appendUnsigned(firstSampleSeq, to: &out)
        Varint.appendUnsigned(sampleCount, to: &out)
        Varint.appendUnsigned(seriesCount, to: &out)
        Varint.appendSigned(minTime, to: &out)
        Varint.appendSigned(maxTime, to: &out)
        Varint.appendSigned(acknowledgedAt, to: &out)
        guard !addedLabels.isEmpty else { return }
        Varint.appendUnsigned(UInt64(addedLabels.count), to: &out)
        for label in addedLabels {
            for text in [label.name, label.value] {
                Varint.appendUnsigned(UInt64(text.utf8.count), to: &out)
                out.append(contentsOf: text.utf8)
            }
        }
    }

    /// Reads a header from the start of `payload`; returns it and where the body starts.
    static func decode(_ payload: [UInt8]) throws(ForwardError) -> (ForwardRecordHeader, bodyOffset: Int) {
        let result = payload.withUnsafeBytes { raw in Result { () throws(ForwardError) in try decode(raw) } }
        return try result.get()
    }

    static func decode(_ payload: UnsafeRawBufferPointer) throws(ForwardError) -> (ForwardRecordHeader, bodyOffset: Int) {
        var cursor = ByteCursor(payload)
        guard let version = cursor.readByte(), version == Self.version || version == Self.versionWithLabels else {
            throw ForwardError(.corruption, "forward record of unknown version \(payload.first.map { "\($0)" } ?? "none")")
        }
        guard let seq = cursor.readUVarint(), let samples = cursor.readUVarint(), let series = cursor.readUVarint(),
            let minTime = cursor.readVarint(), let maxTime = cursor.readVarint(), let at = cursor.readVarint()
        else { throw ForwardError(.corruption, "forward record header cut short") }
        var header = ForwardRecordHeader(
            firstSampleSeq: seq, sampleCount: samples, seriesCount: series, minTime: minTime, maxTime: maxTime,
            acknowledgedAt: at)
        if version == Self.versionWithLabels {
            guard let count = cursor.readUVarint(), count <= 1024 else {
                throw ForwardError(.corruption, "forward record: bad count of added labels")
            }
            var labels: [Label] = []
            for _ in 0..<count {
                guard let name = readString(&cursor), let value = readString(&cursor) else {
                    throw ForwardError(.corruption, "forward record: added labels cut short")
                }
                labels.append(Label(name: name, value: value))
            }
            header.addedLabels = Labels(labels)
        }
        return (header, cursor.offset)
    }
}

/// A uvarint length and that many bytes of UTF-8.
private func readString(_ cursor: inout ByteCursor) -> String? {
    guard let length = cursor.readUVarint(), length <= UInt64(CheckedFrame.maxPayload),
        let bytes = cursor.readBytes(Int(length))
    else { return nil }
    return String(decoding: bytes, as: UTF8.self)
}

/// The first frame of every segment: the sequence number of the segment's
/// first sample, so a segment is self-describing even after every segment
/// before it was deleted (and when it holds no record yet).
enum ForwardSegmentHeader {
    /// The payload's first byte ('S'); a record's first byte is its version (1).
    static let tag: UInt8 = 0x53
    static let version: UInt8 = 1

    static func encode(firstSampleSeq: UInt64, into out: inout [UInt8]) {
        out.append(tag)
        out.append(version)
        Varint.appendUnsigned(firstSampleSeq, to: &out)
    }

    /// The sequence number in a segment header payload; nil when `payload` is not one.
    static func decode(_ payload: [UInt8]) -> UInt64? {
        guard payload.count >= 3, payload[0] == tag, payload[1] == version else { return nil }
        return payload.withUnsafeBytes { raw in
            var cursor = ByteCursor(raw, offset: 2)
            return cursor.readUVarint()
        }
    }
}

/// One record of the forward log: the samples of one acknowledged write, as
/// a snappy-compressed remote-write request, ready to be split among senders.
public struct ForwardRecord: Sendable {
    public var header: ForwardRecordHeader
    /// Where the record starts and where the next one does.
    public var position: ForwardPosition
    public var end: ForwardPosition
    /// snappy(WriteRequest protobuf).
    public var body: [UInt8]

    /// A record's header (its sequence number still to be assigned) and body
    /// for `batch`; made before the log's lock is taken, so that concurrent
    /// writes compress in parallel.
    /// - Complexity: O(bytes of the batch): one encode, one compression.
    static func prepare(_ batch: SampleBatch, acknowledgedAt: Int64) -> (ForwardRecordHeader, body: [UInt8]) {
        (header(for: batch, acknowledgedAt: acknowledgedAt), Snappy.compress(RemoteWriteEncoder.encode(batch)))
    }

    /// The header of a record for `batch` (its sequence number still to be assigned).
    static func header(for batch: SampleBatch, acknowledgedAt: Int64) -> ForwardRecordHeader {
        var minTime = Int64.max
        var maxTime = Int64.min
        for sample in batch.samples {
            minTime = min(minTime, sample.t)
            maxTime = max(maxTime, sample.t)
        }
        return ForwardRecordHeader(
            firstSampleSeq: 0, sampleCount: UInt64(batch.sampleCount), seriesCount: UInt64(batch.series.count),
            minTime: minTime, maxTime: maxTime, acknowledgedAt: acknowledgedAt)
    }

    /// The samples of the record, decoded.
    public func decode() throws(ForwardError) -> SampleBatch {
        do {
            let protobuf = try Snappy.decompress(body, maxDecodedSize: CheckedFrame.maxPayload)
            var limits = RemoteWriteLimits()
            limits.maxSeriesPerRequest = .max
            limits.maxSamplesPerRequest = .max
            limits.maxMetadataPerRequest = .max
            limits.maxLabelsPerSeries = .max
            limits.maxLabelNameLength = .max
            limits.maxLabelValueLength = .max
            var batch = try RemoteWriteDecoder.decode(protobuf: protobuf, limits: limits)
            batch.addMissingLabels(header.addedLabels)
            return batch
        } catch {
            throw ForwardError(.corruption, "forward record at \(position) does not decode", cause: "\(error)")
        }
    }
}
