import Hummingbird
import MeridianModel
import RemoteWrite
import Storage

/// `POST /api/v1/write`: Prometheus remote-write 1.0.
///
/// Status codes follow the spec: 204 stored; 400 for data that will never be
/// accepted (senders drop it), a request past a count or length limit
/// included, refused whole before anything of it is stored; 413 too large;
/// 415 wrong encoding or content type (including remote-write 2.0 and framed
/// snappy); 503 with Retry-After while the WAL replays or when the disk fails
/// (senders retry). What happens to a decoded batch is ``IngestPipeline``'s.
struct RemoteWriteRoute: Sendable {
    let state: ServerState

    func handle(_ request: Request) async -> Response {
        let metrics = state.metrics
        metrics.writeRequests.increment()
        guard state.isReady else {
            metrics.rejected(.notReady, samples: 0)
            return .text("WAL replay in progress; retry shortly", status: .serviceUnavailable, headers: [.retryAfter: "5"])
        }
        let limit = state.config.remoteWrite.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            metrics.rejected(.tooLarge, samples: 0)
            return .text("request body of \(length) bytes exceeds the limit of \(limit) bytes", status: .contentTooLarge)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            metrics.rejected(.tooLarge, samples: 0)
            return .text("request body exceeds the limit of \(limit) bytes", status: .contentTooLarge)
        }
        let batch: SampleBatch
        do {
            batch = try decode(body, headers: request.headers)
        } catch {
            metrics.rejected(Self.reason(error), samples: error.refusedSamples)
            return .text(error.message, status: HTTPResponse.Status(code: error.httpStatus))
        }
        state.metadata.record(batch.metadata)
        let sampleCount = batch.sampleCount
        let result: IngestPipeline.Result
        do {
            result = try state.ingest.ingest(consume batch, labelsEnforced: true)
        } catch {
            metrics.rejected(.storageError, samples: sampleCount)
            state.logger.error("remote-write append failed", metadata: ["error": "\(error)"])
            return .text("storage error: \(error); retry", status: .serviceUnavailable, headers: [.retryAfter: "5"])
        }
        let outcome = result.outcome
        metrics.record(outcome)
        for failover in result.failovers { metrics.haFailover(center: failover.center, cluster: failover.cluster) }
        var problems: [String] = []
        if let foreign = result.foreign {
            metrics.rejected(.foreignCenter, samples: foreign.samples, request: false)
            problems.append(
                "\(foreign.series) series refused: series \(foreign.example) carries center=\"\(foreign.example["center"] ?? "")\", "
                    + "but this receiver is center \"\(state.ingest.centerName ?? "")\" (a center accepts only its own series)")
        }
        if outcome.rejected > 0 {
            let kept = outcome.appended + outcome.duplicates
            var message = "\(outcome.rejected) of \(sampleCount) samples rejected (\(kept) accepted)"
            message += outcome.rejections.map { "; \($0)" }.joined()
            problems.append(message)
        }
        if !problems.isEmpty { return .text(problems.joined(separator: "\n"), status: .badRequest) }
        return Response(status: .noContent)
    }

    /// Checks the encoding headers, decompresses and decodes (415, 413 and 400 cases).
    private func decode(_ body: ByteBuffer, headers: HTTPFields) throws(RemoteWriteError) -> SampleBatch {
        let limits = state.config.remoteWrite
        var ignored = RemoteWriteDecoder.Ignored()
        return try body.withUnsafeReadableBytes { raw throws(RemoteWriteError) in
            try RemoteWriteDecoder.decodeRequest(
                body: raw, contentEncoding: headers[.contentEncoding], contentType: headers[.contentType],
                limits: limits, ignored: &ignored, adding: state.ingest.enforcedLabels)
        }
    }

    private static func reason(_ error: RemoteWriteError) -> IngestMetrics.RejectReason {
        switch error.code {
        case .malformedSnappy: return .malformedSnappy
        case .malformedProtobuf: return .malformedProtobuf
        case .invalidLabels, .invalidUTF8: return .invalidLabels
        case .framedSnappy, .unsupportedEncoding: return .unsupportedEncoding
        case .tooLarge: return .tooLarge
        case .limitExceeded: return error.limit.map(IngestMetrics.RejectReason.init) ?? .invalidLabels
        }
    }
}
