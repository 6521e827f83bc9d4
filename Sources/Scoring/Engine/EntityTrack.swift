/// One entity's memory across rounds: its evaluated state, the streaks that
/// move it, and when its data went missing.
///
/// The rules, as HAProxy's rise and fall:
/// - a round whose signals say worse than the state adds to the bad streak;
///   at `fall` the state becomes what that round said;
/// - a round that says better adds to the good streak; at `rise` the state
///   becomes what that round said;
/// - a round that agrees with the state clears both streaks;
/// - no fresh data makes the entity `unknown` at once (its last known state
///   still routes), and `down` once `grace` has passed; data back within the
///   grace resumes the last known state, so a missed scrape costs nothing;
/// - the very first round takes its state as it is: there is no history to
///   be hysteretic about.
struct EntityTrack: Sendable {
    /// The evaluated state (before overrides).
    private(set) var state: HealthState
    private(set) var since: Double
    /// The last state other than `unknown`, which routing keeps during the grace.
    private(set) var lastKnown: HealthState
    private(set) var badStreak = 0
    private(set) var goodStreak = 0
    /// When the data went missing; nil while it is fresh.
    private(set) var unknownSince: Double?
    /// The state when the data went missing (its last known one), for the reasons.
    private(set) var stateWhenDataStopped: HealthState = .up
    /// The last round that had data.
    private(set) var lastSeen: Double

    /// A track starting at `raw` (the first round).
    init(raw: HealthState, now: Double) {
        state = raw
        since = now
        lastKnown = raw == .unknown ? .up : raw
        unknownSince = raw == .unknown ? now : nil
        lastSeen = now
    }

    /// Takes one round whose signals say `raw` (up, degraded or down).
    /// Returns true when the state changed.
    mutating func observe(_ raw: HealthState, fall: Int, rise: Int, now: Double) -> Bool {
        let before = state
        lastSeen = now
        // Data back within the grace: carry on from the last known state.
        if state == .unknown { move(to: lastKnown, now: now) }
        unknownSince = nil
        if raw == state {
            badStreak = 0
            goodStreak = 0
        } else if raw > state {
            goodStreak = 0
            badStreak += 1
            if badStreak >= fall { move(to: raw, now: now) }
        } else {
            badStreak = 0
            goodStreak += 1
            if goodStreak >= rise { move(to: raw, now: now) }
        }
        return state != before
    }

    /// Takes a round without fresh data. Returns true when the state changed.
    mutating func observeMissing(grace: Double, now: Double) -> Bool {
        badStreak = 0
        goodStreak = 0
        if unknownSince == nil { stateWhenDataStopped = state == .unknown ? lastKnown : state }
        let missingSince = unknownSince ?? now
        unknownSince = missingSince
        if state == .down { return false }
        if now - missingSince >= grace { return move(to: .down, now: now) }
        if state != .unknown { return move(to: .unknown, now: now) }
        return false
    }

    /// Seconds the data has been missing, or nil.
    func missingFor(now: Double) -> Double? { unknownSince.map { now - $0 } }

    @discardableResult
    private mutating func move(to new: HealthState, now: Double) -> Bool {
        guard new != state else { return false }
        if new != .unknown { lastKnown = new }
        state = new
        since = now
        badStreak = 0
        goodStreak = 0
        return true
    }
}
