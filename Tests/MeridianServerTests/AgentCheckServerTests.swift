import Foundation
import Logging
import MeridianServer
import ServiceLifecycle
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The agent-check responder against a plain blocking socket, as HAProxy's
/// checker sees it: bytes in, one line out, then EOF.
@Suite struct AgentCheckServerTests {
    static let replies = ["bj": "up 63%", "bj/checkout": "drain 50%", "": "up"]

    @Test func answersARequestLineAndCloses() async throws {
        try await withAgentCheckServer { port in
            let client = try AgentCheckClient(port: port)
            defer { client.close() }
            client.send("bj\n")
            let (reply, closed) = client.readToEOF()
            #expect(reply == "up 63%\n")
            #expect(closed)
        }
    }

    @Test(arguments: [
        ("bj/checkout\r\n", "drain 50%\n"),
        ("\n", "up\n"),
        ("\r\n", "up\n"),
        ("nobody\n", "down #unknown\n"),
        ("bj\nignored after the line\n", "up 63%\n"),
        ("\u{00}\u{7F}garbage\r\r\n", "down #unknown\n"),
    ])
    func passesTheLineWithoutItsEnd(request: String, expected: String) async throws {
        try await withAgentCheckServer { port in
            let client = try AgentCheckClient(port: port)
            defer { client.close() }
            client.send(request)
            #expect(client.readToEOF() == (expected, true))
        }
    }

    @Test func invalidUTF8IsAnsweredNotFatal() async throws {
        try await withAgentCheckServer { port in
            let client = try AgentCheckClient(port: port)
            defer { client.close() }
            client.send(bytes: [0xFF, 0xFE, 0xC0, 0x0A])
            #expect(client.readToEOF() == ("down #unknown\n", true))
        }
    }

    @Test func silenceIsTheEmptyRequest() async throws {
        try await withAgentCheckServer { port in
            let client = try AgentCheckClient(port: port)
            defer { client.close() }
            let start = ContinuousClock.now
            #expect(client.readToEOF() == ("up\n", true))
            #expect(ContinuousClock.now - start < .seconds(1))
        }
    }

    @Test func endOfInputEndsTheRequest() async throws {
        try await withAgentCheckServer { port in
            let client = try AgentCheckClient(port: port)
            defer { client.close() }
            client.send("bj")
            client.shutdownWrite()
            #expect(client.readToEOF() == ("up 63%\n", true))
        }
    }

    @Test(arguments: [
        (String(repeating: "x", count: 256) + "\n", "down #unknown\n"),
        (String(repeating: "x", count: 256) + "\r\n", "down #unknown\n"),
        (String(repeating: "x", count: 257) + "\n", AgentCheckServer.tooLongReply + "\n"),
        (String(repeating: "x", count: 300), AgentCheckServer.tooLongReply + "\n"),
    ])
    func requestsBeyond256BytesAreTooLong(request: String, expected: String) async throws {
        try await withAgentCheckServer { port in
            let client = try AgentCheckClient(port: port)
            defer { client.close() }
            client.send(request)
            #expect(client.readToEOF() == (expected, true))
        }
    }

    @Test func anUnfinishedRequestIsDroppedAfterFiveSeconds() async throws {
        try await withAgentCheckServer { port in
            let client = try AgentCheckClient(port: port, timeout: 8)
            defer { client.close() }
            let start = ContinuousClock.now
            client.send("bj")
            #expect(client.readToEOF() == ("", true))
            let elapsed = ContinuousClock.now - start
            #expect(elapsed > .seconds(4.5) && elapsed < .seconds(7))
        }
    }

    @Test func answersFiftyConnectionsOpenAtOnce() async throws {
        try await withAgentCheckServer { port in
            var clients: [AgentCheckClient] = []
            defer { clients.forEach { $0.close() } }
            for _ in 0..<50 {
                let client = try AgentCheckClient(port: port)
                client.send("bj\n")
                clients.append(client)
            }
            for client in clients {
                #expect(client.readToEOF() == ("up 63%\n", true))
            }
        }
    }

    @Test func gracefulShutdownClosesThePort() async throws {
        let port = try await withAgentCheckServer { port in
            let client = try AgentCheckClient(port: port)
            defer { client.close() }
            client.send("bj\n")
            #expect(client.readToEOF() == ("up 63%\n", true))
            return port
        }
        #expect(throws: (any Error).self) { try AgentCheckClient(port: port) }
    }

    @Test func cancellationClosesThePort() async throws {
        let (ports, bound) = AsyncStream<Int>.makeStream()
        let server = Self.server { bound.yield($0) }
        let task = Task { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let client = try AgentCheckClient(port: port)
        #expect(client.readToEOF() == ("up\n", true))
        client.close()
        task.cancel()
        try await task.value
        #expect(throws: (any Error).self) { try AgentCheckClient(port: port) }
    }

    // MARK: - Helpers

    static func server(onBound: @escaping @Sendable (Int) -> Void) -> AgentCheckServer {
        var logger = Logger(label: "agent-check-test")
        logger.logLevel = .warning
        return AgentCheckServer(
            host: "127.0.0.1",
            port: 0,
            reply: { request in replies[String(request)] ?? "down #unknown" },
            logger: logger,
            onBound: onBound
        )
    }

    /// Runs `body` against a server in a ServiceGroup on a free loopback port,
    /// then shuts the group down gracefully, as on SIGTERM.
    func withAgentCheckServer<T>(_ body: (Int) async throws -> T) async throws -> T {
        let (ports, bound) = AsyncStream<Int>.makeStream()
        let server = Self.server { bound.yield($0) }
        var logger = Logger(label: "agent-check-test")
        logger.logLevel = .warning
        let group = ServiceGroup(services: [server], logger: logger)
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw AgentCheckTestError("server never bound") }
        let result: T
        do {
            result = try await body(port)
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await task.value
        return result
    }
}

struct AgentCheckTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A blocking IPv4 TCP client, as small as HAProxy's side of the conversation.
/// Reads give up after `timeout` seconds, so a silent server fails a test
/// rather than hanging it.
final class AgentCheckClient: Sendable {
    let fd: Int32

    init(port: Int, timeout: Int = 3) throws {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw AgentCheckTestError("socket: errno \(errno)") }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            Self.closeSocket(fd)
            throw AgentCheckTestError("connect to port \(port): errno \(error)")
        }
        self.fd = fd
    }

    func send(_ text: String) { send(bytes: Array(text.utf8)) }

    func send(bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            offset += n
        }
    }

    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    /// Everything the server sends, and whether it then closed (a read of 0
    /// bytes) rather than the read timing out.
    func readToEOF() -> (String, Bool) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if n < 0 { return (String(decoding: received, as: UTF8.self), false) }
            received += chunk[..<n]
        }
    }

    func close() { Self.closeSocket(fd) }

    private static func closeSocket(_ fd: Int32) {
        #if canImport(Glibc)
            _ = Glibc.close(fd)
        #else
            _ = Darwin.close(fd)
        #endif
    }
}
