import ServiceLifecycle

/// Stops every query when the server shuts down. It is the last service of
/// the group, so graceful shutdown reaches it first: running and waiting
/// queries are cancelled (each stops at its next check of its context) and
/// new ones refused, before the HTTP server waits for its requests to end.
struct QueryService: Service {
    let state: ServerState

    func run() async throws {
        try? await gracefulShutdown()
        let running = state.queries.activeCount
        state.queries.cancelAll()
        if running > 0 {
            state.logger.info("shutdown: cancelled running queries", metadata: ["queries": "\(running)"])
        }
    }
}
