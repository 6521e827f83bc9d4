/// Reading a reply off the socket. Every read is bounded twice: by the
/// exchange's deadline, and by a byte limit, so that neither a slow nor a
/// hostile upstream can hold a sender thread or its memory.
extension HTTPConnection {
    /// The most the status line, headers and chunk trailers may take.
    static let headLimit = 64 * 1024
    /// The most of a body kept for `HTTPReply.body` by default: a
    /// remote-write reply is a status and a short message.
    public static let defaultRetainedBody = 4 * 1024
    /// The most body read at all. Larger bodies are refused rather than
    /// drained: a remote-write reply is a status and a short message.
    static let bodyLimit = 16 * 1024 * 1024

    /// Reads the final reply to the request just sent, skipping interim 1xx
    /// replies. `keepAlive` tells whether the connection may carry another
    /// request.
    func readReply(until deadline: ContinuousClock.Instant) throws(ForwardError) -> (HTTPReply, keepAlive: Bool) {
        while true {
            let head = try readHead(until: deadline)
            if head.status == 101 { throw violation("switched protocols (101) though no upgrade was asked") }
            // 100 Continue, 102 Processing, 103 Early Hints: the final reply follows.
            if head.status < 200 { continue }

            let framing = try head.framing()
            var body = BodySink(limit: retainedBody)
            switch framing {
            case .empty: break
            case .length(let count): try readBody(count: count, into: &body, until: deadline)
            case .chunked: try readChunked(into: &body, until: deadline)
            case .untilClose: try readUntilClose(into: &body, until: deadline)
            }
            let reply = HTTPReply(
                status: head.status, headers: head.headers, body: String(decoding: body.retained, as: UTF8.self),
                retryAfter: head.value("retry-after").flatMap { HTTPReply.retryAfter(parsing: $0) })
            // Bytes after the reply were never asked for; a connection holding
            // them cannot be trusted to frame the next reply.
            let keepAlive =
                head.keepAlive && framing != .untilClose && !head.hasConflictingLength
                && inboxStart == inbox.count
            return (reply, keepAlive)
        }
    }

    private func readHead(until deadline: ContinuousClock.Instant) throws(ForwardError) -> ResponseHead {
        var budget = Self.headLimit
        let statusLine = try readLine(budget: &budget, what: "reply head", until: deadline)
        guard let (minorVersion, status) = ResponseHead.parseStatusLine(statusLine) else {
            let shown = String(decoding: statusLine.prefix(60), as: UTF8.self)
            throw violation("the reply does not start with an HTTP/1.x status line: \"\(shown)\"")
        }
        var headers: [(name: String, value: String)] = []
        while true {
            let line = try readLine(budget: &budget, what: "reply head", until: deadline)
            if line.isEmpty { break }
            if line.first == 0x20 || line.first == 0x09 {
                // Obsolete line folding: RFC 9112 lets a client read it as a space.
                guard let last = headers.popLast() else { throw violation("the first header line is a continuation") }
                headers.append(
                    (last.name, last.value + " " + String(decoding: line, as: UTF8.self).trimmingWhitespace()))
                continue
            }
            guard let colon = line.firstIndex(of: 0x3A), colon > 0,
                !line[..<colon].contains(where: { $0 <= 0x20 || $0 >= 0x7F })
            else { throw violation("malformed header line \"\(String(decoding: line.prefix(60), as: UTF8.self))\"") }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            headers.append((name, String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace()))
        }
        return ResponseHead(minorVersion: minorVersion, status: status, headers: headers)
    }

    /// Reads exactly `count` body bytes.
    private func readBody(count: Int, into body: inout BodySink, until deadline: ContinuousClock.Instant)
        throws(ForwardError)
    {
        guard body.total + count <= Self.bodyLimit else { throw tooLong() }
        var left = count
        while left > 0 {
            if inboxStart == inbox.count {
                guard try fill(until: deadline) else { throw closedEarly() }
            }
            let taken = min(left, inbox.count - inboxStart)
            body.take(inbox[inboxStart..<(inboxStart + taken)])
            inboxStart += taken
            left -= taken
        }
    }

    private func readChunked(into body: inout BodySink, until deadline: ContinuousClock.Instant) throws(ForwardError) {
        while true {
            var sizeBudget = 1024
            let line = try readLine(budget: &sizeBudget, what: "chunk size line", until: deadline)
            guard let size = Self.chunkSize(line) else {
                throw violation("bad chunk size line \"\(String(decoding: line.prefix(60), as: UTF8.self))\"")
            }
            if size == 0 { break }
            try readBody(count: size, into: &body, until: deadline)
            var endBudget = 2
            guard try readLine(budget: &endBudget, what: "chunk end", until: deadline).isEmpty else {
                throw violation("a chunk is longer than its size says")
            }
        }
        // Trailer fields carry nothing a sender needs; read past them.
        var budget = Self.headLimit
        while try !readLine(budget: &budget, what: "trailer section", until: deadline).isEmpty {}
    }

    private func readUntilClose(into body: inout BodySink, until deadline: ContinuousClock.Instant)
        throws(ForwardError)
    {
        repeat {
            guard body.total + (inbox.count - inboxStart) <= Self.bodyLimit else { throw tooLong() }
            body.take(inbox[inboxStart...])
            inboxStart = inbox.count
        } while try fill(until: deadline)
    }

