import Foundation
import TestSupport
import Testing

/// The health feed driving a real HAProxy 2.6 through its agent checks: one
/// server per center, each asking Meridian's agent-check responder every
/// 500 ms about its center (`agent-send "bj\n"`), with no other health check.
/// HAProxy's view is read from its stats socket (`show stat`) and must follow
/// Meridian's `/api/v1/health`: states, and weights as percentages of the
/// configured `weight 100`.
///
/// What HAProxy 2.6 reports, as seen here (and in `src/stats.c`):
/// - a server with only an agent check that is up shows the status `no check`;
///   one the agent took down, `DOWN (agent)`; one it drained, `DRAIN (agent)`;
/// - the server's `weight` column is its effective weight, the agent's last
///   percentage of the configured weight (`up 34%` → 34). `down` and `drain`
///   carry no weight, so a DOWN or DRAIN server keeps showing its last one: the
///   weight actually in use is the `BACKEND` row's, the sum over usable servers.
@Suite(.serialized) struct HAProxyAgentTests {
    @Test(.timeLimit(.minutes(4))) func serversFollowTheFeedThroughAgentChecks() async throws {
        let haproxyPath = try HAProxyProcess.binary()
        let dir = try TemporaryDirectory("haproxy-agent")
        defer { dir.remove() }

        let agentPort = try ServerProcess.freePort()
        let feed = try await HealthFeedRun.start(dir, HealthFeedClient.yaml(agentPort: agentPort))
        defer { feed.stop() }
        let (meridian, writer) = (feed.server, feed.writer)
        var document = try await feed.settleAllUp()
        #expect(
            Self.centers.map { HealthFeedClient.weight(document, $0) } == [34, 33, 33], "\(Self.weights(document))")

        let haproxy = try HAProxyProcess.start(
            executable: haproxyPath, directory: dir.path, agentPort: agentPort, centers: Self.centers)
        defer { haproxy.process.terminate() }
        try await haproxy.waitUntilReady()

        // 1. Everyone healthy: every server up, weighted 34/33/33 as the feed says.
        var seen = try await haproxy.poll("all up at 34/33/33") { s in
            Self.centers.allSatisfy { s[$0]?.status == "no check" } && s.weights(Self.centers) == [34, 33, 33]
        }
        try Self.expectFollows(document, seen.stats)
        #expect(seen.stats["BACKEND"]?.weight == 100 && seen.stats["BACKEND"]?.active == 3, "\(seen.stats.raw)")

        // 2. bj degraded: still up in HAProxy, at the smaller share the feed gives it.
        writer.set("bj", errorRatio: 0.03)
        document = try await Self.trace(meridian, haproxy, "bj") { HealthFeedClient.state($0, "bj") == "degraded" }
        let degradedWeights = Self.centers.map { HealthFeedClient.weight(document, $0) }
        #expect(degradedWeights.reduce(0, +) == 100 && degradedWeights[0] < 33, "\(degradedWeights)")
        seen = try await haproxy.poll("bj degraded at \(degradedWeights)") { s in
            Self.centers.allSatisfy { s[$0]?.status == "no check" } && s.weights(Self.centers) == degradedWeights
        }
        try Self.expectFollows(document, seen.stats)
        #expect(seen.stats["BACKEND"]?.weight == 100 && seen.stats["BACKEND"]?.active == 3, "\(seen.stats.raw)")
        Self.note("bj degraded \(degradedWeights)", seen)

