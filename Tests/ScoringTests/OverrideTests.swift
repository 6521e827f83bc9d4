import Testing

@testable import Scoring

/// Drain, force down and force up; expiry, lifting and replaying the log.
@Suite struct OverrideTests {
    /// Centers a and b, each with checkout; a also with search.
    static let values: [String: Double] = ["a": 1, "b": 1, "a/checkout": 1, "a/search": 1, "b/checkout": 1]

    @Test func drainingACenterTakesItAndItsServicesOut() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        let set = rounds.engine.setOverride(override(.drain, "a", at: 999, until: 2000))
        #expect(
            set
                == AuditEvent(
                    time: 999, kind: .overrideSet, target: key("a"), to: "drain", reason: "maintenance", by: "alice",
                    expiresAt: 2000))
        let r = rounds.run(quality: Self.values)
        #expect(r["a"]?.state == .drain)
        #expect(r["a"]?.evaluated == .up, "the scores go on underneath")
        #expect(r["a"]?.routable == false)
        #expect(r["a"]?.override?.action == .drain)
        #expect(r["a"]?.reasons.first == "override drain by alice: maintenance")
        #expect(r.weights == ["a": 0, "b": 100])
        #expect(r["a/checkout"]?.state == .drain)
        #expect(r["a/checkout"]?.override?.target == key("a"), "the center's override")
        #expect(r["a/search"]?.state == .drain)
        #expect(r.weights(of: "checkout") == ["a": 0, "b": 100])
        #expect(r.weights(of: "search") == ["a": 0], "nobody else offers it, and a drain is not failed open")
        #expect(r["b/checkout"]?.override == nil)
    }

    @Test func aServicesOwnOverrideBeatsItsCenters() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        _ = rounds.engine.setOverride(override(.drain, "a", at: 999, until: 2000))
        _ = rounds.engine.setOverride(override(.up, "a/checkout", at: 999, until: 2000, reason: "canary"))
        let r = rounds.run(quality: Self.values)
        #expect(r["a/checkout"]?.state == .up)
        #expect(r["a/checkout"]?.routable == true)
        #expect(r["a/checkout"]?.reasons.first == "override up by alice: canary")
        #expect(r.weights(of: "checkout") == ["a": 50, "b": 50])
        #expect(r["a/search"]?.state == .drain)
        #expect(r["a"]?.state == .drain)
    }

    @Test func anOverrideExpiresAtExactlyItsExpiryTime() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        rounds.run(quality: Self.values)
        _ = rounds.engine.setOverride(override(.drain, "a", at: 1002, until: 1015))
        let drained = (0..<2).map { _ in rounds.run(quality: Self.values) }
        #expect(drained.map { $0["a"]?.state } == [.drain, .drain])
        #expect(drained[0].events.map(\.kind) == [.state, .state, .state])
        #expect(drained[1].events.isEmpty)

        let expired = rounds.run(quality: Self.values)
        #expect(expired.snapshot.generatedAt == 1015)
        #expect(expired["a"]?.state == .up)
        #expect(expired["a"]?.override == nil)
        #expect(rounds.engine.overrides.active.isEmpty)
        #expect(
            expired.events.first
                == AuditEvent(
                    time: 1015, kind: .overrideExpired, target: key("a"), from: "drain",
                    reason: "expired (set by alice: maintenance)", by: "alice"))
        #expect(expired.events.map(\.kind) == [.overrideExpired, .state, .state, .state])
        #expect(expired.events.dropFirst().map(\.target) == [key("a"), key("a/checkout"), key("a/search")])
        #expect(expired.events.dropFirst().allSatisfy { $0.from == "drain" && $0.to == "up" })
    }

    @Test func liftingAnOverrideEmitsOverrideLifted() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        _ = rounds.engine.setOverride(override(.drain, "a", at: 999, until: 2000))
        #expect(rounds.run(quality: Self.values)["a"]?.state == .drain)
        let lifted = rounds.engine.liftOverride(key("a"), by: "bob", reason: "done", now: 1003)
        #expect(
            lifted
                == AuditEvent(
                    time: 1003, kind: .overrideLifted, target: key("a"), from: "drain", reason: "done", by: "bob"))
        #expect(rounds.engine.liftOverride(key("a"), by: "bob", reason: "again", now: 1004) == nil)
        #expect(rounds.engine.liftOverride(key("b/checkout"), by: "bob", reason: "none", now: 1004) == nil)
        let r = rounds.run(quality: Self.values)
        #expect(r["a"]?.state == .up)
        #expect(r.weights == ["a": 50, "b": 50])
        #expect(r.events.first?.reason == "health 1 >= 0.8 (up_at)")
    }

    @Test func aNewOverrideReplacesTheOldOneOnItsTarget() {
        var book = OverrideBook()
        _ = book.set(override(.drain, "a", at: 1000, until: 2000))
        _ = book.set(override(.down, "a", at: 1100, until: 1500, by: "bob", reason: "fire"))
        #expect(book.active.count == 1)
        #expect(book.active[key("a")]?.action == .down)
        #expect(book.applying(to: key("a/checkout"))?.by == "bob")
        #expect(book.applying(to: key("b")) == nil)
    }

    @Test func expiringReturnsOnlyWhatIsDueInKeyOrder() {
        var book = OverrideBook()
        _ = book.set(override(.drain, "b", at: 1000, until: 1100))
        _ = book.set(override(.drain, "a/x", at: 1000, until: 1050))
        _ = book.set(override(.up, "a", at: 1000, until: 1101))
        #expect(book.expire(now: 1049).isEmpty)
        let due = book.expire(now: 1100)
        #expect(due.map(\.target) == [key("a/x"), key("b")])
        #expect(due.map(\.time) == [1050, 1100], "each at its own expiry time")
        #expect(book.active.keys.map(\.description) == ["a"])
    }

    @Test func replayingTheLogRebuildsTheBookAndDropsExpiredOverrides() {
        let log = [
            OverrideBook().settingEvent(override(.drain, "a", at: 1000, until: 5000)),
            OverrideBook().settingEvent(override(.down, "b", at: 1000, until: 1500)),
            OverrideBook().settingEvent(override(.up, "c", at: 1100, until: 5000)),
            AuditEvent(time: 1200, kind: .overrideLifted, target: key("c"), from: "up", reason: "done", by: "bob"),
            AuditEvent(time: 1250, kind: .state, target: key("c"), from: "up", to: "down", reason: "health 0"),
            OverrideBook().settingEvent(override(.drain, "d", at: 1300, until: 1400)),
            AuditEvent(
                time: 1400, kind: .overrideExpired, target: key("d"), from: "drain", reason: "expired", by: "alice"),
            OverrideBook().settingEvent(
                override(.up, "a/checkout", at: 1450, until: 1700, by: "carol", reason: "canary")),
            OverrideBook().settingEvent(override(.up, "a", at: 1500, until: 6000, by: "bob", reason: "known good")),
            AuditEvent(time: 1550, kind: .overrideSet, target: key("e"), to: "sideways", reason: "?", expiresAt: 9000),
            AuditEvent(time: 1550, kind: .overrideSet, target: key("f"), to: "drain", reason: "no expiry"),
        ]
        let book = OverrideBook.replaying(log, now: 1600)
        #expect(book.active.keys.sorted() == [key("a"), key("a/checkout")])
        #expect(book.active[key("a")] == override(.up, "a", at: 1500, until: 6000, by: "bob", reason: "known good"))
        #expect(
            book.active[key("a/checkout")]
                == override(.up, "a/checkout", at: 1450, until: 1700, by: "carol", reason: "canary"))
        #expect(
            OverrideBook.replaying(log, now: 1700).active.keys.sorted() == [key("a")], "expiry at exactly expiresAt")
        #expect(OverrideBook.replaying(log, now: 6000).active.isEmpty)
    }

    @Test func replayingTheEnginesOwnEventsGivesItsBook() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        var log: [AuditEvent] = []
        log.append(rounds.engine.setOverride(override(.drain, "a", at: 999, until: 1010)))
        log.append(rounds.engine.setOverride(override(.down, "b/checkout", at: 999, until: 3000)))
        log.append(rounds.engine.setOverride(override(.up, "b", at: 999, until: 3000)))
        for _ in 0..<3 { log += rounds.run(quality: Self.values).events }
        if let lifted = rounds.engine.liftOverride(key("b"), by: "bob", reason: "done", now: 1012) {
            log.append(lifted)
        }
        #expect(OverrideBook.replaying(log, now: 1012) == rounds.engine.overrides)
        #expect(rounds.engine.overrides.active.keys.sorted() == [key("b/checkout")])
    }

    @Test func anEngineStartsFromAReplayedBook() {
        let book = OverrideBook.replaying(
            [OverrideBook().settingEvent(override(.drain, "a", at: 900, until: 2000))], now: 1000)
        var engine = HealthEngine(rules: makeRules(centers("a", "b")), overrides: book)
        var input = RoundInput(time: 1000)
        input.values["quality"] = [SignalValue(center: "a", value: 1), SignalValue(center: "b", value: 1)]
        input.freshness = ["a": fresh(), "b": fresh()]
        let (snapshot, _) = engine.evaluate(input)
        #expect(snapshot.entity(key("a"))?.state == .drain)
    }

    @Test func forceUpBeatsAVeto() {
        var rounds = Rounds(makeRules(centers("a", "b"), signals: [.errors]))
        _ = rounds.engine.setOverride(override(.up, "a", at: 999, until: 2000, reason: "the signal is wrong"))
        let r = rounds.run(["error_ratio": ["a": 0.31, "b": 0]])
        #expect(r["a"]?.evaluated == .down)
        #expect(r["a"]?.state == .up)
        #expect(r["a"]?.routable == true)
        #expect(
            r["a"]?.reasons.prefix(2) == ["override up by alice: the signal is wrong", "veto: error_ratio 0.31 > 0.2"])
        #expect(r.weights == ["a": 50, "b": 50], "up, whatever the scores say")
        #expect(r.snapshot.failOpen == nil)
        #expect(r.region("default")?.centers == ["b", "a"], "both up: the healthier first")
    }

    @Test func forceDownTakesAHealthyCenterOut() {
        var rounds = Rounds(makeRules(centers("a", "b")))
        _ = rounds.engine.setOverride(override(.down, "a", at: 999, until: 2000))
        let r = rounds.run(quality: Self.values)
        #expect(r["a"]?.state == .down)
        #expect(r["a"]?.evaluated == .up)
        #expect(r["a"]?.routable == false)
        #expect(r["a/checkout"]?.state == .down)
        #expect(r.weights == ["a": 0, "b": 100])
    }

    @Test func aForcedDownCenterStaysOutOfFailOpen() {
        var rounds = Rounds(makeRules(centers("a", "b", "c")))
        _ = rounds.engine.setOverride(override(.down, "a", at: 999, until: 2000))
        let r = rounds.run(quality: ["a": 1, "b": 0, "c": 0])
        #expect(r.snapshot.failOpen?.hasSuffix("routing to all 2 not taken out by an override") == true)
        #expect(r.weights == ["a": 0, "b": 50, "c": 50])
    }

    @Test(
        arguments: [
            ("bj", EntityKey(center: "bj")), ("bj/checkout", EntityKey(center: "bj", service: "checkout")),
            ("", nil), ("/", nil), ("bj/", nil), ("/checkout", nil), ("bj/checkout/x", nil),
        ] as [(String, EntityKey?)])
    func targetsParseAsCenterOrCenterSlashService(text: String, parsed: EntityKey?) {
        #expect(EntityKey(parsing: Substring(text)) == parsed)
        if let parsed { #expect(parsed.description == text) }
    }

    @Test func actionsForceTheirStates() {
        #expect(Override.Action.allCases.map(\.state) == [.drain, .down, .up])
        #expect(Override.Action.allCases.map(\.state.routable) == [false, false, true])
    }
}

extension OverrideBook {
    /// The event that setting `override` logs.
    fileprivate func settingEvent(_ override: Override) -> AuditEvent {
        var book = self
        return book.set(override)
    }
}
