import Foundation
import TestSupport
import Testing

/// The health feed driving a real PowerDNS Authoritative 4.7 (bind backend)
/// through a LUA record: `ifurlextup` polls Meridian's `/probe/{center}` for
/// each center's address and answers only those that are up.
///
/// How PowerDNS 4.7 decides (`pdns/lua-record.cc`, `pdns/minicurl.cc`):
/// - a URL is up when it answers HTTP 200 (any other status, a timeout of 2 s
///   or a refused connection is down), and with `stringmatch` only if the body
///   contains that string. Meridian's DRAIN is a 200, so `stringmatch='UP'`
///   takes a drained center out; DEGRADED (429) and DOWN (503) are down anyway;
/// - checks run on a thread of their own every `lua-health-checks-interval`
///   seconds (1 here, 5 by default), for every URL asked about since the last
///   `lua-health-checks-expire-delay` seconds; an answer reads the last result;
/// - a URL not checked yet counts as down, so the first answers, with every
///   address down, come from `backupSelector` (`all` here: every address;
///   the default `random` would give one);
/// - `selector` picks among the addresses up; its default, `random`, gives
///   one, so `selector='all'` is what returns the whole set.
@Suite(.serialized) struct PowerDNSLuaTests {
    static let addresses = ["bj": "192.0.2.1", "sh": "192.0.2.2", "gz": "192.0.2.3"]
    static let all: Set<String> = ["192.0.2.1", "192.0.2.2", "192.0.2.3"]

    @Test(.timeLimit(.minutes(4))) func luaRecordAnswersFollowTheProbes() async throws {
        let tools = try PowerDNSProcess.tools()
        let dir = try TemporaryDirectory("pdns-lua")
        defer { dir.remove() }

        let feed = try await HealthFeedRun.start(dir, HealthFeedClient.yaml())
        defer { feed.stop() }
        let (meridian, writer) = (feed.server, feed.writer)
        _ = try await feed.settleAllUp()

        let pdns = try PowerDNSProcess.start(tools, directory: dir.path, meridianPort: meridian.port)
        defer { pdns.process.terminate() }
        try await pdns.waitUntilReady()

        // 1. Everyone healthy: all three, once PowerDNS has checked each probe (before that, the
        //    fallback also gives all three, so wait for the checks themselves).
        try await pdns.waitForLog(timeout: .seconds(15)) { log in
            ["bj", "sh", "gz"].allSatisfy { log.contains("UP for URL \(meridian.baseURL)/probe/\($0)!") }
        }
        var seen = try await pdns.poll("all three", until: Self.all)
        #expect(seen.answer == Self.all, "\(seen.history)")

        // 2. bj fails: once the feed says down (503), its address goes.
        writer.set("bj", errorRatio: 0.5)
        _ = try await HealthFeedClient.settle(meridian) { HealthFeedClient.state($0, "bj") == "down" }
        let probe = try await TestHTTP.get(meridian.baseURL + "/probe/bj")
        #expect(probe.status == 503 && probe.text.hasPrefix("DOWN"), "\(probe.status) \(probe.text)")
        seen = try await pdns.poll("no bj", until: Self.all.subtracting(["192.0.2.1"]))
        Self.note("bj down", seen)

        // 3. bj recovers: its address comes back.
        writer.set("bj", errorRatio: 0.001)
        _ = try await HealthFeedClient.settle(meridian) { HealthFeedClient.state($0, "bj") == "up" }
        seen = try await pdns.poll("bj back", until: Self.all)
        Self.note("bj up", seen)

        // 4. sh degraded: still routable in the feed, but its probe answers 429, which is down for ifurlextup.
        writer.set("sh", errorRatio: 0.03)
        let degraded = try await HealthFeedClient.settle(meridian) { HealthFeedClient.state($0, "sh") == "degraded" }
        #expect(HealthFeedClient.center(degraded, "sh")?["routable"] as? Bool == true)
        let degradedProbe = try await TestHTTP.get(meridian.baseURL + "/probe/sh")
        #expect(degradedProbe.status == 429, "\(degradedProbe.status) \(degradedProbe.text)")
        seen = try await pdns.poll("no sh while degraded", until: Self.all.subtracting(["192.0.2.2"]))
        Self.note("sh degraded", seen)
        writer.set("sh", errorRatio: 0.001)
        _ = try await HealthFeedClient.settle(meridian) { HealthFeedClient.state($0, "sh") == "up" }
        seen = try await pdns.poll("sh back", until: Self.all)

        // 5. gz drained by an operator: its probe says 200 DRAIN, which only `stringmatch='UP'` rejects.
        _ = try await feed.override("gz", "drain", by: "pdns-test", until: "drain")
        let drainProbe = try await TestHTTP.get(meridian.baseURL + "/probe/gz")
        #expect(drainProbe.status == 200 && drainProbe.text.hasPrefix("DRAIN"), "\(drainProbe.text)")
        seen = try await pdns.poll("no gz while drained", until: Self.all.subtracting(["192.0.2.3"]))
        Self.note("gz drain", seen)
        _ = try await feed.lift("gz", by: "pdns-test", until: "up")
        seen = try await pdns.poll("gz back", until: Self.all)
        Self.note("gz lifted", seen)

        #expect(meridian.isRunning && pdns.process.isRunning)
    }

