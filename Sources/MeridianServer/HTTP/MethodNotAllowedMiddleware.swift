import Hummingbird

/// Answers a known path asked with a method it does not serve: `405 Method
/// Not Allowed` with an `Allow` header listing the path's methods and
/// `X-Content-Type-Options: nosniff`, as Prometheus 2.42 does. Unknown paths
/// stay 404.
///
/// The body differs from Prometheus' on purpose on `/api/` paths only:
/// Prometheus answers the plain text `Method Not Allowed` everywhere, while
/// Meridian answers its API's JSON error shape there (`errorType` `bad_data`),
/// so that an API client reads this error as it reads every other one. Other
/// paths get Prometheus' plain text.
///
/// `OPTIONS` on a known path is answered with the same `Allow` header: `204
/// No Content` on `/api/` (Prometheus' CORS preflight answer) and `200 OK`
/// elsewhere, as Prometheus does.
///
/// Added to the router after every route, so that it wraps only the router's
/// not-found responder: requests that reach a handler never pass through it.
/// Generic over the context so that it serves any router.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        // A method the path serves that still ended here is a 404 of its own
        // (none today); so is a path no route has.
        guard let methods = table.methods(for: path), !methods.contains(request.method) else {
            return try await next(request, context)
        }
        let allow = AllowedMethods.allowHeader(methods)
        let isAPI = path.hasPrefix("/api/")
        if request.method == .options {
            return Response(status: isAPI ? .noContent : .ok, headers: [.allow: allow])
        }
        var response =
            isAPI
            ? APIError(
                .badData, "method \(request.method) is not allowed for \(path) (allowed: \(allow))",
                status: .methodNotAllowed
            ).response()
            : .text("Method Not Allowed", status: .methodNotAllowed)
        response.headers[.allow] = allow
        response.headers[.xContentTypeOptions] = "nosniff"
        return request.method == .head ? response.createHeadResponse() : response
    }
}
