import Forwarding
import ServiceLifecycle

/// Runs the forwarder's threads for the life of the process. At shutdown it
/// stops after the HTTP server (no more appends), saving every cursor and
/// closing the log, so a restart resumes where each upstream acknowledged.
struct ForwardService: Service {
    let forwarder: Forwarder

    func run() async throws {
        forwarder.start()
        try? await gracefulShutdown()
        forwarder.stop()
    }
}
