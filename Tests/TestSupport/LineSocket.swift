import Foundation
import Synchronization

/// Plain blocking TCP for tests that speak to Meridian below HTTP clients:
/// the HAProxy agent check (one line each way) and an SSE stream read as it arrives.
public enum LineSocket {
    /// Connects to `127.0.0.1:port`, or throws.
    public static func connect(port: Int, timeout: Double = 5) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = TCPProxy.loopback(port: port)
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard ok else {
            close(fd)
            throw TestFailure("cannot connect to 127.0.0.1:\(port)")
        }
        return fd
    }

    /// Sends `text` and reads until the server closes (or `timeout`): an
    /// agent-check exchange.
    public static func exchange(port: Int, send text: String, timeout: Double = 5) throws -> String {
        let fd = try connect(port: port, timeout: timeout)
        defer { close(fd) }
        try write(fd, text)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ fd: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw TestFailure("write failed") }
            offset += n
        }
    }
}

/// Reads a Server-Sent Events stream on a thread of its own and keeps every
/// event (`id`, `event`, `data`) as it arrives.
public final class SSEReader: @unchecked Sendable {
    public struct Event: Sendable {
        public var id: String?
        public var event: String?
        public var data: String
    }

    public let events = Mutex<[Event]>([])
    /// The status line and headers.
    public let head = Mutex<String>("")
    private let fd: Int32
    private let stopped = Atomic(false)
    public let finished = Atomic(false)

    /// Opens `GET path` on `127.0.0.1:port` with `headers` and starts reading.
    public init(port: Int, path: String, headers: [String: String] = [:]) throws {
        fd = try LineSocket.connect(port: port, timeout: 1)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        for (k, v) in headers { request += "\(k): \(v)\r\n" }
        try LineSocket.write(fd, request + "\r\n")
        Thread.detachNewThread { [self] in readLoop() }
    }

    /// Stops reading and closes the connection.
    public func stop() {
        stopped.store(true, ordering: .releasing)
        shutdown(fd, Int32(SHUT_RDWR))
    }

    deinit { close(fd) }

    private func readLoop() {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var inBody = false
        var current = Event(data: "")
        var hasData = false
        while !stopped.load(ordering: .acquiring) {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { break }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                break
            }
            pending += buffer[0..<n]
            if !inBody {
                guard let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) else { continue }
                head.withLock { $0 = String(decoding: pending[..<end.lowerBound], as: UTF8.self) }
                pending.removeSubrange(..<end.upperBound)
                inBody = true
            }
            // Chunked framing: chunk-size lines are hex digits only; SSE lines never are alone on a line here
            // because every SSE line has a field name or is empty.
            while let newline = pending.firstIndex(of: 0x0a) {
                var line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if line.hasSuffix("\r") { line.removeLast() }
                if !line.isEmpty && line.allSatisfy(\.isHexDigit) && !hasData { continue }
                if line.isEmpty {
                    if hasData {
                        let event = current
                        events.withLock { $0.append(event) }
                    }
                    current = Event(data: "")
                    hasData = false
                } else if line.hasPrefix("data: ") {
                    current.data += (hasData ? "\n" : "") + line.dropFirst(6)
                    hasData = true
                } else if line.hasPrefix("id: ") {
                    current.id = String(line.dropFirst(4))
                } else if line.hasPrefix("event: ") {
                    current.event = String(line.dropFirst(7))
                }
            }
        }
        finished.store(true, ordering: .releasing)
    }
}
