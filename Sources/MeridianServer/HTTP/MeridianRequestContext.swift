import Hummingbird
import NIOCore

/// The context of every Meridian request: Hummingbird's, plus the
/// connection, so that a query can notice its client has gone and stop
/// (Prometheus' queries are cancelled the same way, by Go's request context).
public struct MeridianRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Whether the client has closed its connection: polled by a running
    /// query. ``ClientDisconnectHandler`` closes the connection when the
    /// client stops sending, which is how a client that gave up looks.
    var clientGone: @Sendable () -> Bool {
        let channel = channel
        return { !channel.isActive }
    }
}

/// Closes a connection as soon as the client has closed its side.
///
/// Hummingbird keeps half-closed connections open (its server allows
/// remote half-closure), so a client that gave up on a slow query and
/// closed its socket would leave the connection, and the query, running.
/// HTTP/1.1 clients do not half-close while they wait for an answer (Go's
/// server, and so Prometheus, treats the end of input the same way), so
/// the end of input means the client has gone.
final class ClientDisconnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    /// Reads pass on untouched; only the end of input matters here.
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
