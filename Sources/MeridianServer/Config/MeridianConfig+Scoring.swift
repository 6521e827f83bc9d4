import Foundation
import PromQL
import Scoring
import Yams

/// The `scoring:` section: the rules the health engine scores centers and
/// services by, where its signals are queried, and the three ways its
/// verdicts leave the process (health feed, HAProxy agent, overrides API).
public struct ScoringConfig: Sendable, Equatable {
    /// Whether the scorer runs at all; off, nothing below is served.
    public var enabled = true
    /// Thresholds, hysteresis, freshness, centers, regions, services and
    /// signals, exactly as the engine takes them.
    public var rules = ScoringRules()
    /// A Prometheus-compatible base URL such as `http://127.0.0.1:9090` that
    /// the signals are queried from; nil: this process's own store.
    public var queryURL: String? = nil
    /// `HOST:PORT` of the HAProxy agent-check responder; nil: off.
    public var agentListen: String? = nil
    /// When set, the read-only health feed needs `Authorization: Bearer` with
    /// it; nil: the feed is open (it only says what is healthy).
    public var feedToken: String? = nil
    /// The overrides API token; without one, `POST` and `DELETE
    /// /api/v1/overrides` are refused, so nobody can pin a state by accident.
    public var overrideToken: String? = nil

    /// The defaults (equal to the `scoring:` section of `config/meridian.yaml`).
    public init() {}
}

extension ConfigReader {
    /// `scoring:`. Every key is checked on its own, then across keys
    /// (`degraded_at` below `up_at`, regions preferring declared centers).
    mutating func readScoring(_ node: Node, _ config: inout MeridianConfig) {
        guard let map = mapping(node, "scoring") else { return }
        var scoring = ScoringConfig()
        var upAtNode: Node?
        var degradedAtNode: Node?
        var preferred: [(center: String, node: Node)] = []
        var tokenKeys: [String: Node] = [:]
        var signalsNode: Node?
        for (key, value) in map {
            let name = key.string ?? ""
            let what = "scoring.\(name)"
            switch name {
            case "enabled": if let b = flag(value, what) { scoring.enabled = b }
            case "interval": if let d = positiveSeconds(value, what) { scoring.rules.interval = d }
            case "fall": if let n = positiveInteger(value, what) { scoring.rules.fall = n }
            case "rise": if let n = positiveInteger(value, what) { scoring.rules.rise = n }
            case "up_at":
                if let x = fraction(value, what) { scoring.rules.upAt = x; upAtNode = value }
            case "degraded_at":
                if let x = fraction(value, what) { scoring.rules.degradedAt = x; degradedAtNode = value }
            case "stale_after": if let d = positiveSeconds(value, what) { scoring.rules.staleAfter = d }
            case "grace": if let d = positiveSeconds(value, what) { scoring.rules.grace = d }
            case "forget_after": if let d = positiveSeconds(value, what) { scoring.rules.forgetAfter = d }
            case "min_healthy_centers":
                if let n = nonNegativeInteger(value, what) { scoring.rules.minHealthyCenters = n }
            case "query_url":
                guard let s = string(value, what) else { continue }
                if s.isEmpty {
                    scoring.queryURL = nil
                } else if isHTTPURL(s) {
                    scoring.queryURL = s
                } else {
                    problem(value, "\(what): \"\(s)\" is not an http:// URL with a host (e.g. http://127.0.0.1:9090)")
                }
            case "agent_listen":
                guard let s = string(value, what) else { continue }
                if s.isEmpty {
                    scoring.agentListen = nil
                } else if isHostPort(s) {
                    scoring.agentListen = s
                } else {
                    problem(value, "\(what): \"\(s)\" is not HOST:PORT (e.g. 0.0.0.0:9281)")
                }
            case "feed_token", "override_token", "feed_token_file", "override_token_file":
                let base = name.hasSuffix("_file") ? String(name.dropLast(5)) : name
                if tokenKeys[base] != nil {
                    problem(key, "set only one of scoring.\(base) and scoring.\(base)_file")
                    continue
                }
                tokenKeys[base] = key
                guard let token = name.hasSuffix("_file") ? tokenFile(value, what) : string(value, what) else {
                    continue
                }
                if base == "feed_token" {
                    scoring.feedToken = token.isEmpty ? nil : token
                } else {
                    scoring.overrideToken = token.isEmpty ? nil : token
                }
            case "centers": if let centers = readScoringCenters(value) { scoring.rules.centers = centers }
            case "regions": if let regions = readScoringRegions(value, &preferred) { scoring.rules.regions = regions }
            case "services": if let services = stringList(value, what) { scoring.rules.services = services }
            case "signals":
                let problemsBefore = problems.count
                if let signals = readScoringSignals(value) {
                    scoring.rules.signals = signals
                    // A list with mistakes has its own problems; an empty one is checked below.
                    if problems.count == problemsBefore { signalsNode = value }
                }
            default: unknown(key, in: "scoring")
            }
        }
        if scoring.rules.degradedAt >= scoring.rules.upAt, let at = degradedAtNode ?? upAtNode {
            problem(
                at,
                "scoring.degraded_at (\(scoring.rules.degradedAt)) must be below scoring.up_at (\(scoring.rules.upAt))")
        }
        if scoring.enabled, !scoring.rules.signals.contains(where: \.enabled), let signalsNode {
            // Nothing to score: every center would go unknown, then down, then fail open.
            problem(
                signalsNode, "scoring.signals has no enabled signal; set scoring.enabled: false to turn scoring off")
        }
        let declared = Set(scoring.rules.centers.map(\.name))
        if !declared.isEmpty {
            for (center, node) in preferred where !declared.contains(center) {
                problem(node, "scoring.regions: center \"\(center)\" is not one of scoring.centers")
            }
        }
        config.scoring = scoring
    }

