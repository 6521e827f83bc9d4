import Foundation
import Testing

@testable import Forwarding

@Suite struct UpstreamURLTests {
    @Test(
        arguments: [
            ("http://example.com", "example.com", 80, "/", "http://example.com/"),
            ("http://example.com:9090/api/v1/write", "example.com", 9090, "/api/v1/write", nil),
            ("http://127.0.0.1:8080/write?tenant=a&x=1", "127.0.0.1", 8080, "/write?tenant=a&x=1", nil),
            ("http://host?tenant=a", "host", 80, "/?tenant=a", "http://host/?tenant=a"),
            ("http://[::1]:9201/write", "::1", 9201, "/write", nil),
            ("http://[fe80::1]/", "fe80::1", 80, "/", nil),
            ("HTTP://prom-1.internal:80/w", "prom-1.internal", 80, "/w", "http://prom-1.internal/w"),
        ] as [(String, String, Int, String, String?)])
    func parsesGoodURLs(text: String, host: String, port: Int, path: String, description: String?) throws {
        let url = try UpstreamURL(parsing: text)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.path == path)
        #expect(url.description == (description ?? text))
    }

    @Test(arguments: [
        ("https://example.com/write", "TLS is not supported"),
        ("ftp://example.com/", "unsupported scheme \"ftp\""),
        ("example.com:9090/write", "expected http://host"),
        ("://example.com/", "expected http://host"),
        ("http://", "missing host"),
        ("http://:9090/", "missing host"),
        ("http://host:0/", "port \"0\""),
        ("http://host:65536/", "port \"65536\""),
        ("http://host:9x/", "port \"9x\""),
        ("http://host:/", "port \"\""),
        ("http://user:pw@host/", "user info"),
        ("http://host/a b", "whitespace"),
        ("http://hö.st/", "non-ASCII"),
        ("http://host/#top", "fragment"),
        ("http://[::1/", "unclosed"),
        ("http://[not-v6]/", "not an IPv6 address"),
        ("http://[::1]x/", "after the IPv6 address"),
        ("http://ho%st/", "may hold only"),
    ])
    func refusesBadURLs(text: String, problem: String) {
        #expect {
            _ = try UpstreamURL(parsing: text)
        } throws: { error in
            guard let error = error as? ForwardError else { return false }
            return error.code == .badURL && error.message.contains(problem) && error.message.contains(text)
        }
    }

    @Test func httpsMessageNamesTheWayOut() {
        #expect {
            _ = try UpstreamURL(parsing: "https://upstream:443/api/v1/write")
        } throws: { error in
            "\(error)".contains("TLS-terminating proxy on loopback")
        }
    }
}

@Suite struct RetryAfterTests {
    static let now: Int64 = 1_445_412_480 - 100  // 100 s before Wed, 21 Oct 2015 07:28:00 GMT

    @Test(
        arguments: [
            ("7", Duration.seconds(7)),
            (" 120 ", .seconds(120)),
            ("0", .zero),
            ("99999999999999999999999", .seconds(Int64(Int32.max))),
            ("Wed, 21 Oct 2015 07:28:00 GMT", .seconds(100)),
            ("Wed, 21 Oct 2015 07:26:00 GMT", .zero),  // in the past
            ("Sun, 06 Nov 1994 08:49:37 GMT", .zero),
        ] as [(String, Duration)])
    func parses(value: String, expected: Duration) {
        #expect(HTTPReply.retryAfter(parsing: value, now: Self.now) == expected)
    }

    @Test(arguments: [
        "", "-5", "1.5", "soon", "Wednesday, 21-Oct-15 07:28:00 GMT", "Wed Oct 21 07:28:00 2015",
        "Wed, 21 Oct 2015 07:28:00 UTC", "Wed, 21 Foo 2015 07:28:00 GMT", "Wed, 32 Oct 2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 24:00:00 GMT", "Wed, 1 Oct 2015 07:28:00 GMT",
    ])
    func refusesUnreadableValues(value: String) {
        #expect(HTTPReply.retryAfter(parsing: value, now: Self.now) == nil)
    }

    @Test func knownDates() {
        #expect(HTTPReply.imfFixdate("Wed, 21 Oct 2015 07:28:00 GMT") == 1_445_412_480)
        #expect(HTTPReply.imfFixdate("Tue, 29 Feb 2000 00:00:00 GMT") == 951_782_400)
        #expect(HTTPReply.imfFixdate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
    }
}

