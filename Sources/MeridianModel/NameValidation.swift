/// Prometheus' rules for metric and label names, on raw UTF-8 bytes so the
/// ingestion path can check them without building a `String`.
public enum NameValidation {
    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    @inlinable
    public static func isValidLabelName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, isLetterOrUnderscore(first) else { return false }
        for b in bytes.dropFirst() where !(isLetterOrUnderscore(b) || isDigit(b)) { return false }
        return true
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    @inlinable
    public static func isValidMetricName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, isLetterOrUnderscore(first) || first == UInt8(ascii: ":") else {
            return false
        }
        for b in bytes.dropFirst() where !(isLetterOrUnderscore(b) || isDigit(b) || b == UInt8(ascii: ":")) {
            return false
        }
        return true
    }

    /// String convenience for ``isValidLabelName(_:)-(UnsafeRawBufferPointer)``.
    public static func isValidLabelName(_ name: String) -> Bool {
        var copy = name
        return copy.withUTF8 { isValidLabelName(UnsafeRawBufferPointer($0)) }
    }

    /// String convenience for ``isValidMetricName(_:)-(UnsafeRawBufferPointer)``.
    public static func isValidMetricName(_ name: String) -> Bool {
        var copy = name
        return copy.withUTF8 { isValidMetricName(UnsafeRawBufferPointer($0)) }
    }

    @usableFromInline
    static func isLetterOrUnderscore(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b == 0x5f
    }

    @usableFromInline
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
