/// The scoring engine's state and its one operation: take a round's signal
/// values and freshness, and give every center and service a score, a
/// state, a weight and the reasons for them.
///
/// A pure value: time comes in with each round (and each override call),
/// so its tests drive it round by round with no server and no clock.
public struct HealthEngine: Sendable {
    public let rules: ScoringRules
    /// Overrides in force; set and lifted through ``setOverride(_:)`` and
    /// ``liftOverride(_:by:reason:now:)``.
    public private(set) var overrides = OverrideBook()
    var tracks: [EntityKey: EntityTrack] = [:]
    /// Each entity's served state after the last round, to log changes.
    var served: [EntityKey: (state: HealthState, since: Double)] = [:]
    /// Services seen per center (discovered ones are dropped after `forget_after` without data).
    var knownServices: [String: [String: Double]] = [:]
    var knownCenters: Set<String> = []
    /// Rounds evaluated so far.
    public private(set) var rounds = 0

    public init(rules: ScoringRules, overrides: OverrideBook = OverrideBook()) {
        self.rules = rules
        enabledSignals = rules.signals.filter(\.enabled)
        self.overrides = overrides
        knownCenters = Set(rules.centers.map(\.name))
    }

    /// Puts an override in force; returns its audit event.
    public mutating func setOverride(_ override: Override) -> AuditEvent { overrides.set(override) }

    /// Lifts the override on `target`; nil when none is set.
    public mutating func liftOverride(_ target: EntityKey, by: String, reason: String, now: Double) -> AuditEvent? {
        overrides.lift(target, by: by, reason: reason, now: now)
    }

    /// Evaluates one round.
    /// - Returns: the snapshot to serve, and the audit events of the round
    ///   (overrides that expired, then state changes, by entity).
    /// - Complexity: O(signal values + entities × signals + regions × centers × log centers).
    public mutating func evaluate(_ input: RoundInput) -> (HealthSnapshot, [AuditEvent]) {
        let now = input.time
        var events = overrides.expire(now: now)
        let index = SignalIndex(input: input, signals: enabledSignals)
        noteEntities(index: index, input: input)

        rounds += 1
        var snapshot = HealthSnapshot(generatedAt: now, staleAfter: now + 3 * rules.interval)
        snapshot.round = rounds
        snapshot.failures = input.failures
        for center in knownCenters.sorted() {
            let freshness = input.freshness[center]
            var services: [EntityHealth] = []
            for service in (knownServices[center] ?? [:]).keys.sorted() {
                let key = EntityKey(center: center, service: service)
                let card = ScoreCard(signals: enabledSignals, values: index.values[key] ?? [:], rules: rules)
                services.append(judge(key, card: card, freshness: freshness, now: now))
            }
            let card = ScoreCard(
                signals: enabledSignals, values: index.values[EntityKey(center: center)] ?? [:],
                services: services.map { ($0.key.service!, $0.signals) }, rules: rules)
            let rule = rules.center(center)
            snapshot.centers.append(
                CenterHealth(
                    health: judge(EntityKey(center: center), card: card, freshness: freshness, now: now),
                    services: services, capacity: rule.capacity, answers: rule.answers, serves: rule.serves))
        }
        route(&snapshot)
        snapshot.regions = regionAnswers(snapshot)
        events += stateChanges(&snapshot, now: now)
        return (snapshot, events)
    }

    /// The signals evaluated (`enabled: true`), in config order.
    let enabledSignals: [SignalRule]

    /// Adds the centers and services this round mentions, and forgets
    /// discovered services silent for `forget_after`.
    private mutating func noteEntities(index: SignalIndex, input: RoundInput) {
        knownCenters.formUnion(input.freshness.keys)
        for key in index.values.keys {
            knownCenters.insert(key.center)
            if let service = key.service { knownServices[key.center, default: [:]][service] = input.time }
        }
        for center in knownCenters {
            for service in rules.services { knownServices[center, default: [:]][service] = input.time }
            knownServices[center] = knownServices[center]?.filter { input.time - $0.value < rules.forgetAfter }
        }
    }

