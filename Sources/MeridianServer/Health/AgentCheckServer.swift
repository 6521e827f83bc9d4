import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Answers HAProxy's agent checks: a TCP responder HAProxy connects to on
/// `agent-port` every `agent-inter`, reading one line that sets the server's
/// state, weight or maxconn.
///
/// The reply grammar, as HAProxy 2.6 parses it (`doc/configuration.txt`,
/// "agent-check"; `tcpcheck_agent_expect_reply` in `src/tcpcheck.c`): one ASCII
/// line ended by the first CR or LF, made of words separated by spaces, tabs or
/// commas, in any order, matched case-insensitively, the last of a category
/// winning:
/// - a health state: `up`, `down`, `fail`, `stopped`;
/// - an admin state: `ready`, `drain`, `maint`;
/// - a weight relative to the configured one, written bare as `75%` (the word
///   must start with a digit and contain `%`; `weight:75%` is *not* a weight
///   in 2.6 but an unknown word, reported as "agent reports an error");
/// - `maxconn:N`, with no space;
/// - after a `#`, a free-text description, shown only with a health state,
///   e.g. `down #disk full`.
///
/// HAProxy waits for the CR or LF: a reply ended by EOF alone is ignored
/// ("Ignoring incomplete line from agent"), so every reply here ends with
/// `\n`. HAProxy does not need the connection closed (it stops reading at the
/// line's end and closes its side itself); this server closes anyway, as the
/// conversation is over. What HAProxy sends first is its `agent-send` string,
/// verbatim (`agent-send "bj/checkout\n"`), or nothing at all without
/// `agent-send`, in which case it waits for the reply.
///
/// Per connection: the request is the bytes up to the first LF (a CR before it
/// dropped) or up to EOF; a connection silent for 100 ms, or sending only a
/// newline, is the empty request. A request longer than
/// ``maxRequestBytes`` gets `down #request too long`. Every connection is
/// closed after its reply, or after 5 s whatever it has sent, and beyond
/// ``maxConnections`` open at once new ones are closed unanswered (an agent
/// HAProxy cannot reach leaves the server's state unchanged, where an answer
/// would change it).
public struct AgentCheckServer: Service {
    /// The longest request line accepted, in bytes, without its line end.
    public static let maxRequestBytes = 256
    /// Connections served at once; more are closed on accept.
    public static let maxConnections = 1024
    /// The reply to a request longer than ``maxRequestBytes``.
    public static let tooLongReply = "down #request too long"
    /// Silence after which a connection that sent nothing gets the empty request's reply.
    static let emptyRequestDelay = TimeAmount.milliseconds(100)
    /// A connection's whole lifetime: an agent check takes milliseconds, so a
    /// connection still open after this is dropped, however slowly it trickles.
    static let connectionDeadline = TimeAmount.seconds(5)

    let host: String
    let port: Int
    let reply: @Sendable (Substring) -> String
    let logger: Logger
    let onBound: @Sendable (Int) -> Void

    /// - Parameters:
    ///   - host: The address to listen on, e.g. `0.0.0.0` or `127.0.0.1`.
    ///   - port: The TCP port; 0 picks a free one, reported to `onBound`.
    ///   - reply: The reply line for a request (the `agent-send` text, without
    ///     its line end; empty without `agent-send`), without its `\n`. It runs
    ///     on a NIO event loop for every check, so it must be cheap and must not
    ///     block: read precomputed state. It should contain no CR or LF, as
    ///     HAProxy reads only up to the first.
    ///   - logger: Logs the bound address and the stop.
    ///   - onBound: Called once with the port actually bound, before serving.
    public init(
        host: String,
        port: Int,
        reply: @escaping @Sendable (Substring) -> String,
        logger: Logger,
        onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.reply = reply
        self.logger = logger
        self.onBound = onBound
    }

    /// Binds, serves until graceful shutdown or cancellation, then closes the
    /// listening socket. Connections already accepted finish on their own,
    /// within their 5 s deadline.
    public func run() async throws {
        let channel = try await bind()
        let boundPort = channel.localAddress?.port ?? port
        logger.info(
            "agent-check responder listening",
            metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "\(host):\(port)")"]
        )
        onBound(boundPort)
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            channel.close(promise: nil)
        }
        logger.info("agent-check responder stopped", metadata: ["port": "\(boundPort)"])
    }

    private func bind() async throws -> any Channel {
        let reply = self.reply
        let logger = self.logger
        let open = OpenConnections(limit: Self.maxConnections)
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // EOF ends a request; the reply still has to go out after it.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                guard open.enter() else {
                    logger.debug("agent-check connection refused: too many open")
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in open.leave() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AgentCheckHandler(reply: reply))
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}

/// The count of open connections, shared by every event loop's accepts.
private final class OpenConnections: Sendable {
    private let count = Atomic<Int>(0)
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Counts a new connection in, or returns false (counting nothing) at the limit.
    func enter() -> Bool {
        if count.wrappingAdd(1, ordering: .relaxed).newValue <= limit { return true }
        count.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func leave() { count.wrappingSubtract(1, ordering: .relaxed) }
}

/// One agent check, on its channel's event loop: gather the request line,
/// answer once, close.
private final class AgentCheckHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let reply: @Sendable (Substring) -> String
    private var request: [UInt8] = []
    private var received = false
    private var answered = false
    private var emptyRequestTimer: Scheduled<Void>?
    private var deadline: Scheduled<Void>?

    init(reply: @escaping @Sendable (Substring) -> String) { self.reply = reply }

    func channelActive(context: ChannelHandlerContext) {
        let loop = context.eventLoop.assumeIsolated()
        emptyRequestTimer = loop.scheduleTask(in: AgentCheckServer.emptyRequestDelay) {
            if !self.received { self.finish(context) }
        }
        deadline = loop.scheduleTask(in: AgentCheckServer.connectionDeadline) {
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        received = true
        let bytes = unwrapInboundIn(data).readableBytesView
        if let lf = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            request.append(contentsOf: bytes[..<lf])
            finish(context)
        } else {
            request.append(contentsOf: bytes)
            // One byte of room for a CR whose LF is still to come.
            if request.count > AgentCheckServer.maxRequestBytes + 1 {
                answer(context, AgentCheckServer.tooLongReply)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            finish(context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        emptyRequestTimer?.cancel()
        deadline?.cancel()
        context.fireChannelInactive()
    }

    /// Answers the request gathered so far: its line ended, or its sender did.
    private func finish(_ context: ChannelHandlerContext) {
        if request.last == UInt8(ascii: "\r") { request.removeLast() }
        if request.count > AgentCheckServer.maxRequestBytes {
            answer(context, AgentCheckServer.tooLongReply)
        } else {
            // Invalid UTF-8 becomes U+FFFD: garbage gets an answer, not a crash.
            answer(context, reply(Substring(String(decoding: request, as: UTF8.self))))
        }
    }

    private func answer(_ context: ChannelHandlerContext, _ line: String) {
        guard !answered else { return }
        answered = true
        emptyRequestTimer?.cancel()
        var out = context.channel.allocator.buffer(capacity: line.utf8.count + 1)
        out.writeString(line)
        out.writeInteger(UInt8(ascii: "\n"))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in channel.close(promise: nil) }
    }
}
