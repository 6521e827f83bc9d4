import Hummingbird
import NIOCore

/// The parameters of an API request, from the query string and, for a
/// form-encoded POST, the body — merged like Go's `Request.Form`, which is what
/// Prometheus reads (so Grafana's POST queries work).
public struct RequestParameters: Sendable {
    private var values: [String: [String]] = [:]

    /// Parses the request's query string and form body (up to `maxBody` bytes).
    /// - Throws: `APIError` (413, `bad_data`) for a larger form body.
    public static func from(_ request: Request, maxBody: Int = 8 << 20) async throws -> RequestParameters {
        var params = RequestParameters()
        params.add(urlEncoded: request.uri.query ?? "")
        if request.method == .post,
            request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        {
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBody)
            } catch is NIOTooManyBytesError {
                throw APIError(
                    .badData, "form body larger than the \(maxBody >> 20) MiB accepted for query parameters",
                    status: .contentTooLarge)
            }
            params.add(urlEncoded: String(buffer: body))
        }
        return params
    }

    /// Parameters from one `a=1&b=2` string.
    public init(urlEncoded: String = "") { add(urlEncoded: urlEncoded) }

    private mutating func add(urlEncoded text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.percentDecode(parts[0])
            let value = parts.count > 1 ? Self.percentDecode(parts[1]) : ""
            values[key, default: []].append(value)
        }
    }

    /// The first value of `name`, nil when absent.
    public subscript(name: String) -> String? { values[name]?.first }

    /// Every value of `name` (e.g. `match[]`).
    public func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Adds every value of `other` after this one's.
    public mutating func merge(_ other: RequestParameters) {
        values.merge(other.values) { $0 + $1 }
    }

    /// `text` percent-encoded for a form value (everything but unreserved characters).
    static func formEncode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
            }
        }
        return out
    }

    /// Decodes `%XX` and `+` (a space in form encoding).
    static func percentDecode(_ text: Substring) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var it = text.utf8.makeIterator()
        while let b = it.next() {
            switch b {
            case UInt8(ascii: "+"): out.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if let h = it.next(), let l = it.next(), let hi = hexValue(h), let lo = hexValue(l) {
                    out.append(hi << 4 | lo)
                } else {
                    out.append(b)
                }
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }
}
