#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking HTTP/1.1 client connection to one upstream, for a sender thread
/// that POSTs remote-write bodies one after another.
///
/// Plain POSIX sockets rather than NIO or URLSession: a sender thread already
/// blocks on its forward log, so a blocking socket with `poll` timeouts is the
/// whole client, with no event loop to share or shut down.
///
/// The connection is opened on the first post and kept alive across posts. It
/// is closed, and the next post reconnects, after any error, after a reply
/// that says `Connection: close` or has no length, and when the server closed
/// it while idle. Not `Sendable`: one thread owns it.
public final class HTTPConnection {
    /// Where requests go.
    public let url: UpstreamURL
    /// How long resolving plus connecting may take, over all addresses.
    public let connectTimeout: Duration
    /// How long one exchange may take, from the first byte sent to the last
    /// byte of the reply read.
    public let requestTimeout: Duration
    /// The most of a reply's body kept in ``HTTPReply/body`` (the rest is
    /// read and dropped, up to the 16 MiB any body may have).
    public let retainedBody: Int

    /// The socket, or -1 while disconnected.
    var socket: Int32 = -1
    /// Replies completed on `socket`; a post with this above 0 reuses it.
    var repliesOnSocket = 0
    /// Bytes received and not yet parsed, from `inboxStart` on.
    var inbox: [UInt8] = []
    var inboxStart = 0
    /// Where `fill` receives, allocated once per connection object.
    var scratch = [UInt8](repeating: 0, count: 64 * 1024)
    /// Whether the current exchange has received any byte of the reply.
    var replyStarted = false
    /// Whether the current exchange failed because the peer closed or reset
    /// the connection, which is how an idle keep-alive close shows up.
    var peerClosed = false

    /// Creates a disconnected client; nothing touches the network until `post`.
    public init(
        url: UpstreamURL, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30),
        retainedBody: Int = HTTPConnection.defaultRetainedBody
    ) {
        self.url = url
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.retainedBody = retainedBody
    }

    deinit { close() }

    /// POSTs `body` to the upstream's path and returns the final reply.
    ///
    /// Adds `Host`, `Content-Length` and, unless `headers` has one,
    /// `User-Agent: Meridian-forwarder`; a caller's `Host`, `Content-Length`,
    /// `Transfer-Encoding` or `Connection` is dropped, since the framing is
    /// this client's to decide. When a reused connection turns out to have
    /// been closed by the server before any reply byte arrived, the post is
    /// sent once more on a new connection, with a fresh `requestTimeout`.
    ///
    /// - Throws: `.connect` when the upstream cannot be resolved or reached in
    ///   `connectTimeout`; `.io` when sending or receiving fails, or the reply
    ///   is not complete within `requestTimeout`; `.protocolViolation` when the
    ///   reply is not HTTP/1.x, exceeds its limits, or a header to send holds
    ///   CR or LF. The connection is closed after any error.
    public func post(body: [UInt8], headers: [(name: String, value: String)]) throws(ForwardError) -> HTTPReply {
        let head = try requestHead(contentLength: body.count, headers: headers)
        dropIfStale()
        let reused = socket >= 0 && repliesOnSocket > 0
        do throws(ForwardError) {
            return try exchange(head: head, body: body)
        } catch {
            // A server may close an idle keep-alive connection just as we send
            // on it; that race is not the upstream failing, so it gets one
            // retry. Only when no reply byte came back: after that the request
            // was surely seen, and a fresh connection is never retried, so a
            // server that drops every request still yields an error.
            guard reused && !replyStarted && peerClosed else { throw error }
            return try exchange(head: head, body: body)
        }
    }

    /// Closes the socket; the next post reconnects. Harmless when closed.
    public func close() {
        if socket >= 0 {
            _ = systemClose(socket)
            socket = -1
        }
        repliesOnSocket = 0
        inbox.removeAll()
        inboxStart = 0
    }

    /// One request and its reply, connecting first if needed.
    private func exchange(head: [UInt8], body: [UInt8]) throws(ForwardError) -> HTTPReply {
        replyStarted = false
        peerClosed = false
        do throws(ForwardError) {
            if socket < 0 { try connect() }
            let deadline = ContinuousClock.now.advanced(by: requestTimeout)
            try send(head, more: !body.isEmpty, until: deadline)
            if !body.isEmpty { try send(body, more: false, until: deadline) }
            let (reply, keepAlive) = try readReply(until: deadline)
            if keepAlive { repliesOnSocket += 1 } else { close() }
            return reply
        } catch {
            close()
            throw error
        }
    }

    /// The request line and headers, ready to send.
    private func requestHead(
        contentLength: Int, headers: [(name: String, value: String)]
    ) throws(ForwardError) -> [UInt8] {
        var text = "POST \(url.path) HTTP/1.1\r\nHost: \(url.authority)\r\nContent-Length: \(contentLength)\r\n"
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            text += "User-Agent: Meridian-forwarder\r\n"
        }
        for (name, value) in headers {
            // A CR or LF would let a configured header smuggle in a second
            // one or end the head early; a name must be a token to parse.
            let isToken = !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x3A }
            guard isToken, !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw ForwardError(.protocolViolation, "header \"\(name)\" to send is malformed (CR, LF or a bad name)")
            }
            if Self.framingHeaders.contains(name.lowercased()) { continue }
            text += "\(name): \(value)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Headers this client sets itself.
    private static let framingHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection"]

    /// Closes a kept-alive socket that became readable while idle: the server
    /// closed it, reset it, or sent something unasked (a `408`). Any of these
    /// means the next request must go on a new connection.
    private func dropIfStale() {
        guard socket >= 0 else { return }
        var entry = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        if poll(&entry, 1, 0) > 0 { close() }
    }
}

