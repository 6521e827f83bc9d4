import RemoteWrite
import Yams

extension ConfigReader {
    /// `remote_write:`: the two body sizes (at least 1KiB, so that no setting
    /// refuses every request) and the count and length limits, each a positive
    /// integer under the key that ``RemoteWriteLimits/Limit`` names, so the
    /// refusal message and the config file use the same words.
    mutating func readRemoteWrite(_ node: Node, _ config: inout MeridianConfig) {
        guard let map = mapping(node, "remote_write") else { return }
        for (key, value) in map {
            let name = key.string ?? ""
            switch name {
            case "max_body_size":
                if let n = size(value, "remote_write.max_body_size", min: 1024) { config.remoteWrite.maxBodyBytes = n }
            case "max_decoded_size":
                if let n = size(value, "remote_write.max_decoded_size", min: 1024) {
                    config.remoteWrite.maxDecodedBytes = n
                }
            default:
                guard let limit = RemoteWriteLimits.Limit(rawValue: name) else {
                    unknown(key, in: "remote_write")
                    continue
                }
                if let n = positiveInteger(value, limit.configKey) { config.remoteWrite[limit] = n }
            }
        }
    }

    /// A count: digits, optionally grouped with `_` (`100_000`), at least 1.
    /// Zero would refuse every request, so it is a mistake, not "no limit".
    mutating func positiveInteger(_ node: Node, _ what: String) -> Int? {
        guard let s = node.scalar?.string else {
            problem(node, "\(what) must be a positive integer")
            return nil
        }
        let digits = s.filter { $0 != "_" }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), !s.hasPrefix("_"), !s.hasSuffix("_"),
            let n = Int(digits), n >= 1
        else {
            problem(node, "\(what) must be a positive integer (got \"\(s)\")")
            return nil
        }
        return n
    }
}
