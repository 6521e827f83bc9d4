import Hummingbird

/// Which methods each registered path answers, read from the router's own
/// registrations (`Router.routes`), so that it cannot drift from the routes:
/// a route added with `router.on(…)` is in the table by construction.
///
/// Only the error path reads it (a request the router found no handler for),
/// so a linear scan of the few dozen routes is fine.
struct AllowedMethods: Sendable {
    private struct Entry: Sendable {
        let path: RouterPath
        let methods: [HTTPRequest.Method]
    }

    private let entries: [Entry]

    /// The table of `routes`, the methods of each path sorted by name as
    /// Prometheus lists them in `Allow`.
    init<Context: RequestContext>(_ routes: [Router<Context>.RouteDescription]) {
        var byPath: [String: (path: RouterPath, methods: [HTTPRequest.Method])] = [:]
        var order: [String] = []
        for route in routes {
            let key = route.path.description
            if byPath[key] == nil {
                byPath[key] = (route.path, [])
                order.append(key)
            }
            byPath[key]!.methods.append(route.method)
        }
        // Literal segments before parameters, as the router's trie prefers
        // them: `/a/b` answers for itself even when `/a/{x}` exists too.
        let literalCount = { (path: RouterPath) in path.components.filter { $0.description.first != "{" }.count }
        entries = order.map { key in
            let (path, methods) = byPath[key]!
            return Entry(path: path, methods: methods.sorted { $0.rawValue < $1.rawValue })
        }.sorted { literalCount($0.path) > literalCount($1.path) }
    }

    /// The methods registered for the route that `path` (a request's URI
    /// path) resolves to, or nil when no route has that path.
    func methods(for path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/")
        for entry in entries where entry.path.count == segments.count {
            if zip(entry.path.components, segments).allSatisfy({ $0 ~= $1 }) { return entry.methods }
        }
        return nil
    }

    /// The `Allow` header for `methods`: those plus `OPTIONS` (which
    /// ``MethodNotAllowedMiddleware`` answers for every known path), sorted,
    /// e.g. `GET, OPTIONS, POST`, as Prometheus 2.42 writes it.
    static func allowHeader(_ methods: [HTTPRequest.Method]) -> String {
        Set(methods.map(\.rawValue) + ["OPTIONS"]).sorted().joined(separator: ", ")
    }
}
