/// Who gets traffic: fail-open, weights, and each region's preference list.
extension HealthEngine {
    /// Sets every entity's weight and fail-open flag: centers among centers,
    /// and each service among the centers offering it.
    func route(_ snapshot: inout HealthSnapshot) {
        var group = snapshot.centers.indices.map {
            (capacity: snapshot.centers[$0].capacity, entity: snapshot.centers[$0].health)
        }
        snapshot.failOpen = share(&group, what: "centers")
        for i in snapshot.centers.indices { snapshot.centers[i].health = group[i].entity }

        var byService: [String: [(center: Int, service: Int)]] = [:]
        for (c, center) in snapshot.centers.enumerated() {
            for (s, service) in center.services.enumerated() {
                byService[service.key.service!, default: []].append((c, s))
            }
        }
        for (name, members) in byService.sorted(by: { $0.key < $1.key }) {
            var group = members.map {
                (
                    capacity: snapshot.centers[$0.center].capacity,
                    entity: snapshot.centers[$0.center].services[$0.service]
                )
            }
            _ = share(&group, what: "centers offering \(name)")
            for (i, member) in members.enumerated() {
                snapshot.centers[member.center].services[member.service] = group[i].entity
            }
        }
    }

    /// Fail-open and weights within one group (all centers, or one service
    /// across centers). Returns the fail-open explanation when it applies.
    ///
    /// Fail-open (Envoy's panic threshold): when fewer than
    /// `min_healthy_centers` (or fewer than all, if the group is smaller)
    /// would be routable, every member not taken out by an operator is
    /// routed, weighted by capacity alone.
    private func share(_ group: inout [(capacity: Double, entity: EntityHealth)], what: String) -> String? {
        let candidates = group.indices.filter { i in
            guard let action = group[i].entity.override?.action else { return true }
            return action == .up
        }
        let routable = group.indices.filter { group[$0].entity.routable }
        let needed = min(rules.minHealthyCenters, candidates.count)
        var failOpen: String?
        if !candidates.isEmpty && routable.count < needed {
            failOpen =
                "fail-open: \(routable.count) of \(group.count) \(what) healthy, fewer than \(needed); routing to all"
                + " \(candidates.count) not taken out by an override"
            for i in candidates {
                group[i].entity.routable = true
                if !group[i].entity.state.routable { group[i].entity.failOpen = failOpen }
            }
        }
        let shares = group.map { member -> Double in
            guard member.entity.routable else { return 0 }
            return failOpen != nil ? member.capacity : member.capacity * Self.stateFactor(member.entity)
        }
        let weights = Self.percentages(
            shares.reduce(0, +) > 0 ? shares : group.map { $0.entity.routable ? $0.capacity : 0 })
        for i in group.indices { group[i].entity.weight = weights[i] }
        return failOpen
    }

    /// How much of its capacity a routable entity takes: all of it when
    /// `up` (or in its grace, or forced up), its health score to one decimal
    /// when `degraded` (0.5 to 0.7). By state rather than by the exact score,
    /// so that scores drifting inside a state do not move traffic every round.
    static func stateFactor(_ entity: EntityHealth) -> Double {
        guard entity.state == .degraded, let health = entity.health else { return 1 }
        return max(0.1, (health * 10).rounded(.down) / 10)
    }

    /// `shares` as whole percentages summing to 100 (largest remainders get
    /// the leftover points; ties to the earlier); all zero when they sum to 0.
    static func percentages(_ shares: [Double]) -> [Int] {
        let total = shares.reduce(0, +)
        guard total > 0 else { return shares.map { _ in 0 } }
        let exact = shares.map { $0 / total * 100 }
        var whole = exact.map { Int($0.rounded(.down)) }
        let leftover = 100 - whole.reduce(0, +)
        let order = exact.indices.sorted { (exact[$0] - Double(whole[$0]), $1) > (exact[$1] - Double(whole[$1]), $0) }
        for i in order.prefix(leftover) { whole[i] += 1 }
        return whole
    }

    /// Each region's centers, best first: routable before not, then by state,
    /// then in the region's preference (centers it does not list after those
    /// it does), then by health and latency. Without regions in the config,
    /// one region `default` orders every center by state, health and latency.
    func regionAnswers(_ snapshot: HealthSnapshot) -> [RegionAnswer] {
        let regions = rules.regions.isEmpty ? [RegionRule(name: "default", preference: [])] : rules.regions
        return regions.map { region in
            let ordered = snapshot.centers.sorted { a, b in
                Self.preferenceKey(a, region) < Self.preferenceKey(b, region)
            }
            let first =
                ordered.first { $0.health.routable && $0.health.weight > 0 } ?? ordered.first { $0.health.routable }
            return RegionAnswer(
                name: region.name, centers: ordered.map(\.health.key.center), answer: first?.health.key.center,
                answers: first?.answers ?? [])
        }
    }

    private static func preferenceKey(_ center: CenterHealth, _ region: RegionRule) -> PreferenceKey {
        let e = center.health
        return PreferenceKey(
            unroutable: e.routable ? 0 : 1, badness: e.routable && e.failOpen != nil ? 0 : e.state.badness,
            preference: region.preference.firstIndex(of: e.key.center) ?? region.preference.count,
            // To one decimal, so that scores drifting a little do not reorder the list every round.
            health: -((e.health ?? 0) * 10).rounded(), latency: -((e.latency ?? 0) * 10).rounded(), name: e.key.center)
    }
}

/// The order of a region's list, compared field by field.
private struct PreferenceKey: Comparable {
    var unroutable: Int
    var badness: Int
    var preference: Int
    var health: Double
    var latency: Double
    var name: String

    static func < (a: PreferenceKey, b: PreferenceKey) -> Bool {
        (a.unroutable, a.badness, a.preference, a.health, a.latency, a.name)
            < (b.unroutable, b.badness, b.preference, b.health, b.latency, b.name)
    }
}
