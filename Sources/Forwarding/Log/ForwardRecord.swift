import Encoding
import MeridianModel
import RemoteWrite

/// The fixed part at the start of every forward-log record's payload
/// (docs/format/forward-log.md): enough to account for the record (sample
/// counts, time range, when it was acknowledged) and to send it (which
/// connection) without decompressing it.
public struct ForwardRecordHeader: Sendable, Equatable {
    /// The payload format. Readers refuse others.
    static let version: UInt8 = 1

    /// Sequence number of the record's first sample across the whole log.
    public var firstSampleSeq: UInt64
    public var sampleCount: UInt64
    public var seriesCount: UInt64
    /// Oldest and newest sample timestamps, milliseconds.
    public var minTime: Int64
    public var maxTime: Int64
    /// Wall-clock milliseconds when the center acknowledged the samples.
    public var acknowledgedAt: Int64
    /// The connection the record goes through, of `shardCount`: every
    /// series of the record hashes to it, so it keeps its order.
    public var shard: Int
    public var shardCount: Int

    func encode(into out: inout [UInt8]) {
        out.append(Self.version)
        Varint.appendUnsigned(firstSampleSeq, to: &out)
        Varint.appendUnsigned(sampleCount, to: &out)
        Varint.appendUnsigned(seriesCount, to: &out)
        Varint.appendSigned(minTime, to: &out)
        Varint.appendSigned(maxTime, to: &out)
        Varint.appendSigned(acknowledgedAt, to: &out)
        Varint.appendUnsigned(UInt64(shard), to: &out)
        Varint.appendUnsigned(UInt64(shardCount), to: &out)
    }

    /// Reads a header from the start of `payload`; returns it and where the body starts.
    static func decode(_ payload: [UInt8]) throws(ForwardError) -> (ForwardRecordHeader, bodyOffset: Int) {
        let result = payload.withUnsafeBytes { raw in Result { () throws(ForwardError) in try decode(raw) } }
        return try result.get()
    }

    static func decode(_ payload: UnsafeRawBufferPointer) throws(ForwardError) -> (ForwardRecordHeader, bodyOffset: Int) {
        var cursor = ByteCursor(payload)
        guard let version = cursor.readByte(), version == Self.version else {
            throw ForwardError(.corruption, "forward record of unknown version \(payload.first.map { "\($0)" } ?? "none")")
        }
        guard let seq = cursor.readUVarint(), let samples = cursor.readUVarint(), let series = cursor.readUVarint(),
            let minTime = cursor.readVarint(), let maxTime = cursor.readVarint(), let at = cursor.readVarint(),
            let shard = cursor.readUVarint(), let shardCount = cursor.readUVarint()
        else { throw ForwardError(.corruption, "forward record header cut short") }
        guard shardCount >= 1, shardCount <= UInt64(ForwardRecord.maxShards), shard < shardCount else {
            throw ForwardError(.corruption, "forward record of shard \(shard) of \(shardCount)")
        }
        let header = ForwardRecordHeader(
            firstSampleSeq: seq, sampleCount: samples, seriesCount: series, minTime: minTime, maxTime: maxTime,
            acknowledgedAt: at, shard: Int(shard), shardCount: Int(shardCount))
        return (header, cursor.offset)
    }
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

/// One record of the forward log: samples of one acknowledged write whose
/// series all go through one connection, as the snappy-compressed
/// remote-write request a sender puts on the wire.
public struct ForwardRecord: Sendable {
    /// The most connections per upstream a record may name.
    public static let maxShards = 1024

    public var header: ForwardRecordHeader
    /// Where the record starts and where the next one does.
    public var position: ForwardPosition
    public var end: ForwardPosition
    /// snappy(WriteRequest protobuf).
    public var body: [UInt8]

    /// The records for `batch`, their sequence numbers still to be assigned:
    /// its series split among `shards` connections by ``BatchSeries/labelsHash``,
    /// in pieces of at most `maxSamples` samples (more only for a single
    /// series that has more), each encoded and compressed once, here, so
    /// that senders put them on the wire as they are. Made before the log's
    /// lock is taken, so that concurrent writes compress in parallel.
    /// - Complexity: O(bytes of the batch): one encode, one compression.
    static func prepare(_ batch: SampleBatch, shards: Int, maxSamples: Int, acknowledgedAt: Int64)
        -> [(ForwardRecordHeader, body: [UInt8])]
    {
        batch.split(shards: shards, maxSamples: maxSamples).map { piece in
            var minTime = Int64.max
            var maxTime = Int64.min
            piece.selection.forEachSeries { entry in
                for sample in batch.samples[Int(entry.sampleStart)..<Int(entry.sampleStart + entry.sampleCount)] {
                    minTime = min(minTime, sample.t)
                    maxTime = max(maxTime, sample.t)
                }
            }
            let header = ForwardRecordHeader(
                firstSampleSeq: 0, sampleCount: UInt64(piece.selection.sampleCount),
                seriesCount: UInt64(piece.selection.count), minTime: minTime, maxTime: maxTime,
                acknowledgedAt: acknowledgedAt, shard: piece.shard, shardCount: shards)
            return (header, Snappy.compress(RemoteWriteEncoder.encode([piece.selection])))
        }
    }

    /// The samples of the record, decoded (for tests and tools: senders
    /// send the body as it is).
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
            return try RemoteWriteDecoder.decode(protobuf: protobuf, limits: limits)
        } catch {
            throw ForwardError(.corruption, "forward record at \(position) does not decode", cause: "\(error)")
        }
    }
}

extension SampleBatch {
    /// Splits the batch among `shards` by series hash, each shard's series in
    /// batch order and cut into pieces of at most `maxSamples` samples at
    /// series boundaries. A piece names its series by index into this batch,
    /// so nothing is copied; the metadata goes with the first piece.
    /// - Returns: (shard, piece), each shard's pieces in order.
    func split(shards: Int, maxSamples: Int) -> [(shard: Int, selection: SeriesSelection)] {
        var open = [[Int32]](repeating: [], count: shards)
        var openSamples = [Int](repeating: 0, count: shards)
        var pieces: [(shard: Int, series: [Int32], samples: Int)] = []
        for (i, entry) in series.enumerated() where entry.sampleCount > 0 {
            let shard = Int(entry.labelsHash % UInt64(shards))
            if !open[shard].isEmpty && openSamples[shard] + Int(entry.sampleCount) > maxSamples {
                pieces.append((shard, open[shard], openSamples[shard]))
                open[shard] = []
                openSamples[shard] = 0
            }
            open[shard].append(Int32(i))
            openSamples[shard] += Int(entry.sampleCount)
        }
        for shard in 0..<shards where !open[shard].isEmpty { pieces.append((shard, open[shard], openSamples[shard])) }
        return pieces.enumerated().map { n, piece in
            (
                piece.shard,
                SeriesSelection(self, series: piece.series, includesMetadata: n == 0, sampleCount: piece.samples)
            )
        }
    }
}
