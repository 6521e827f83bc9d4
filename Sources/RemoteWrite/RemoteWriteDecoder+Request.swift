import MeridianModel

extension RemoteWriteDecoder {
    /// Decodes the body of `POST /api/v1/write` as remote-write 1.0 sends it:
    /// checks the headers and the limits, decompresses snappy, decodes.
    ///
    /// - Parameters:
    ///   - body: the request body as received.
    ///   - contentEncoding: the `Content-Encoding` header; `snappy`, or absent
    ///     (Prometheus' own receiver does not require it).
    ///   - contentType: the `Content-Type` header; `application/x-protobuf`
    ///     (a `proto=prometheus.WriteRequest` parameter is fine), or absent.
    ///     Remote-write 2.0's `proto=io.prometheus.write.v2.Request` is refused.
    ///   - limits: the body sizes, and the counts and lengths the decoder checks.
    ///   - adding: labels to add to every series that lacks a label of that
    ///     name, as ``SampleBatch/addMissingLabels(_:)`` would, while decoding
    ///     (a center's labels). The limits apply to the series as sent.
    /// - Throws: ``RemoteWriteError``: `unsupportedEncoding` or `framedSnappy`
    ///   (415), `tooLarge` (413), `malformedSnappy` and the decoder's (400).
    public static func decodeRequest(
        body: UnsafeRawBufferPointer,
        contentEncoding: String?,
        contentType: String?,
        limits: RemoteWriteLimits = RemoteWriteLimits(),
        ignored: inout Ignored,
        adding: Labels = .empty
    ) throws(RemoteWriteError) -> SampleBatch {
        try checkHeaders(contentEncoding: contentEncoding, contentType: contentType)
        guard body.count <= limits.maxBodyBytes else {
            throw RemoteWriteError(
                .tooLarge, "body of \(body.count) bytes exceeds the limit of \(limits.maxBodyBytes) bytes")
        }
        var decoded = try Snappy.decompress(
            body, maxDecodedSize: limits.maxDecodedBytes, reservingCapacity: AddedLabels.byteCount(adding))
        let length = decoded.count
        let added = AddedLabels.append(adding, to: &decoded)
        return try decode(protobuf: decoded, length: length, limits: limits, ignored: &ignored, adding: added)
    }

    /// ``decodeRequest(body:contentEncoding:contentType:limits:ignored:)`` for
    /// a body in an array, when the caller does not need the ignored counts.
    public static func decodeRequest(
        body: [UInt8],
        contentEncoding: String?,
        contentType: String?,
        limits: RemoteWriteLimits = RemoteWriteLimits()
    ) throws(RemoteWriteError) -> SampleBatch {
        var ignored = Ignored()
        let result: Result<SampleBatch, RemoteWriteError> = body.withUnsafeBytes { raw in
            Result { () throws(RemoteWriteError) in
                try decodeRequest(
                    body: raw, contentEncoding: contentEncoding, contentType: contentType, limits: limits,
                    ignored: &ignored)
            }
        }
        return try result.get()
    }

    static func checkHeaders(contentEncoding: String?, contentType: String?) throws(RemoteWriteError) {
        if let encoding = contentEncoding, !encoding.isEmpty,
            encoding.trimmingSpaces.lowercased() != "snappy"
        {
            throw RemoteWriteError(
                .unsupportedEncoding, "unsupported Content-Encoding \"\(encoding)\"; remote-write 1.0 requires snappy")
        }
        guard let type = contentType, !type.isEmpty else { return }
        let parts = type.split(separator: ";").map { String($0).trimmingSpaces }
        guard parts.first?.lowercased() == "application/x-protobuf" else {
            throw RemoteWriteError(
                .unsupportedEncoding,
                "unsupported Content-Type \"\(type)\"; remote-write 1.0 requires application/x-protobuf")
        }
        for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("proto=") {
            guard parameter.lowercased() == "proto=prometheus.writerequest" else {
                throw RemoteWriteError(
                    .unsupportedEncoding,
                    "unsupported message \"\(parameter.dropFirst(6))\" in Content-Type; "
                        + "this receiver speaks remote-write 1.0 (prometheus.WriteRequest)")
            }
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (header values).
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