    /// Timings, for whoever reads the test log.
    static func note(_ what: String, _ seen: PowerDNSProcess.Seen) {
        print("PowerDNSLuaTests: \(what) answered by PowerDNS \(seen.elapsed) after the feed")
    }
}

/// A PowerDNS Authoritative 4.7 in the foreground, serving `example.test`
/// from a zone file through the bind backend, with LUA records on.
struct PowerDNSProcess: Sendable {
    struct Tools: Sendable {
        var server: String
        var dig: String
    }

    let process: ServerProcess
    let dig: String
    /// Its UDP and TCP port on 127.0.0.1.
    var port: Int { process.port }

    /// `pdns_server`, its bind backend and `dig`; each one missing fails the test, naming its Debian package.
    static func tools() throws -> Tools {
        let env = ProcessInfo.processInfo.environment
        let server = env["PDNS_SERVER_BIN"] ?? "/usr/sbin/pdns_server"
        guard FileManager.default.isExecutableFile(atPath: server) else {
            throw TestFailure("pdns_server not found at \(server): install the Debian package `pdns-server` (4.7)")
        }
        let libs = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib")) ?? []
        let backends = (["/usr/lib"] + libs.map { "/usr/lib/\($0)" }).map { $0 + "/pdns/libbindbackend.so" }
        guard env["PDNS_SERVER_BIN"] != nil || backends.contains(where: FileManager.default.fileExists(atPath:)) else {
            throw TestFailure(
                "PowerDNS' bind backend (libbindbackend.so) not found: install the Debian package `pdns-backend-bind`")
        }
        let dig = env["DIG_BIN"] ?? "/usr/bin/dig"
        guard FileManager.default.isExecutableFile(atPath: dig) else {
            throw TestFailure("dig not found at \(dig): install the Debian package `bind9-dnsutils`")
        }
        return Tools(server: server, dig: dig)
    }

    /// The zone: SOA, NS, and `www` as one LUA A record over the three centers' probes.
    static func zone(meridianPort: Int) -> String {
        let probe = "http://127.0.0.1:\(meridianPort)/probe"
        let units = PowerDNSLuaTests.addresses.sorted { $0.value < $1.value }
            .map { "['\($0.value)']='\(probe)/\($0.key)'" }.joined(separator: ", ")
        return """
            $TTL 1
            @    IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 1
            @    IN NS  ns1.example.test.
            ns1  IN A   127.0.0.1
            www  IN LUA A "ifurlextup({{\(units)}}, {selector='all', backupSelector='all', stringmatch='UP', timeout='1'})"

            """
    }