    // MARK: - Centers, regions, signals

    private mutating func readScoringCenters(_ node: Node) -> [CenterRule]? {
        guard let items = list(node, "scoring.centers") else { return nil }
        var centers: [CenterRule] = []
        var seen: Set<String> = []
        for item in items {
            guard let map = mapping(item, "each of scoring.centers"),
                let name = itemName(map, item, "scoring.centers", &seen)
            else { continue }
            var center = CenterRule(name: name)
            let prefix = "scoring.centers.\(name)"
            for (key, value) in map {
                switch key.string {
                case "name": break
                case "capacity":
                    guard let x = number(value, "\(prefix).capacity") else { continue }
                    if x > 0 { center.capacity = x } else { problem(value, "\(prefix).capacity must be positive") }
                case "answers": if let s = stringList(value, "\(prefix).answers") { center.answers = s }
                case "serves": if let s = stringList(value, "\(prefix).serves") { center.serves = s }
                default: unknown(key, in: prefix)
                }
            }
            centers.append(center)
        }
        return centers
    }

    /// Also collects every preferred center with its node, for the check
    /// against `centers` once the whole section is read.
    private mutating func readScoringRegions(_ node: Node, _ preferred: inout [(center: String, node: Node)])
        -> [RegionRule]?
    {
        guard let items = list(node, "scoring.regions") else { return nil }
        var regions: [RegionRule] = []
        var seen: Set<String> = []
        for item in items {
            guard let map = mapping(item, "each of scoring.regions"),
                let name = itemName(map, item, "scoring.regions", &seen)
            else { continue }
            var region = RegionRule(name: name, preference: [])
            let prefix = "scoring.regions.\(name)"
            for (key, value) in map {
                switch key.string {
                case "name": break
                case "prefer":
                    guard let centers = list(value, "\(prefix).prefer") else { continue }
                    for center in centers {
                        guard let s = string(center, "\(prefix).prefer[]") else { continue }
                        if s.isEmpty {
                            problem(center, "\(prefix).prefer: a center name must not be empty")
                        } else if region.preference.contains(s) {
                            problem(center, "\(prefix).prefer lists center \"\(s)\" twice")
                        } else {
                            region.preference.append(s)
                            preferred.append((s, center))
                        }
                    }
                default: unknown(key, in: prefix)
                }
            }
            regions.append(region)
        }
        return regions
    }

    /// A list given here replaces ``SignalRule/defaults`` whole: a signal
    /// left out is not scored.
    private mutating func readScoringSignals(_ node: Node) -> [SignalRule]? {
        guard let items = list(node, "scoring.signals") else { return nil }
        var signals: [SignalRule] = []
        var seen: Set<String> = []
        for item in items {
            guard let map = mapping(item, "each of scoring.signals"),
                let name = itemName(map, item, "scoring.signals", &seen)
            else { continue }
            let prefix = "scoring.signals.\(name)"
            var expr: String?
            var good: Double?
            var bad: Double?
            var badNode: Node?
            var weight: Double = 1
            var signal = SignalRule(name: name, expr: "", good: 0, bad: 1, weight: 1)
            var valid = true
            for (key, value) in map {
                let what = "\(prefix).\(key.string ?? "")"
                switch key.string {
                case "name": break
                case "expr":
                    guard let s = string(value, what) else { valid = false; continue }
                    do throws(ParseError) {
                        _ = try PromQLParser.parse(s)
                        expr = s
                    } catch {
                        valid = false
                        problem(
                            value,
                            "\(what) does not parse: \(error.message) (at \(error.line):\(error.column) of the expression)"
                        )
                    }
                case "good": if let x = number(value, what) { good = x } else { valid = false }
                case "bad": if let x = number(value, what) { bad = x; badNode = value } else { valid = false }
                case "weight":
                    guard let x = number(value, what) else { valid = false; continue }
                    if x > 0 { weight = x } else { valid = false; problem(value, "\(what) must be positive") }
                case "latency": if let b = flag(value, what) { signal.latency = b }
                case "down_above", "down_below":
                    if value.null != nil { continue }
                    guard let x = number(value, what) else { valid = false; continue }
                    if key.string == "down_above" { signal.downAbove = x } else { signal.downBelow = x }
                case "enabled": if let b = flag(value, what) { signal.enabled = b }
                default: unknown(key, in: prefix)
                }
            }
            for needed in ["expr", "good", "bad"] where value(of: needed, in: map) == nil {
                problem(item, "\(prefix) needs \(needed)")
                valid = false
            }
            if let good, let bad, good == bad {
                problem(badNode ?? item, "\(prefix): good and bad must differ (both \(good))")
                valid = false
            }
            guard valid, let expr, let good, let bad else { continue }
            signal.expr = expr
            signal.good = good
            signal.bad = bad
            signal.weight = weight
            signals.append(signal)
        }
        return signals
    }

