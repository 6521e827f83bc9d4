import MeridianModel

extension RemoteWriteDecoder {
    /// A `Label` in the layout every sender writes, `0a n <name> 12 m <value>`
    /// with both lengths below 128, or nil for anything else (the general
    /// ``readLabel(_:)`` then decides). Never throws: it only recognizes.
    @inline(__always)
    static func fastLabel(_ base: UnsafeRawPointer, _ body: (start: Int, count: Int)) -> LabelRange? {
        let p = base + body.start
        let c = body.count
        guard c >= 4, p.load(as: UInt8.self) == 0x0a else { return nil }
        let n = Int(p.load(fromByteOffset: 1, as: UInt8.self))
        guard n < 0x80, n &+ 4 <= c, p.load(fromByteOffset: n &+ 2, as: UInt8.self) == 0x12 else { return nil }
        let m = Int(p.load(fromByteOffset: n &+ 3, as: UInt8.self))
        guard m < 0x80, n &+ m &+ 4 == c else { return nil }
        return LabelRange(
            nameStart: UInt32(truncatingIfNeeded: body.start &+ 2), nameLength: UInt32(truncatingIfNeeded: n),
            valueStart: UInt32(truncatingIfNeeded: body.start &+ n &+ 4), valueLength: UInt32(truncatingIfNeeded: m))
    }

    /// A `Sample` in the layout every sender writes, `09 <8 bytes> 10 <varint>`
    /// ending exactly with the varint, or nil for anything else.
    @inline(__always)
    static func fastSample(_ base: UnsafeRawPointer, _ body: (start: Int, count: Int)) -> Sample? {
        let p = base + body.start
        let c = body.count
        guard c >= 11, c <= 20, p.load(as: UInt8.self) == 0x09, p.load(fromByteOffset: 9, as: UInt8.self) == 0x10
        else { return nil }
        var timestamp: UInt64 = 0
        var shift: UInt64 = 0
        var i = 10
        while i < c {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            timestamp |= UInt64(b & 0x7f) &<< shift
            i &+= 1
            if b < 0x80 {
                guard i == c else { return nil }
                let bits = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
                return Sample(t: Int64(bitPattern: timestamp), v: Double(bitPattern: bits))
            }
            shift &+= 7
        }
        return nil
    }

    /// One `Label`: name = 1, value = 2. A field sent twice keeps its last
    /// value, as protobuf specifies, but every occurrence must be UTF-8.
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

    /// One `MetricMetadata`: type = 1, metric_family_name = 2, help = 4,
    /// unit = 5. Checked first like the messages Meridian skips (wire types,
    /// UTF-8), then read; a field sent twice keeps its last value.
    static func readMetadata(_ reader: WireReader) throws(RemoteWriteError) -> MetricMetadata {
        try SkippedMessage.metricMetadata.check(reader, depth: 2)
        var r = reader
        var metadata = MetricMetadata(family: "", type: .unknown, help: "")
        func text(_ body: (start: Int, count: Int)) -> String {
            String(decoding: UnsafeRawBufferPointer(start: r.base + body.start, count: body.count), as: UTF8.self)
        }
        while !r.isAtEnd {
            let tag = try r.readTag()
            switch tag {
            case 0x08:
                // An enum is an int32 on the wire: only the low 32 bits count.
                let number = UInt32(truncatingIfNeeded: try r.readVarint())
                metadata.type = MetricMetadata.Kind(wireValue: UInt64(number))
            case 0x12: metadata.family = text(try r.readLengthDelimited())
            case 0x22: metadata.help = text(try r.readLengthDelimited())
            case 0x2a: metadata.unit = text(try r.readLengthDelimited())
            default: try r.skipField(tag: tag, depth: 2)
            }
        }
        return metadata
    }
}