    /// The next line without its LF or CRLF, taking its length from `budget`.
    private func readLine(budget: inout Int, what: String, until deadline: ContinuousClock.Instant)
        throws(ForwardError) -> ArraySlice<UInt8>
    {
        var scanned = 0  // from inboxStart: bytes known to hold no LF
        while true {
            if let newline = inbox[(inboxStart + scanned)...].firstIndex(of: 0x0A) {
                let length = newline + 1 - inboxStart
                guard length <= budget else { break }
                budget -= length
                var end = newline
                if end > inboxStart && inbox[end - 1] == 0x0D { end -= 1 }
                let line = inbox[inboxStart..<end]
                inboxStart = newline + 1
                return line
            }
            scanned = inbox.count - inboxStart
            guard scanned <= budget else { break }
            guard try fill(until: deadline) else { throw closedEarly() }
        }
        throw violation("the \(what) is longer than its limit")
    }

    /// The size of a chunk-size line, without extensions; nil when malformed
    /// or beyond any body this client reads.
    static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        let digits = line.prefix { $0 != 0x3B && $0 != 0x20 && $0 != 0x09 }  // ";" starts an extension
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        var size = 0
        for byte in digits {
            switch byte {
            case 0x30...0x39: size = size * 16 + Int(byte - 0x30)
            case 0x41...0x46: size = size * 16 + Int(byte - 0x41 + 10)
            case 0x61...0x66: size = size * 16 + Int(byte - 0x61 + 10)
            default: return nil
            }
        }
        return size
    }

    /// End of stream during a reply: before its first byte it looks like a
    /// server closing an idle connection, which `post` may retry.
    private func closedEarly() -> ForwardError {
        if !replyStarted {
            peerClosed = true
            return ForwardError(.io, "\(url) closed the connection before replying")
        }
        return ForwardError(.io, "\(url) closed the connection in the middle of its reply")
    }

    private func tooLong() -> ForwardError {
        violation("the reply body exceeds \(Self.bodyLimit / (1024 * 1024)) MiB")
    }

    private func violation(_ problem: String) -> ForwardError {
        ForwardError(.protocolViolation, "\(url): \(problem)")
    }
}

/// A body being read: counted in full, kept only up to its first `limit` bytes.
struct BodySink {
    let limit: Int
    private(set) var retained: [UInt8] = []
    private(set) var total = 0

    mutating func take(_ bytes: ArraySlice<UInt8>) {
        total += bytes.count
        let room = limit - retained.count
        if room > 0 { retained.append(contentsOf: bytes.prefix(room)) }
    }
}

/// How the body of a reply is delimited (RFC 9112 section 6.3).
enum BodyFraming: Equatable {
    case empty
    case length(Int)
    case chunked
    /// Neither length nor chunking: the body ends when the server closes.
    case untilClose
}

/// A parsed status line and header section.
struct ResponseHead {
    var minorVersion: Int
    var status: Int
    var headers: [(name: String, value: String)]

    /// The values of every header named `name` (lowercase), in order.
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name }.map(\.value)
    }

    func value(_ name: String) -> String? { values(name).first }

    /// The comma-separated tokens of every header named `name`, lowercased.
    func tokens(_ name: String) -> [String] {
        values(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingWhitespace().lowercased() }
    }

    /// Whether the server lets the connection carry another request.
    var keepAlive: Bool {
        let connection = tokens("connection")
        if connection.contains("close") { return false }
        return minorVersion >= 1 || connection.contains("keep-alive")
    }

    /// Both `Transfer-Encoding` and `Content-Length`: chunking wins, but a
    /// server that sends both is one whose framing we do not bet on again.
    var hasConflictingLength: Bool { !values("transfer-encoding").isEmpty && !values("content-length").isEmpty }

    /// How the body is delimited.
    /// - Throws: `.protocolViolation` for a malformed or contradictory
    ///   `Content-Length`, or one beyond the body limit.
    func framing() throws(ForwardError) -> BodyFraming {
        if status == 204 || status == 304 { return .empty }
        let encodings = tokens("transfer-encoding")
        if !encodings.isEmpty { return encodings.last == "chunked" ? .chunked : .untilClose }
        let lengths = tokens("content-length")
        guard let first = lengths.first else { return .untilClose }
        // A repeated identical length is tolerated (RFC 9112 6.3); differing ones are a smuggling sign.
        guard lengths.allSatisfy({ $0 == first }), first.utf8.count <= 18,
            first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(first)
        else { throw ForwardError(.protocolViolation, "bad Content-Length \"\(values("content-length"))\"") }
        guard length <= HTTPConnection.bodyLimit else {
            throw ForwardError(
                .protocolViolation,
                "reply body of \(length) bytes exceeds \(HTTPConnection.bodyLimit / (1024 * 1024)) MiB")
        }
        return .length(length)
    }

    /// The minor version and status of `HTTP/1.x NNN reason`, nil when `line` is not one.
    static func parseStatusLine(_ line: ArraySlice<UInt8>) -> (minorVersion: Int, status: Int)? {
        let bytes = Array(line)
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        guard bytes.count >= 12, bytes.starts(with: Array("HTTP/1.".utf8)), isDigit(bytes[7]), bytes[8] == 0x20,
            isDigit(bytes[9]), isDigit(bytes[10]), isDigit(bytes[11]), bytes.count == 12 || bytes[12] == 0x20
        else { return nil }
        let status = bytes[9...11].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard (100...599).contains(status) else { return nil }
        return (Int(bytes[7] - 0x30), status)
    }
}
