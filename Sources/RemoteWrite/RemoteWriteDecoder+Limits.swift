extension RemoteWriteDecoder {
    /// The error for a request past one of the request-wide limits (series,
    /// samples, metadata entries), with the request's actual count.
    ///
    /// The walk stops at the first entry past the limit, so the count comes
    /// from a separate lenient walk of the whole request: that pass costs
    /// only refused requests, never accepted ones.
    @inline(never)
    static func requestLimitError(_ limit: RemoteWriteLimits.Limit, _ request: WireReader, _ limits: RemoteWriteLimits)
        -> RemoteWriteError
    {
        let tally = RequestTally(request)
        let actual: String
        switch limit {
        case .seriesPerRequest: actual = "\(tally.series) series"
        case .samplesPerRequest: actual = "\(tally.samples) samples"
        case .metadataPerRequest: actual = "\(tally.metadata) metadata entries"
        case .labelsPerSeries, .labelNameLength, .labelValueLength:
            preconditionFailure("\(limit) is checked per series")
        }
        return RemoteWriteError(
            limit: limit, "request has \(actual), \(LabelProblem.over(limits[limit], limit))",
            refusedSamples: tally.samples)
    }
}

extension RemoteWriteError {
    /// This `limitExceeded` error, now counting `samples` refused with it.
    func refusing(_ samples: Int) -> RemoteWriteError {
        guard let limit else { return self }
        return RemoteWriteError(limit: limit, message, refusedSamples: samples)
    }
}

/// How many series, float samples and metadata entries a request holds,
/// counted for the messages and metrics of a refused request.
///
/// Lenient: it stops at the first malformed field, so its counts are exact for
/// every well-formed request and a lower bound otherwise. Error path only.
struct RequestTally {
    var series = 0
    var samples = 0
    var metadata = 0

    init(_ request: WireReader) {
        var r = request
        while !r.isAtEnd {
            guard let tag = try? r.readTag() else { return }
            switch tag {
            case 0x0a:
                guard let body = try? r.readLengthDelimited() else { return }
                series += 1
                var inner = r.subReader(body)
                while !inner.isAtEnd {
                    guard let field = try? inner.readTag() else { break }
                    if field == 0x12 {
                        guard (try? inner.readLengthDelimited()) != nil else { break }
                        samples += 1
                    } else if (try? inner.skipField(tag: field, depth: 2)) == nil {
                        break
                    }
                }
            case 0x1a:
                guard (try? r.readLengthDelimited()) != nil else { return }
                metadata += 1
            default:
                guard (try? r.skipField(tag: tag, depth: 1)) != nil else { return }
            }
        }
    }
}
