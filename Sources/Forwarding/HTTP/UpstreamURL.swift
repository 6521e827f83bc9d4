/// Where a forwarder sends its remote-write requests: a plain `http://` URL,
/// split into what the socket needs (host, port) and what the request line
/// needs (path with query).
///
/// Only `http://host[:port][/path][?query]` is accepted. TLS is deliberately
/// out of scope: the forwarder speaks plain HTTP/1.1 over POSIX sockets, and a
/// TLS-terminating proxy on loopback covers encrypted upstreams without
/// pulling a TLS stack into the sender threads.
public struct UpstreamURL: Sendable, Equatable, CustomStringConvertible {
    /// The host name or address to resolve, without brackets for IPv6 literals.
    public let host: String
    /// The TCP port; 80 when the URL names none.
    public let port: Int
    /// The request target: the path plus the query string, if any; at least "/".
    public let path: String

    /// Parses `text` as an upstream URL.
    ///
    /// - Throws: `.badURL` naming the first problem: a scheme other than
    ///   `http` (with a hint for `https`), user info, a fragment, an empty or
    ///   malformed host, a port outside 1...65535, or characters that must be
    ///   percent-encoded.
    public init(parsing text: String) throws(ForwardError) {
        func bad(_ problem: String) -> ForwardError {
            ForwardError(.badURL, "upstream URL \"\(text)\": \(problem)")
        }
        // Bytes, not Characters: every rule below is about ASCII, and a
        // grapheme cluster could otherwise hide a control byte.
        let bytes = Array(text.utf8)
        if let byte = bytes.first(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            throw bad(
                byte >= 0x7F
                    ? "non-ASCII characters must be percent-encoded"
                    : "contains whitespace or a control character")
        }
        guard let schemeEnd = text.firstRange(of: "://"), schemeEnd.lowerBound > text.startIndex,
            text[..<schemeEnd.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) })
        else { throw bad("expected http://host[:port][/path]") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        if scheme == "https" {
            throw bad(
                "TLS is not supported; run a TLS-terminating proxy on loopback and point the forwarder "
                    + "at it with http://127.0.0.1:<port>/…")
        }
        guard scheme == "http" else { throw bad("unsupported scheme \"\(scheme)\"; only http:// is accepted") }

        let rest = text[schemeEnd.upperBound...]
        if rest.contains("#") { throw bad("a fragment (#…) has no meaning for an upstream") }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let target = rest[authorityEnd...]
        if authority.contains("@") { throw bad("user info (user@host) is not supported") }

        let hostPart: Substring
        let portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw bad("unclosed \"[\" in IPv6 address") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portPart = nil
            } else if after.hasPrefix(":") {
                portPart = after.dropFirst()
            } else {
                throw bad("unexpected \"\(after)\" after the IPv6 address")
            }
            guard Self.isIPv6Literal(hostPart) else { throw bad("\"\(hostPart)\" is not an IPv6 address") }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
                portPart = nil
            }
            guard !hostPart.isEmpty else { throw bad("missing host") }
            guard hostPart.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }) else {
                throw bad("host \"\(hostPart)\" may hold only letters, digits, \"-\", \".\" and \"_\"")
            }
        }

        var port = 80
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(portPart), (1...65535).contains(value)
            else { throw bad("port \"\(portPart)\" is not a number in 1...65535") }
            port = value
        }

        host = String(hostPart)
        self.port = port
        path = target.isEmpty ? "/" : target.hasPrefix("?") ? "/" + target : String(target)
    }

    /// The URL in canonical form: lowercase scheme, the port only when not 80.
    public var description: String { "http://" + authority + path }

    /// The authority as the `Host` header carries it: IPv6 literals in
    /// brackets, the port only when it is not the default.
    var authority: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }

    /// Whether `text` looks like an IPv6 address: hex groups and colons, at
    /// least two colons, optionally a dotted IPv4 tail. Resolution is the
    /// final judge; this only catches typos with a clear message.
    private static func isIPv6Literal(_ text: Substring) -> Bool {
        guard text.filter({ $0 == ":" }).count >= 2 else { return false }
        return text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}
