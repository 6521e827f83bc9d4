import Foundation
import Synchronization

/// A loopback TCP proxy a test can cut, to partition two processes without
/// touching either: `block()` drops every connection and refuses new ones
/// until `unblock()`.
public final class TCPProxy: @unchecked Sendable {
    public let port: Int
    let target: Int
    private let listener: Int32
    private let blocked = Atomic(false)
    private let stopped = Atomic(false)
    private let open = Mutex<[Int32]>([])

    /// Listens on a free loopback port and forwards to `127.0.0.1:target`.
    public init(to target: Int) throws {
        self.target = target
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = Self.loopback(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, len) == 0 && listen(listener, 64) == 0 && getsockname(listener, $0, &len) == 0
            }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        guard ok else { throw TestFailure("proxy: cannot listen") }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }

    /// Drops every open connection; new ones are closed at once.
    public func block() {
        blocked.store(true, ordering: .releasing)
        for fd in open.withLock({ fds in defer { fds.removeAll() }; return fds }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public func unblock() { blocked.store(false, ordering: .releasing) }

    /// Stops accepting and drops every connection.
    public func stop() {
        stopped.store(true, ordering: .releasing)
        block()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            if blocked.load(ordering: .acquiring) {
                close(client)
                continue
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = Self.loopback(port: target)
            let connected = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                close(client)
                close(upstream)
                continue
            }
            open.withLock { $0 += [client, upstream] }
            Thread.detachNewThread { Self.pump(from: client, to: upstream) }
            Thread.detachNewThread { Self.pump(from: upstream, to: client) }
        }
    }

    /// Copies bytes until either side closes, then closes both.
    private static func pump(from source: Int32, to sink: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            var sent = 0
            while sent < n {
                let m = buffer.withUnsafeBytes { send(sink, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
                if m <= 0 { break }
                sent += m
            }
            if sent < n { break }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(sink, Int32(SHUT_RDWR))
    }
}
