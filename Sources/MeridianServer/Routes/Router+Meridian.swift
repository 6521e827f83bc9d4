import Hummingbird
import MeridianModel
import PromQL

/// Turns `APIError`, a query's `QueryError` and a read's `QueryAbort` (a
/// refusal or a stop by its context) into Prometheus-shaped JSON errors with
/// Prometheus' statuses, and anything else into a 500 of the same shape.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as QueryError {
            return APIError(error).response()
        } catch let abort as QueryAbort {
            return APIError(QueryError(abort: abort)).response()
        } catch let error as HTTPError {
            throw error
        } catch {
            return APIError(.internal, "\(error)").response()
        }
    }
}

/// Builds the router of every Meridian endpoint.
public enum MeridianRoutes {
    public static func router(state: ServerState) -> Router<MeridianRequestContext> {
        let router = Router(context: MeridianRequestContext.self)
        let write = RemoteWriteRoute(state: state)
        let read = ReadRoutes(state: state)
        let status = StatusRoutes(state: state)
        let query = QueryRoutes(state: state)

        router.post("/api/v1/write") { request, _ in await write.handle(request) }

        let api = router.group("/api/v1").add(middleware: GzipMiddleware()).add(middleware: APIErrorMiddleware())
        let notReady = APIError(.unavailable, "Meridian is starting: WAL replay in progress")
        /// `handler`, answered with 503 until the WAL is replayed.
        func whenReady(
            _ handler: @escaping @Sendable (Request, MeridianRequestContext) async throws -> Response
        ) -> @Sendable (Request, MeridianRequestContext) async throws -> Response {
            { request, context in
                guard state.isReady else { throw notReady }
                return try await handler(request, context)
            }
        }
        for method in [HTTPRequest.Method.get, .post] {
            api.on("query", method: method, use: whenReady { request, context in try await query.instant(request, context) })
            api.on("query_range", method: method, use: whenReady { request, context in try await query.range(request, context) })
            api.on("series", method: method, use: whenReady { request, context in try await read.series(request, context) })
            api.on("labels", method: method, use: whenReady { request, context in try await read.labelNames(request, context) })
            api.on(
                "label/{name}/values", method: method,
                use: whenReady { request, context in
                    try await read.labelValues(request, context, name: context.parameters.get("name") ?? "")
                })
            // Metadata does not come from the WAL: it is there from the start.
            api.on("metadata", method: method) { request, _ in try await read.metadata(request) }
            api.on("export", method: method, use: whenReady { request, context in try await read.export(request, context) })
        }
        api.get("status/buildinfo") { _, _ in status.buildInfo() }
        // The center tracker and the forwarder contribute their pages where they run.
        if let registry = state.centers {
            let head = state.head
            let centers = CentersRoutes(registry: registry, head: { head.seriesCount(label: "center", value: $0) })
            api.get("centers") { _, _ in centers.centers() }
        }
        if let forwarder = state.forwarder {
            let forward = ForwardRoutes(forwarder: forwarder)
            api.get("status/forward") { _, _ in forward.status() }
        }
        if let feed = state.health {
            let health = HealthRoutes(
                feed: feed, feedToken: state.config.scoring.feedToken, overrideToken: state.config.scoring.overrideToken)
            api.get("health") { request, context in try await health.health(request, context) }
            api.get("health/stream") { request, context in try await health.stream(request, context) }
            api.get("health/events") { request, context in try await health.events(request, context) }
            api.get("overrides") { request, _ in try health.listOverrides(request) }
            api.post("overrides") { request, _ in try await health.setOverride(request) }
            api.delete("overrides") { request, _ in try await health.liftOverride(request) }
            /// `bj` or `bj/checkout`, from the probe path.
            @Sendable func target(_ context: MeridianRequestContext) -> String {
                let center = context.parameters.get("center") ?? ""
                return context.parameters.get("service").map { "\(center)/\($0)" } ?? center
            }
            for path in ["/probe/{center}", "/probe/{center}/{service}"] {
                router.get(RouterPath(path)) { _, context in health.probe(target(context)) }
                router.head(RouterPath(path)) { _, context in health.probe(target(context)).createHeadResponse() }
            }
        }
        api.post("admin/flush") { _, _ in try await status.flush() }
        api.post("admin/compact") { _, _ in try await status.compact() }
        router.get("/-/healthy") { _, _ in status.healthy() }
        router.get("/-/ready") { _, _ in status.ready() }
        // Load balancers probe with HEAD; Prometheus answers it on these two only.
        router.head("/-/healthy") { _, _ in status.healthy().createHeadResponse() }
        router.head("/-/ready") { _, _ in status.ready().createHeadResponse() }
        router.get("/metrics") { _, _ in status.metrics() }
        // Last, so that it wraps only the not-found responder, and reads every route.
        router.add(middleware: MethodNotAllowedMiddleware(table: AllowedMethods(router.routes)))
        return router
    }
}
