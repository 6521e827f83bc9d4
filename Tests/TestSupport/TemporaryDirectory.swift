import Foundation

/// A fresh directory under the system temp dir, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    /// Its path.
    public let path: String

    /// Creates `…/meridian-<prefix>-<random>`.
    public init(_ prefix: String = "test") throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("meridian-\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func appending(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Deletes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