    /// Moves one entity's track by this round and states the verdict (before routing).
    private mutating func judge(
        _ key: EntityKey, card: ScoreCard, freshness: CenterFreshness?, now: Double
    ) -> EntityHealth {
        let staleness = staleReason(freshness, card: card)
        var track = tracks[key] ?? EntityTrack(raw: staleness == nil ? card.raw : .unknown, now: now)
        if staleness == nil {
            _ = track.observe(card.raw, fall: rules.fall, rise: rules.rise, now: now)
        } else {
            _ = track.observeMissing(grace: rules.grace, now: now)
        }
        tracks[key] = track
        var reasons: [String] = []
        if let staleness {
            let missing = track.missingFor(now: now) ?? 0
            reasons.append(
                track.state == .down
                    ? "\(staleness) for \(seconds(missing)), past the \(seconds(rules.grace)) grace"
                    : "\(staleness) for \(seconds(missing)); down after \(seconds(rules.grace))")
            // Whether the center was healthy when its data stopped: a cut link
            // in front of a healthy center is not a failing center.
            reasons.append("last known state \(track.stateWhenDataStopped.rawValue) before its data stopped")
        } else if track.state != card.raw {
            let (streak, needed, word) =
                card.raw > track.state ? (track.badStreak, rules.fall, "fall") : (track.goodStreak, rules.rise, "rise")
            reasons.append(
                "\(track.state.rawValue) until \(needed) rounds say \(card.raw.rawValue) (\(word)): \(streak) so far")
        }
        reasons += card.reasons
        let override = overrides.applying(to: key)
        if let override {
            reasons.insert(
                "override \(override.action.rawValue) by \(override.by): \(override.reason)", at: 0)
        }
        let routableDuringGrace = track.state == .unknown && track.lastKnown.routable
        return EntityHealth(
            key: key, state: override?.action.state ?? track.state, evaluated: track.state, since: track.since,
            health: card.health, latency: card.latency, weight: 0,
            routable: override.map { $0.action.state.routable } ?? (track.state.routable || routableDuringGrace),
            reasons: reasons, signals: card.contributions,
            hysteresis: HysteresisReport(
                raw: staleness == nil ? card.raw : .unknown, badStreak: track.badStreak, goodStreak: track.goodStreak,
                fall: rules.fall, rise: rules.rise),
            override: override, failOpen: nil)
    }

    /// Why an entity has no fresh data, or nil when it has.
    private func staleReason(_ freshness: CenterFreshness?, card: ScoreCard) -> String? {
        guard let freshness else { return "no data from the center" }
        // A link known to be down is the cause, whether or not any data ever arrived.
        if freshness.linkDown {
            let last = freshness.newestSampleAge.map { " (last data \(seconds($0)) old)" } ?? ""
            return "the center's link to this layer is down\(last)"
        }
        guard let age = freshness.newestSampleAge else { return "no data from the center" }
        if age > rules.staleAfter { return "no new data from the center (newest \(seconds(age)) old)" }
        if !card.hasData { return "no signal has data" }
        return nil
    }

    /// The audit events of entities whose served state changed this round.
    /// Also sets each entity's `since` to when its served state began.
    private mutating func stateChanges(_ snapshot: inout HealthSnapshot, now: Double) -> [AuditEvent] {
        var events: [AuditEvent] = []
        var seen: [EntityKey: (state: HealthState, since: Double)] = [:]
        func note(_ entity: inout EntityHealth) {
            let old = served[entity.key]
            if let old, old.state == entity.state {
                entity.since = old.since
            } else if old != nil {
                entity.since = now
            }
            seen[entity.key] = (entity.state, entity.since)
            guard let old, old.state != entity.state else { return }
            events.append(
                AuditEvent(
                    time: now, kind: .state, target: entity.key, from: old.state.rawValue, to: entity.state.rawValue,
                    reason: entity.reasons.first ?? ""))
        }
        for c in snapshot.centers.indices {
            note(&snapshot.centers[c].health)
            for s in snapshot.centers[c].services.indices { note(&snapshot.centers[c].services[s]) }
        }
        served = seen
        return events
    }
}

/// Seconds as explanations show them: `12s`, `1.5s`.
func seconds(_ value: Double) -> String { "\(format(value))s" }

/// A round's signal values by entity and signal position, built in one pass.
struct SignalIndex {
    var values: [EntityKey: [Int: [Double]]] = [:]

    init(input: RoundInput, signals: [SignalRule]) {
        for (position, signal) in signals.enumerated() {
            for value in input.values[signal.name] ?? [] {
                values[EntityKey(center: value.center, service: value.service), default: [:]][position, default: []]
                    .append(value.value)
            }
        }
    }
}