@Suite struct HTTPConnectionTests {
    static let noContent = "HTTP/1.1 204 No Content\r\n\r\n"
    static let remoteWriteHeaders: [(name: String, value: String)] = [
        ("Content-Encoding", "snappy"), ("Content-Type", "application/x-protobuf"),
        ("X-Prometheus-Remote-Write-Version", "0.1.0"),
    ]

    /// Posts a small body with the remote-write headers.
    func post(_ connection: HTTPConnection, _ body: [UInt8] = Array("body".utf8)) throws -> HTTPReply {
        try connection.post(body: body, headers: Self.remoteWriteHeaders)
    }

    @Test func keepAliveReusesOneConnection() throws {
        try withServer(Array(repeating: .reply(Self.noContent), count: 3)) { server throws in
            let connection = HTTPConnection(url: server.url())
            for _ in 0..<3 {
                let reply = try post(connection)
                #expect(reply.status == 204)
                #expect(reply.isSuccess)
            }
            #expect(server.accepts == 1)
            #expect(server.requests.count == 3)
        }
    }

    @Test func serverReceivesExactBodyAndHeaders() throws {
        // Bytes that would break a sloppy framing: NUL, CR, LF, and a fake head end.
        var body = Array("\r\n\r\nPOST / HTTP/1.1\r\n".utf8) + [0, 0xFF, 0x0D, 0x0A]
        body += (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        try withServer([.reply(Self.noContent)]) { server throws in
            let connection = HTTPConnection(url: server.url("/api/v1/write?tenant=a"))
            _ = try post(connection, body)
            let request = try #require(server.requests.first)
            #expect(request.line == "POST /api/v1/write?tenant=a HTTP/1.1")
            #expect(request.body == body)
            #expect(request.header("Host") == "127.0.0.1:\(server.port)")
            #expect(request.header("Content-Length") == "\(body.count)")
            #expect(request.header("User-Agent") == "Meridian-forwarder")
            #expect(request.header("Content-Encoding") == "snappy")
            #expect(request.header("Content-Type") == "application/x-protobuf")
            #expect(request.header("X-Prometheus-Remote-Write-Version") == "0.1.0")
            #expect(request.headers.count == 6)
        }
    }

    @Test func chunkedReplyIsParsedAndConnectionReused() throws {
        let chunked =
            "HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: y\r\n\r\n"
        try withServer([.reply(chunked), .reply(Self.noContent)]) { server throws in
            let connection = HTTPConnection(url: server.url())
            let reply = try post(connection)
            #expect(reply.status == 400)
            #expect(reply.body == "hello, world")
            #expect(reply.header("Transfer-Encoding") == "chunked")
            #expect(try post(connection).status == 204)
            #expect(server.accepts == 1)
        }
    }

    @Test func connectionCloseReconnects() throws {
        let closing = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
        try withServer([.replyAndClose(closing), .reply(Self.noContent)]) { server throws in
            let connection = HTTPConnection(url: server.url())
            let first = try post(connection)
            #expect(first.status == 200)
            #expect(first.body == "ok")
            #expect(try post(connection).status == 204)
            #expect(server.accepts == 2)
        }
    }

    @Test func replyWithoutLengthIsReadToClose() throws {
        try withServer([.replyAndClose("HTTP/1.0 200 OK\r\n\r\nhello"), .reply(Self.noContent)]) { server throws in
            let connection = HTTPConnection(url: server.url())
            #expect(try post(connection).body == "hello")
            #expect(try post(connection).status == 204)
            #expect(server.accepts == 2)
        }
    }

    @Test func idleCloseByServerIsTransparent() throws {
        // The server closes after replying, without saying so.
        try withServer([.replyAndClose(Self.noContent), .reply(Self.noContent)]) { server throws in
            let connection = HTTPConnection(url: server.url())
            #expect(try post(connection).status == 204)
            #expect(try post(connection).status == 204)
            #expect(server.accepts == 2)
        }
    }

    @Test func reusedConnectionDroppedMidRequestIsRetriedOnce() throws {
        // The server reads the second request and closes without answering,
        // as a server does that times out an idle connection just as it is used.
        try withServer([.reply(Self.noContent), .closeWithoutReply, .reply(Self.noContent)]) { server throws in
            let connection = HTTPConnection(url: server.url())
            #expect(try post(connection).status == 204)
            #expect(try post(connection).status == 204)
            #expect(server.accepts == 2)
            #expect(server.requests.map(\.connection) == [1, 1, 2])
        }
    }

    @Test func freshConnectionDroppedIsNotRetried() throws {
        try withServer([.closeWithoutReply, .reply(Self.noContent)]) { server throws in
            let connection = HTTPConnection(url: server.url())
            let error = try #require(throws: ForwardError.self) { try post(connection) }
            #expect(error.code == .io)
            #expect(server.requests.count == 1)
        }
    }

    @Test func serviceUnavailableCarriesRetryAfterSeconds() throws {
        let busy = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 4\r\n\r\nbusy"
        try withServer([.reply(busy)]) { server throws in
            let reply = try post(HTTPConnection(url: server.url()))
            #expect(reply.status == 503)
            #expect(!reply.isSuccess)
            #expect(reply.retryAfter == .seconds(7))
            #expect(reply.body == "busy")
        }
    }

    @Test func tooManyRequestsCarriesRetryAfterDate() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: Date().addingTimeInterval(120))
        let limited = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: \(date)\r\nContent-Length: 0\r\n\r\n"
        try withServer([.reply(limited)]) { server throws in
            let reply = try post(HTTPConnection(url: server.url()))
            #expect(reply.status == 429)
            let wait = try #require(reply.retryAfter)
            #expect(wait > .seconds(110) && wait <= .seconds(121))
        }
    }

    @Test func interimContinueIsSkipped() throws {
        try withServer([.reply("HTTP/1.1 100 Continue\r\n\r\n" + Self.noContent)]) { server throws in
            #expect(try post(HTTPConnection(url: server.url())).status == 204)
        }
    }

    @Test func closedPortFailsToConnectQuickly() throws {
        let port = withServer([]) { $0.port }  // free again once the server stops
        let connection = HTTPConnection(url: try UpstreamURL(parsing: "http://127.0.0.1:\(port)/"))
        let started = ContinuousClock.now
        let error = try #require(throws: ForwardError.self) { try post(connection) }
        #expect(error.code == .connect)
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func silentServerTimesOut() throws {
        try withServer([.stall]) { server throws in
            let connection = HTTPConnection(url: server.url(), requestTimeout: .milliseconds(300))
            let started = ContinuousClock.now
            let error = try #require(throws: ForwardError.self) { try post(connection) }
            let elapsed = ContinuousClock.now - started
            #expect(error.code == .io)
            #expect(elapsed >= .milliseconds(290) && elapsed < .seconds(3))
        }
    }

    @Test func hugeBodyIsCappedAndDrained() throws {
        let size = 10 * 1024 * 1024
        let huge =
            Array("HTTP/1.1 500 Internal Server Error\r\nContent-Length: \(size)\r\n\r\n".utf8)
            + [UInt8](repeating: 0x61, count: size)
        try withServer([.replyBytes(huge), .reply(Self.noContent)]) { server throws in
            let connection = HTTPConnection(url: server.url())
            let reply = try post(connection)
            #expect(reply.status == 500)
            // Counted, not compared: a failure should not print 10 MiB.
            #expect(reply.body.utf8.count == 4096)
            #expect(reply.body.allSatisfy { $0 == "a" })
            #expect(try post(connection).status == 204)
            #expect(server.accepts == 1)
        }
    }

    @Test(arguments: [
        "SSH-2.0-OpenSSH_9.6\r\n\r\n",
        "HTTP/2 200\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: " + String(repeating: "x", count: 70_000) + "\r\n\r\n",
    ])
    func malformedRepliesAreProtocolViolations(raw: String) throws {
        try withServer([.reply(raw)]) { server throws in
            let error = try #require(throws: ForwardError.self) { try post(HTTPConnection(url: server.url())) }
            #expect(error.code == .protocolViolation)
        }
    }

    @Test func headerInjectionIsRefused() throws {
        let connection = HTTPConnection(url: try UpstreamURL(parsing: "http://127.0.0.1:1/"))
        let error = try #require(throws: ForwardError.self) {
            try connection.post(body: [], headers: [("X-Tenant", "a\r\nX-Evil: 1")])
        }
        #expect(error.code == .protocolViolation)
    }
}