    /// The `name` of a list item: present, a non-empty string, and not one
    /// seen before in the same list (which `seen` collects).
    private mutating func itemName(_ map: Node.Mapping, _ item: Node, _ list: String, _ seen: inout Set<String>)
        -> String?
    {
        guard let node = value(of: "name", in: map) else {
            problem(item, "each of \(list) needs a name")
            return nil
        }
        guard let name = string(node, "\(list)[].name") else { return nil }
        guard !name.isEmpty else {
            problem(node, "\(list)[].name must not be empty")
            return nil
        }
        guard seen.insert(name).inserted else {
            problem(node, "\(list): name \"\(name)\" is used twice")
            return nil
        }
        return name
    }

    // MARK: - Typed readers of this section

    /// The value of `key` in `map`, by the key's text.
    private func value(of key: String, in map: Node.Mapping) -> Node? {
        map.first { $0.key.string == key }?.value
    }

    /// The items of a list; an empty value (`key:` alone) is an empty list.
    private mutating func list(_ node: Node, _ what: String) -> [Node]? {
        if node.null != nil { return [] }
        guard let seq = node.sequence else {
            problem(node, "\(what) must be a list")
            return nil
        }
        return Array(seq)
    }

    private mutating func stringList(_ node: Node, _ what: String) -> [String]? {
        guard let seq = list(node, what) else { return nil }
        var strings: [String] = []
        for item in seq {
            if let s = string(item, "each of \(what)") { strings.append(s) }
        }
        return strings
    }

    /// `true` or `false` (YAML 1.2's spellings; `yes`/`on` are refused as
    /// the ambiguity they are).
    private mutating func flag(_ node: Node, _ what: String) -> Bool? {
        switch node.scalar?.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            problem(node, "\(what) must be true or false")
            return nil
        }
    }

    /// A finite number, integer or not.
    private mutating func number(_ node: Node, _ what: String) -> Double? {
        guard let s = node.scalar?.string, let x = Double(s), x.isFinite else {
            problem(node, "\(what) must be a finite number (got \"\(node.scalar?.string ?? "a non-scalar")\")")
            return nil
        }
        return x
    }

    private mutating func fraction(_ node: Node, _ what: String) -> Double? {
        guard let x = number(node, what) else { return nil }
        guard (0...1).contains(x) else {
            problem(node, "\(what) must be between 0 and 1 (got \(x))")
            return nil
        }
        return x
    }

    private mutating func positiveSeconds(_ node: Node, _ what: String) -> Double? {
        guard let d = duration(node, what) else { return nil }
        guard d > 0 else {
            problem(node, "\(what) must be positive")
            return nil
        }
        return d
    }

    /// A count that may be zero: digits, optionally grouped with `_`.
    private mutating func nonNegativeInteger(_ node: Node, _ what: String) -> Int? {
        guard let s = node.scalar?.string, let n = Int(s.filter { $0 != "_" }), n >= 0, !s.hasPrefix("_"),
            !s.hasSuffix("_"),
            s.allSatisfy({ $0 == "_" || ($0.isASCII && $0.isNumber) })
        else {
            problem(
                node, "\(what) must be a whole number, 0 or more (got \"\(node.scalar?.string ?? "a non-scalar")\")")
            return nil
        }
        return n
    }

    /// The token in the file `node` names, without surrounding whitespace.
    private mutating func tokenFile(_ node: Node, _ what: String) -> String? {
        guard let path = string(node, what) else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            problem(node, "\(what): cannot read \"\(path)\": \(error.localizedDescription)")
            return nil
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            problem(node, "\(what): \"\(path)\" is empty")
            return nil
        }
        return token
    }

    private func isHTTPURL(_ s: String) -> Bool {
        guard s.hasPrefix("http://"), let url = URLComponents(string: s), let host = url.host else { return false }
        return !host.isEmpty
    }

    /// `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (every interface), port 1...65535.
    private func isHostPort(_ s: String) -> Bool {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (1...65535).contains(port)
        else { return false }
        let host = s[..<colon]
        if host.hasPrefix("[") { return host.hasSuffix("]") && host.count > 2 }
        return !host.contains(":") && !host.contains(" ")
    }
}
