import Foundation
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Answers `GET` and `HEAD /probe/{center}[/{service}]` on the connection's
/// event loop, before the router: a probe is a lookup of a precomputed
/// answer, and the router's task, request and response machinery would cost
/// it several times the lookup. What the fast path does not know (an
/// unknown or encoded name, no round yet, `Connection: close`, any other
/// method) goes on to the router, whose probe route answers it the same way.
///
/// Responses leave in request order: while a request passed on to the
/// router is unanswered, a pipelined probe behind it is passed on too.
final class ProbeFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let prefix = "/probe/"

    private let feed: HealthFeed
    /// Requests passed on to the router whose responses have not ended.
    private var passedOn = 0
    /// The probe answered here, from its head until its end arrives.
    private var answering: (answer: ProbeAnswer, withBody: Bool)?

    init(feed: HealthFeed) { self.feed = feed }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if passedOn == 0, let answer = answer(request) {
                answering = (answer, request.method == .get)
                return
            }
            passedOn += 1
            context.fireChannelRead(data)
        case .body:
            if answering == nil { context.fireChannelRead(data) }
        case .end:
            guard let (answer, withBody) = answering else { return context.fireChannelRead(data) }
            answering = nil
            respond(context, answer, withBody: withBody)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { passedOn = max(0, passedOn - 1) }
        context.write(data, promise: promise)
    }

    /// The answer for a probe this path can give, or nil to pass it on.
    private func answer(_ request: HTTPRequest) -> ProbeAnswer? {
        guard request.method == .get || request.method == .head, let path = request.path,
            path.hasPrefix(Self.prefix), request.headerFields[.connection]?.lowercased().contains("close") != true
        else { return nil }
        let name = path.dropFirst(Self.prefix.count).prefix { $0 != "?" }
        // Encoded or empty segments are the router's to decode or refuse.
        guard !name.isEmpty, !name.contains("%"),
            !name.split(separator: "/", omittingEmptySubsequences: false)
                .contains(where: \.isEmpty)
        else { return nil }
        return feed.probe(String(name))
    }

    private func respond(_ context: ChannelHandlerContext, _ answer: ProbeAnswer, withBody: Bool) {
        var fields = ProbeAnswer.headers
        fields[.contentLength] = String(answer.body.utf8.count)
        fields[.server] = "Meridian"
        fields[.date] = Self.httpDate()
        let head = HTTPResponse(status: HTTPResponse.Status(code: answer.status), headerFields: fields)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if withBody { context.write(wrapOutboundOut(.body(ByteBuffer(string: answer.body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Now as an HTTP `Date` (IMF-fixdate): `Mon, 07 Dec 2026 23:29:37 GMT`.
    static func httpDate(_ now: time_t = time(nil)) -> String {
        var now = now
        var t = tm()
        gmtime_r(&now, &t)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) "
            + "\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }
}