// MARK: - Socket calls

#if canImport(Glibc)
    private let streamType = Int32(SOCK_STREAM.rawValue)
    private let closeOnExec = Int32(SOCK_CLOEXEC.rawValue)
    private let sendFlags = Int32(MSG_NOSIGNAL)
    private let moreFlag = Int32(MSG_MORE)
#else
    // Darwin has neither SOCK_CLOEXEC, MSG_NOSIGNAL nor MSG_MORE; `open` sets
    // FD_CLOEXEC and SO_NOSIGPIPE instead, and the head goes unmerged.
    private let streamType = SOCK_STREAM
    private let closeOnExec: Int32 = 0
    private let sendFlags: Int32 = 0
    private let moreFlag: Int32 = 0
#endif

// The libc calls whose names the connection's own members shadow.
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemSocket(_ family: Int32, _ type: Int32, _ proto: Int32) -> Int32 { socket(family, type, proto) }
private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, _ flags: Int32) -> Int {
    send(fd, bytes, count, flags)
}

/// The current `errno` as text, for an error's cause.
private func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

extension HTTPConnection {
    /// Resolves the host and connects to the first address that answers.
    ///
    /// `getaddrinfo` itself cannot be bounded; the connect timeout covers the
    /// connects, over all addresses together.
    func connect() throws(ForwardError) {
        let deadline = ContinuousClock.now.advanced(by: connectTimeout)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamType
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(url.host, String(url.port), &hints, &list)
        guard status == 0, let list else {
            let cause = status == EAI_SYSTEM ? errnoText() : String(cString: gai_strerror(status))
            throw ForwardError(.connect, "cannot resolve upstream host \(url.host)", cause: cause)
        }
        defer { freeaddrinfo(list) }
        var failures: [String] = []
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let info = next {
            next = info.pointee.ai_next
            do throws(ForwardError) {
                socket = try Self.open(info.pointee, until: deadline)
                repliesOnSocket = 0
                return
            } catch {
                failures.append(error.description)
            }
        }
        throw ForwardError(.connect, "cannot connect to \(url)", cause: failures.joined(separator: "; "))
    }