    static func config(directory: String, port: Int) -> String {
        """
        launch=bind
        bind-config=\(directory)/named.conf
        local-address=127.0.0.1:\(port)
        socket-dir=\(directory)
        guardian=no
        daemon=no
        disable-syslog=yes
        loglevel=6
        enable-lua-records=yes
        lua-health-checks-interval=1
        lua-health-checks-expire-delay=3600
        cache-ttl=0
        query-cache-ttl=0
        negquery-cache-ttl=0
        security-poll-suffix=
        receiver-threads=1
        distributor-threads=1

        """
    }

    static func start(_ tools: Tools, directory: String, meridianPort: Int) throws -> PowerDNSProcess {
        let dir = (directory as NSString).appendingPathComponent("pdns")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let port = try ServerProcess.freePort()
        try zone(meridianPort: meridianPort).write(
            toFile: dir + "/example.test.zone", atomically: true, encoding: .utf8)
        try #"zone "example.test" { type master; file "\#(dir)/example.test.zone"; };"#.appending("\n")
            .write(toFile: dir + "/named.conf", atomically: true, encoding: .utf8)
        try config(directory: dir, port: port).write(toFile: dir + "/pdns.conf", atomically: true, encoding: .utf8)
        let process = try ServerProcess(
            executable: tools.server, arguments: ["--config-dir=\(dir)"], port: port, logPath: dir + "/pdns.log")
        return PowerDNSProcess(process: process, dig: tools.dig)
    }

    /// Waits until the zone's SOA is served.
    func waitUntilReady(timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestFailure("pdns_server exited; its log:\n\(process.log())") }
            if let soa = try? query("example.test", "SOA"), !soa.isEmpty { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("PowerDNS did not serve example.test within \(timeout); its log:\n\(process.log())")
    }

    /// Asks for `www` (its checks start with the first question) until PowerDNS' log satisfies `done`.
    func waitForLog(timeout: Duration, _ done: (String) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !done(process.log()) {
            _ = try answer()
            guard ContinuousClock.now < deadline else {
                throw TestFailure("PowerDNS did not check every probe within \(timeout); its log:\n\(process.log())")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// `dig @127.0.0.1 -p <port> <name> <type> +short`, one line per record.
    func query(_ name: String, _ type: String) throws -> [String] {
        let dig = Process()
        dig.executableURL = URL(fileURLWithPath: self.dig)
        dig.arguments = ["@127.0.0.1", "-p", String(port), name, type, "+short", "+time=1", "+tries=1"]
        let out = Pipe()
        dig.standardOutput = out
        dig.standardError = FileHandle.nullDevice
        try dig.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        dig.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard dig.terminationStatus == 0 else { throw TestFailure("dig exited \(dig.terminationStatus): \(text)") }
        return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `www.example.test`'s A records.
    func answer() throws -> Set<String> { Set(try query("www.example.test", "A")) }

    struct Seen {
        var answer: Set<String>
        /// Every answer while polling, with the time it came.
        var history: [(Duration, [String])]
        var elapsed: Duration
    }

    /// Asks every 200 ms until the answer is `expected` for 2 s in a row
    /// (two check rounds), or throws after `timeout` with every answer seen.
    func poll(_ what: String, timeout: Duration = .seconds(20), until expected: Set<String>) async throws -> Seen {
        let start = ContinuousClock.now
        var history: [(Duration, [String])] = []
        var since: ContinuousClock.Instant?
        var reachedAt: Duration?
        while true {
            let now = ContinuousClock.now
            let answer = try self.answer()
            if history.last?.1 != answer.sorted() { history.append((now - start, answer.sorted())) }
            if answer == expected {
                if since == nil { (since, reachedAt) = (now, now - start) }
                if now - since! >= .seconds(2) {
                    return Seen(answer: answer, history: history, elapsed: reachedAt!)
                }
            } else {
                (since, reachedAt) = (nil, nil)
            }
            guard now - start < timeout else {
                throw TestFailure(
                    "PowerDNS did not answer \(expected.sorted()) (\(what)) steadily within \(timeout); answers: "
                        + history.map { "\($0.0): \($0.1)" }.joined(separator: "; ")
                        + "\nits log:\n\(process.log().suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
