import Foundation
import Synchronization

@testable import Forwarding

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback HTTP/1.1 responder for client tests: it reads each request
/// (head and `Content-Length` body), records it, and answers with the next
/// scripted step, byte for byte as written. One connection at a time, on a
/// thread of its own, so a blocking client can be tested from the test body.
final class ScriptedHTTPServer: Sendable {
    /// What to do with the next request.
    enum Step: Sendable {
        /// Send these bytes and keep reading requests on the connection.
        case reply(String)
        /// Send these bytes (for bodies too large to spell as a literal).
        case replyBytes([UInt8])
        /// Send these bytes, then close the connection.
        case replyAndClose(String)
        /// Close the connection without answering.
        case closeWithoutReply
        /// Never answer; hold the connection until the client drops it.
        case stall
    }

    /// A request as the server read it.
    struct Request: Sendable {
        var line: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        /// 1 for the first accepted connection, 2 for the next, …
        var connection: Int

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    private struct State {
        var script: [Step]
        var requests: [Request] = []
        var accepts = 0
        var stopping = false
    }

    /// The ephemeral port the server listens on.
    let port: Int
    private let listener: Int32
    private let state: Mutex<State>
    private let finished = DispatchSemaphore(value: 0)

    /// The server's URL with `path`.
    func url(_ path: String = "/api/v1/write") -> UpstreamURL {
        try! UpstreamURL(parsing: "http://127.0.0.1:\(port)\(path)")
    }

    /// The requests read so far, in order.
    var requests: [Request] { state.withLock { $0.requests } }
    /// How many connections were accepted so far.
    var accepts: Int { state.withLock { $0.accepts } }

    init(script: [Step]) {
        state = Mutex(State(script: script))
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(listener >= 0, "socket: \(errno)")
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0  // the kernel picks a free port
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        precondition(bound, "bind/listen: \(errno)")
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            run()
            finished.signal()
        }.start()
    }

    /// Stops accepting, drops the current connection and waits for the thread.
    func stop() {
        state.withLock { $0.stopping = true }
        finished.wait()
        close(listener)
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    private func run() {
        while !stopping {
            guard ready(listener) else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            let index = state.withLock {
                $0.accepts += 1
                return $0.accepts
            }
            serve(connection, index: index)
            close(connection)
        }
    }

    /// Answers requests on one connection until it closes or a step ends it.
    private func serve(_ fd: Int32, index: Int) {
        var buffer: [UInt8] = []
        while var request = readRequest(fd, &buffer) {
            request.connection = index
            let step = state.withLock { state -> Step in
                state.requests.append(request)
                return state.script.isEmpty
                    ? .replyAndClose("HTTP/1.1 500 Unscripted\r\nContent-Length: 0\r\n\r\n")
                    : state.script.removeFirst()
            }
            switch step {
            case .reply(let text): write(fd, Array(text.utf8))
            case .replyBytes(let bytes): write(fd, bytes)
            case .replyAndClose(let text):
                write(fd, Array(text.utf8))
                return
            case .closeWithoutReply: return
            case .stall:
                while readMore(fd, &buffer) { buffer.removeAll() }
                return
            }
        }
    }

    /// The next request, nil when the client closed or the server stops.
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.firstRange(of: separator)?.lowerBound
            if headEnd == nil && !readMore(fd, &buffer) { return nil }
        }
        let lines = String(decoding: buffer[..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let headers = lines.dropFirst().map { line -> (name: String, value: String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        buffer.removeFirst(headEnd! + separator.count)
        var request = Request(line: lines[0], headers: headers, body: [], connection: 0)
        let length = Int(request.header("content-length") ?? "0") ?? 0
        while buffer.count < length {
            if !readMore(fd, &buffer) { return nil }
        }
        request.body = Array(buffer.prefix(length))
        buffer.removeFirst(length)
        return request
    }

    /// Appends what arrives on `fd`; false at end of stream or when stopping.
    private func readMore(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        while !stopping {
            guard ready(fd) else { continue }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk.prefix(count))
            return true
        }
        return false
    }

    /// Sends all of `bytes`; gives up quietly when the client has gone.
    private func write(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// Whether `fd` is readable within 20 ms; short, so `stop` is noticed.
    private func ready(_ fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 20) > 0
    }
}

/// Runs `body` against a server playing `script`, stopping it afterwards even
/// when `body` throws, so that a failing test leaks no thread or port.
func withServer<T>(
    _ script: [ScriptedHTTPServer.Step], _ body: (ScriptedHTTPServer) throws -> T
) rethrows -> T {
    let server = ScriptedHTTPServer(script: script)
    defer { server.stop() }
    return try body(server)
}
