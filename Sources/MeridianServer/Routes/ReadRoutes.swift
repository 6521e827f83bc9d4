import Hummingbird
import MeridianModel
import PromQL
import Storage

/// The metadata read endpoints (`series`, `labels`, `label/{name}/values`,
/// `metadata`) and `export`, in Prometheus' (and for export VictoriaMetrics')
/// shapes.
struct ReadRoutes: Sendable {
    let state: ServerState

    /// `GET|POST /api/v1/series?match[]=…&start=…&end=…`
    func series(_ request: Request, _ context: MeridianRequestContext) async throws -> Response {
        let params = try await RequestParameters.from(request)
        let selectors = try matcherSets(params, required: true, describeParameter: true)
        let (start, end) = try TimeParameter.range(params)
        return try await run(context) { [state] query in
            let all = try Self.selectUnion(state.querier, selectors, start, end, query).map(\.labels)
            let size = all.reduce(16) { $0 + QueryRoutes.estimatedSize(labels: $1) }
            try query.reserve(bytes: 2 * size)
            return .success(capacity: size) { w in
                w.raw("[")
                for (i, labels) in all.enumerated() {
                    if i > 0 { w.raw(",") }
                    w.labels(labels)
                }
                w.raw("]")
            }
        }
    }

    /// `GET|POST /api/v1/labels`
    func labelNames(_ request: Request, _ context: MeridianRequestContext) async throws -> Response {
        let params = try await RequestParameters.from(request)
        let (start, end) = try TimeParameter.range(params)
        let selectors = try matcherSets(params, required: false)
        return try await run(context) { [state] query in
            var names = Set<String>()
            for matchers in selectors {
                names.formUnion(try state.querier.labelNames(matching: matchers, mint: start, maxt: end, context: query))
            }
            return .success { $0.stringArray(names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }) }
        }
    }

    /// `GET /api/v1/label/{name}/values`
    func labelValues(_ request: Request, _ context: MeridianRequestContext, name: String) async throws -> Response {
        guard NameValidation.isValidLabelName(name) else {
            throw APIError(.badData, "invalid label name: \"\(name)\"")
        }
        let params = try await RequestParameters.from(request)
        let (start, end) = try TimeParameter.range(params)
        let selectors = try matcherSets(params, required: false)
        return try await run(context) { [state] query in
            var values = Set<String>()
            for matchers in selectors {
                values.formUnion(
                    try state.querier.labelValues(name, matching: matchers, mint: start, maxt: end, context: query))
            }
            return .success { $0.stringArray(values.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }) }
        }
    }

    /// Runs a read on the query pool under a context of its own (the query
    /// timeout, the client's connection, memory from the query pool); its
    /// refusals and stops reach the client through ``APIErrorMiddleware``.
    private func run<T: Sendable>(
        _ context: MeridianRequestContext, _ read: @escaping @Sendable (QueryContext) throws -> T
    ) async throws -> T {
        let query = state.queryContext(clientGone: context.clientGone)
        defer { query.finish() }
        return try await state.queries.run(query) { try read(query) }
    }

    /// `GET|POST /api/v1/metadata?metric=…&limit=…`: every description of
    /// each metric family that senders sent, as Prometheus 2.42 answers it
    /// from its targets: `limit` caps the number of families (absent or
    /// negative: all), `metric` picks one family.
    func metadata(_ request: Request) async throws -> Response {
        let params = try await RequestParameters.from(request)
        var limit: Int?
        if let text = params["limit"], !text.isEmpty {
            guard let n = Int(text) else { throw APIError(.badData, "limit must be a number") }
            limit = n < 0 ? nil : n
        }
        let metric = params["metric"].flatMap { $0.isEmpty ? nil : $0 }
        let families = state.metadata.lookup(metric: metric, limit: limit)
        return .success { w in
            w.raw("{")
            for (i, family) in families.enumerated() {
                if i > 0 { w.raw(",") }
                w.string(family.family)
                w.raw(":[")
                for (j, m) in family.metadata.enumerated() {
                    if j > 0 { w.raw(",") }
                    w.raw(#"{"type":"#)
                    w.string(m.type.rawValue)
                    w.raw(#","help":"#)
                    w.string(m.help)
                    w.raw(#","unit":"#)
                    w.string(m.unit)
                    w.raw("}")
                }
                w.raw("]")
            }
            w.raw("}")
        }
    }

    /// `GET|POST /api/v1/export?match[]=…` — one JSON line per series with every
    /// raw sample, streamed a few hundred series at a time. The series are
    /// chosen under the query limits; the streaming that follows goes at the
    /// client's pace and ends when it leaves.
    func export(_ request: Request, _ context: MeridianRequestContext) async throws -> Response {
        let params = try await RequestParameters.from(request)
        let selectors = try matcherSets(params, required: true, describeParameter: true)
        let (start, end) = try TimeParameter.range(params)
        let selected = try await run(context) { [state] query in
            try Self.selectUnion(state.querier, selectors, start, end, query)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/stream+json; charset=utf-8"
        let body = ResponseBody { writer in
            var w = JSONWriter(capacity: 64 << 10)
            for s in selected {
                ExportFormat.line(s, into: &w)
                if w.bytes.count >= 48 << 10 {
                    try await writer.write(ByteBuffer(bytes: w.bytes))
                    w.bytes.removeAll(keepingCapacity: true)
                }
            }
            if !w.bytes.isEmpty { try await writer.write(ByteBuffer(bytes: w.bytes)) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The series selected by any of `selectors` within `start`/`end`, each once, sorted by labels.
    private static func selectUnion(
        _ querier: any Querier, _ selectors: [[LabelMatcher]], _ start: Timestamp, _ end: Timestamp,
        _ context: QueryContext
    ) throws -> [StoredSeries] {
        var seen = Set<Labels>()
        var series: [StoredSeries] = []
        for matchers in selectors {
            for s in try querier.select(matchers, mint: start, maxt: end, context: context)
            where seen.insert(s.labels).inserted {
                series.append(s)
            }
        }
        if selectors.count > 1 { series.sort { $0.labels < $1.labels } }
        return series
    }

    /// The matcher sets of every `match[]`, parsed as Prometheus parses them;
    /// with none, an error (`required`) or a single empty set meaning "all
    /// series". Prometheus 2.42 starts these errors with `invalid parameter
    /// "match[]": ` on `/series` (`describeParameter`), not on the label endpoints.
    private func matcherSets(
        _ params: RequestParameters, required: Bool, describeParameter: Bool = false
    ) throws -> [[LabelMatcher]] {
        let prefix = describeParameter ? #"invalid parameter "match[]": "# : ""
        let selectors = params.all("match[]")
        if selectors.isEmpty {
            if required { throw APIError(.badData, "no match[] parameter provided") }
            return [[]]
        }
        let sets = try selectors.map { text in
            do throws(ParseError) {
                return try PromQLParser.parseMetricSelector(text)
            } catch {
                throw APIError(.badData, prefix + error.description)
            }
        }
        guard sets.allSatisfy({ $0.contains { !$0.matchesEmpty } }) else {
            throw APIError(.badData, prefix + "match[] must contain at least one non-empty matcher")
        }
        return sets
    }
}

/// The export line format: `{"metric":{…},"values":[…],"timestamps":[…]}`.
/// Finite values are JSON numbers in Prometheus' float text; NaN and ±Inf are
/// the strings `"NaN"`, `"+Inf"`, `"-Inf"`, and a staleness marker is `"StaleNaN"`,
/// so the line stays valid JSON and a marker stays distinguishable from NaN.
enum ExportFormat {
    static func line(_ series: StoredSeries, into w: inout JSONWriter) {
        w.raw(#"{"metric":"#)
        w.labels(series.labels)
        var it = series.makeIterator()
        var timestamps: [Timestamp] = []
        w.raw(#","values":["#)
        while it.next() {
            let s = it.at()
            if !timestamps.isEmpty { w.raw(",") }
            timestamps.append(s.t)
            value(s.v, into: &w)
        }
        w.raw(#"],"timestamps":["#)
        for (i, t) in timestamps.enumerated() {
            if i > 0 { w.raw(",") }
            w.rawString(String(t))
        }
        w.raw("]}\n")
    }

    static func value(_ v: Double, into w: inout JSONWriter) {
        if StaleMarker.isStale(v) {
            w.raw(#""StaleNaN""#)
        } else if v.isFinite {
            w.rawString(FloatFormat.prometheus(v))
        } else {
            w.string(FloatFormat.prometheus(v))
        }
    }
}