        // 3. bj fails: once the feed says down, HAProxy takes bj down and sh and gz share its traffic.
        writer.set("bj", errorRatio: 0.5)
        document = try await Self.trace(meridian, haproxy, "bj") { HealthFeedClient.state($0, "bj") == "down" }
        #expect(Self.weights(document) == ["bj": 0, "sh": 50, "gz": 50])
        seen = try await haproxy.poll("bj DOWN, sh and gz at 50/50") { s in
            s["bj"]?.status.hasPrefix("DOWN") == true && s.weights(["sh", "gz"]) == [50, 50]
        }
        let bj = seen.stats["bj"]
        #expect(bj?.status == "DOWN (agent)", "\(seen.stats.raw)")
        #expect(
            bj?.lastAgent.hasPrefix("via agent : down (") == true && bj?.lastAgent.contains("error_ratio") == true,
            "the agent's reason reaches HAProxy: \(bj?.lastAgent ?? "")")
        #expect(seen.stats["BACKEND"]?.weight == 100 && seen.stats["BACKEND"]?.active == 2, "\(seen.stats.raw)")
        try Self.expectFollows(document, seen.stats)
        Self.note("bj down", seen)

        // 4. bj recovers (after `rise` good rounds): up again, and the weights go back.
        writer.set("bj", errorRatio: 0.001)
        document = try await Self.trace(meridian, haproxy, "bj") { HealthFeedClient.state($0, "bj") == "up" }
        seen = try await haproxy.poll("bj back up at 34/33/33") { s in
            Self.centers.allSatisfy { s[$0]?.status == "no check" } && s.weights(Self.centers) == [34, 33, 33]
        }
        try Self.expectFollows(document, seen.stats)
        #expect(seen.stats["BACKEND"]?.weight == 100 && seen.stats["BACKEND"]?.active == 3, "\(seen.stats.raw)")
        Self.note("bj up", seen)

        // 5. An operator drains bj: HAProxy puts it in DRAIN (no new traffic), sh and gz at 50/50.
        document = try await feed.override("bj", "drain", by: "haproxy-test", until: "drain")
        #expect(Self.weights(document) == ["bj": 0, "sh": 50, "gz": 50])
        seen = try await haproxy.poll("bj DRAIN, sh and gz at 50/50") { s in
            s["bj"]?.status == "DRAIN (agent)" && s.weights(["sh", "gz"]) == [50, 50]
        }
        // bj's own column keeps its last percentage (34): `drain` carries no weight. The backend's total
        // (the weight in use) leaves it out, and it no longer counts as an active server.
        #expect(seen.stats["BACKEND"]?.weight == 100 && seen.stats["BACKEND"]?.active == 2, "\(seen.stats.raw)")
        try Self.expectFollows(document, seen.stats)
        Self.note("bj drain", seen)

        // 6. The drain is lifted: the feed says up at once, and HAProxy must take bj back.
        document = try await feed.lift("bj", by: "haproxy-test", until: "up")
        #expect(
            Self.centers.map { HealthFeedClient.weight(document, $0) } == [34, 33, 33], "\(Self.weights(document))")
        let reply = try LineSocket.exchange(port: agentPort, send: "bj\n")
        seen = try await haproxy.poll("bj out of DRAIN at 34/33/33", throwing: false) { s in
            Self.centers.allSatisfy { s[$0]?.status == "no check" } && s.weights(Self.centers) == [34, 33, 33]
        }
        // HAProxy leaves an admin state the agent set only when the agent says `ready`
        // ("only the agent may revert its own actions", configuration.txt, agent-check).
        let backInService = seen.reached
        let noReady = !reply.lowercased().split(whereSeparator: { " \t,\n".contains($0) }).contains("ready")
        #expect(
            backInService,
            """
            HAProxy kept bj in \(seen.stats["bj"]?.status ?? "?") for \(seen.elapsed) after the drain was lifted: \
            the agent now replies \(reply.debugDescription)\(noReady ? ", which has no `ready`, so HAProxy's forced drain stays" : "") \
            (HAProxy's log: \(haproxy.process.log().split(separator: "\n").last ?? "")).
            stats:
            \(seen.stats.raw)
            """)
        if backInService {
            #expect(seen.stats["BACKEND"]?.weight == 100 && seen.stats["BACKEND"]?.active == 3, "\(seen.stats.raw)")
            Self.note("bj out of drain", seen)
        }
        #expect(meridian.isRunning && haproxy.process.isRunning)
    }

    static let centers = ["bj", "sh", "gz"]

    /// The feed's weight for every center.
    static func weights(_ document: [String: Any]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: centers.map { ($0, HealthFeedClient.weight(document, $0)) })
    }

    /// Like ``settle``, also printing each change of `center` as the feed and HAProxy see it
    /// on the way (state and weight in the feed; status and weight in HAProxy).
    static func trace(
        _ meridian: ServerProcess, _ haproxy: HAProxyProcess, _ center: String, timeout: Duration = .seconds(20),
        until done: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let start = ContinuousClock.now
        var last = ""
        var changes: [String] = []
        while true {
            let document = try await HealthFeedClient.document(meridian)
            let row = try haproxy.stats()[center]
            let entry = HealthFeedClient.center(document, center)
            let raw = (entry?["hysteresis"] as? [String: Any])?["raw_state"] as? String ?? "?"
            let health = (entry?["health_score"] as? Double).map { String(format: "%.2f", $0) } ?? "-"
            let now =
                "feed \(HealthFeedClient.state(document, center)) (raw \(raw), health \(health))"
                + " \(HealthFeedClient.weight(document, center))%"
                + ", HAProxy \(row?.status ?? "?") \(row?.weight.map(String.init) ?? "?")"
            if now != last {
                changes.append("\(ContinuousClock.now - start): \(now)")
                last = now
            }
            if done(document) {
                print("HAProxyAgentTests: \(center): " + changes.joined(separator: " | "))
                return document
            }
            guard ContinuousClock.now - start < timeout else {
                throw TestFailure("the feed did not get there within \(timeout): " + changes.joined(separator: " | "))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Every center HAProxy routes to has the feed's weight; the others are DOWN or DRAIN.
    static func expectFollows(
        _ document: [String: Any], _ stats: HAProxyStats, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for center in centers {
            guard let row = stats[center] else { throw TestFailure("no server \(center) in show stat:\n\(stats.raw)") }
            let entry = HealthFeedClient.center(document, center)
            let state = entry?["state"] as? String ?? ""
            let routable = entry?["routable"] as? Bool ?? false
            if state == "drain" {
                #expect(row.status == "DRAIN (agent)", "\(center): \(row.raw)", sourceLocation: sourceLocation)
            } else if routable {
                #expect(row.status == "no check", "\(center) is \(state): \(row.raw)", sourceLocation: sourceLocation)
                #expect(
                    row.weight == HealthFeedClient.weight(document, center),
                    "\(center): feed weight \(HealthFeedClient.weight(document, center)), HAProxy \(row.raw)",
                    sourceLocation: sourceLocation)
            } else {
                #expect(
                    row.status == "DOWN (agent)", "\(center) is \(state): \(row.raw)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Timings, for whoever reads the test log.
    static func note(_ what: String, _ seen: HAProxyProcess.Seen) {
        print("HAProxyAgentTests: \(what) reached in HAProxy \(seen.elapsed) after the feed")
    }
}

/// `show stat` of one HAProxy, by server name (`BACKEND` and `FRONTEND` included).
struct HAProxyStats: Sendable {
    struct Row: Sendable {
        var status: String
        var weight: Int?
        /// `act`: for a server 1 if active (not backup); for the backend, the active servers usable.
        var active: Int?
        /// `last_agt`: the agent's last report, e.g. `via agent : down (error_ratio …)`.
        var lastAgent: String
        var raw: String
    }

    var rows: [String: Row] = [:]
    /// The server rows as HAProxy sent them, with the header.
    var raw: String = ""

    subscript(_ name: String) -> Row? { rows[name] }

    func weights(_ names: [String]) -> [Int?] { names.map { rows[$0]?.weight } }

    /// Parses `show stat`'s CSV (header `# pxname,svname,…`; quoted fields allowed).
    init(csv: String) throws {
        let lines = csv.split(separator: "\n").map(String.init)
        guard let header = lines.first, header.hasPrefix("# ") else {
            throw TestFailure("show stat: no header in \(csv.prefix(300))")
        }
        let columns = Self.fields(String(header.dropFirst(2)))
        func index(_ name: String) throws -> Int {
            guard let i = columns.firstIndex(of: name) else { throw TestFailure("show stat has no column \(name)") }
            return i
        }
        let (sv, status, weight, act, lastAgt) = try (
            index("svname"), index("status"), index("weight"), index("act"), index("last_agt")
        )
        // The raw lines shown in messages stop after the agent's columns (the rest is traffic counters).
        let shownColumns = (columns.firstIndex(of: "agent_health") ?? columns.count - 1) + 1
        let cut = { (line: String) in
            line.split(separator: ",", omittingEmptySubsequences: false).prefix(shownColumns).joined(separator: ",")
        }
        var shown = [cut(header)]
        for line in lines.dropFirst() where !line.hasPrefix("#") {
            let f = Self.fields(line)
            guard f.count > max(sv, status, weight, act, lastAgt) else { continue }
            rows[f[sv]] = Row(
                status: f[status], weight: Int(f[weight]), active: Int(f[act]), lastAgent: f[lastAgt], raw: cut(line))
            if f[sv] != "FRONTEND" { shown.append(cut(line)) }
        }
        raw = shown.joined(separator: "\n")
    }

    /// One CSV line's fields (double quotes group, `""` is a quote).
    static func fields(_ line: String) -> [String] {
        var out: [String] = []
        var field = ""
        var quoted = false
        var justClosed = false
        for c in line {
            if quoted {
                if c == "\"" {
                    quoted = false
                    justClosed = true
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                if justClosed { field.append(c) }
                quoted = true
                justClosed = false
            } else {
                justClosed = false
                if c == "," {
                    out.append(field)
                    field = ""
                } else {
                    field.append(c)
                }
            }
        }
        out.append(field)
        return out
    }
}

/// An HAProxy 2.6 in the foreground (`-db`, no master-worker, no daemon)
/// with one `listen` section and its admin stats socket.
struct HAProxyProcess: Sendable {
    let process: ServerProcess
    let socketPath: String

    /// `$HAPROXY_BIN` or `/usr/sbin/haproxy`; a missing one fails the test.
    static func binary() throws -> String {
        let path = ProcessInfo.processInfo.environment["HAPROXY_BIN"] ?? "/usr/sbin/haproxy"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure("HAProxy not found at \(path): install the Debian package `haproxy` (2.6)")
        }
        return path
    }

    /// The config: a `listen` section balancing over one server per center at
    /// a loopback port nobody listens on, health told by Meridian's agent only.
    static func config(socketPath: String, frontendPort: Int, agentPort: Int, servers: [(name: String, port: Int)])
        -> String
    {
        let lines = servers.map { s in
            "    server \(s.name) 127.0.0.1:\(s.port) weight 100 agent-check agent-addr 127.0.0.1"
                + " agent-port \(agentPort) agent-inter 500ms agent-send \"\(s.name)\\n\""
        }
        return """
            global
                stats socket \(socketPath) mode 600 level admin
                stats timeout 10s

            defaults
                mode tcp
                timeout connect 1s
                timeout client 10s
                timeout server 10s

            listen meridian
                bind 127.0.0.1:\(frontendPort)
                balance roundrobin
            \(lines.joined(separator: "\n"))

            """
    }

    static func start(executable: String, directory: String, agentPort: Int, centers: [String]) throws -> HAProxyProcess
    {
        let dir = directory as NSString
        let socketPath = dir.appendingPathComponent("haproxy.sock")
        let configPath = dir.appendingPathComponent("haproxy.cfg")
        let frontendPort = try ServerProcess.freePort()
        let servers = try centers.map { (name: $0, port: try ServerProcess.freePort()) }
        try config(socketPath: socketPath, frontendPort: frontendPort, agentPort: agentPort, servers: servers)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = try ServerProcess(
            executable: executable, arguments: ["-db", "-f", configPath], port: frontendPort,
            logPath: dir.appendingPathComponent("haproxy.log"))
        return HAProxyProcess(process: process, socketPath: socketPath)
    }

    /// Waits until the stats socket answers.
    func waitUntilReady(timeout: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestFailure("HAProxy exited; its log:\n\(process.log())") }
            if (try? stats()) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("HAProxy's stats socket did not answer within \(timeout); its log:\n\(process.log())")
    }

    func stats() throws -> HAProxyStats { try HAProxyStats(csv: command("show stat")) }

    struct Seen {
        var stats: HAProxyStats
        var reached: Bool
        var elapsed: Duration
    }

    /// Reads `show stat` every 100 ms until `done` holds (or `timeout`:
    /// thrown, unless `throwing` is false, then returned as not reached).
    func poll(
        _ what: String, timeout: Duration = .seconds(15), throwing: Bool = true, until done: (HAProxyStats) -> Bool
    ) async throws -> Seen {
        let start = ContinuousClock.now
        var last = try stats()
        while !done(last) {
            guard ContinuousClock.now - start < timeout else {
                if throwing {
                    throw TestFailure("HAProxy did not reach \"\(what)\" within \(timeout); show stat:\n\(last.raw)")
                }
                return Seen(stats: last, reached: false, elapsed: ContinuousClock.now - start)
            }
            try await Task.sleep(for: .milliseconds(100))
            last = try stats()
        }
        return Seen(stats: last, reached: true, elapsed: ContinuousClock.now - start)
    }

    /// One command on the stats socket (non-interactive: HAProxy answers and closes).
    func command(_ text: String) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket(AF_UNIX) failed") }
        defer { close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            throw TestFailure("socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, byte) in path.enumerated() { raw[i] = byte }
            raw[path.count] = 0
        }
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
        guard connected else { throw TestFailure("cannot connect to \(socketPath): errno \(errno)") }
        let request = Array((text + "\n").utf8)
        var offset = 0
        while offset < request.count {
            let n = request[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw TestFailure("write to \(socketPath) failed: errno \(errno)") }
            offset += n
        }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