    /// A connected, non-blocking socket to one resolved address.
    private static func open(_ info: addrinfo, until deadline: ContinuousClock.Instant) throws(ForwardError) -> Int32 {
        let address = Self.text(of: info)
        let fd = systemSocket(info.ai_family, info.ai_socktype | closeOnExec, info.ai_protocol)
        guard fd >= 0 else { throw ForwardError(.connect, "socket for \(address)", cause: errnoText()) }
        var connected = false
        defer { if !connected { _ = systemClose(fd) } }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        #if !canImport(Glibc)
            var on: Int32 = 1
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        // Non-blocking connect, so that poll can bound it.
        if systemConnect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            let code = errno
            guard code == EINPROGRESS else { throw ForwardError(.connect, address, cause: errnoText(code)) }
            guard wait(fd, for: POLLOUT, until: deadline) else {
                throw ForwardError(.connect, address, cause: "connect timed out")
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            guard failure == 0 else { throw ForwardError(.connect, address, cause: errnoText(failure)) }
        }
        // Nagle would hold a small last segment until the previous one is
        // acked, up to a delayed-ACK timeout per post; MSG_MORE already
        // merges head and body, so nothing is gained by waiting.
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        connected = true
        return fd
    }

    /// `host:port` of a resolved address, for error messages.
    private static func text(of info: addrinfo) -> String {
        var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var port = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let flags = NI_NUMERICHOST | NI_NUMERICSERV
        guard
            getnameinfo(
                info.ai_addr, info.ai_addrlen, &name, socklen_t(name.count), &port, socklen_t(port.count), flags) == 0
        else { return "address of family \(info.ai_family)" }
        func text(_ chars: [CChar]) -> String {
            String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let host = text(name)
        return host.contains(":") ? "[\(host)]:\(text(port))" : "\(host):\(text(port))"
    }

    /// Sends all of `bytes`, waiting for buffer space until `deadline`.
    /// `more` tells the kernel further bytes follow at once, so a small head
    /// is not sent as a segment of its own.
    func send(_ bytes: [UInt8], more: Bool, until deadline: ContinuousClock.Instant) throws(ForwardError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                systemSend(
                    socket, buffer.baseAddress! + offset, buffer.count - offset, sendFlags | (more ? moreFlag : 0))
            }
            if sent > 0 {
                offset += sent
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                guard Self.wait(socket, for: POLLOUT, until: deadline) else {
                    throw ForwardError(.io, "timed out after \(requestTimeout) sending to \(url)")
                }
                continue
            }
            peerClosed = code == EPIPE || code == ECONNRESET
            throw ForwardError(.io, "cannot send to \(url)", cause: errnoText(code))
        }
    }

    /// Appends what the socket has to the inbox, waiting until `deadline`.
    /// Returns false at end of stream.
    func fill(until deadline: ContinuousClock.Instant) throws(ForwardError) -> Bool {
        if inboxStart == inbox.count {
            inbox.removeAll(keepingCapacity: true)
            inboxStart = 0
        } else if inboxStart >= 64 * 1024 {
            inbox.removeFirst(inboxStart)
            inboxStart = 0
        }
        while true {
            // Through a scratch buffer rather than by growing the inbox and
            // receiving into its tail: growing means zero-filling first.
            let received = scratch.withUnsafeMutableBytes { recv(socket, $0.baseAddress!, $0.count, 0) }
            let code = errno
            if received > 0 {
                inbox.append(contentsOf: scratch[..<received])
                replyStarted = true
                return true
            }
            if received == 0 { return false }
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                guard Self.wait(socket, for: POLLIN, until: deadline) else {
                    throw ForwardError(.io, "no complete reply from \(url) within \(requestTimeout)")
                }
                continue
            }
            peerClosed = code == ECONNRESET
            throw ForwardError(.io, "cannot receive from \(url)", cause: errnoText(code))
        }
    }

    /// Polls `fd` for `events` until `deadline`; false when time ran out.
    /// Errors and hang-ups count as ready: the next call reports them.
    static func wait(_ fd: Int32, for events: Int32, until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            let (seconds, attoseconds) = remaining.components
            // Rounded up, so that a few microseconds left is not a busy loop.
            let milliseconds =
                remaining <= .zero ? 0 : seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
            var entry = pollfd(fd: fd, events: Int16(events), revents: 0)
            let ready = poll(&entry, 1, Int32(clamping: milliseconds))
            if ready > 0 { return true }
            if ready == 0 && remaining <= .zero { return false }
            if ready < 0 && errno != EINTR { return true }
        }
    }
}
