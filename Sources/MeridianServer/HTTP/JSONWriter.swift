import MeridianModel

/// Appends JSON straight into a byte array: no `JSONEncoder`, no intermediate
/// dictionaries, so a response of 100k series costs one pass over its bytes.
public struct JSONWriter {
    /// The JSON written so far.
    public var bytes: [UInt8] = []

    /// An empty writer.
    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Appends raw JSON text (punctuation, numbers already formatted).
    @inlinable
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends raw bytes of a string that needs no escaping (numbers).
    public mutating func rawString(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends `text` as a JSON string, quoted and escaped.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            if !utf8.contains(where: Self.needsEscape) {
                bytes.append(contentsOf: utf8)
                return
            }
            for b in utf8 {
                switch b {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5c, 0x22])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5c, 0x5c])
                case 0x0a: bytes.append(contentsOf: [0x5c, UInt8(ascii: "n")])
                case 0x0d: bytes.append(contentsOf: [0x5c, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5c, UInt8(ascii: "t")])
                case 0..<0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5c, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
                default: bytes.append(b)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ b: UInt8) -> Bool {
        b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\")
    }

    /// Appends a sample value as the query API writes it: a JSON string in
    /// Prometheus' float text (`"0.5"`, `"NaN"`, `"+Inf"`, `"1e-07"`).
    public mutating func sampleValue(_ v: Double) {
        bytes.append(UInt8(ascii: "\""))
        FloatFormat.appendAPIValue(v, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a timestamp as the query API writes it: float seconds.
    public mutating func seconds(_ t: Timestamp) {
        FloatFormat.appendSeconds(milliseconds: t, to: &bytes)
    }

    /// Appends `[ "a", "b" ]`.
    public mutating func stringArray(_ values: [String]) {
        raw("[")
        for (i, v) in values.enumerated() {
            if i > 0 { raw(",") }
            string(v)
        }
        raw("]")
    }

    /// Appends a label set as a JSON object, `{"__name__":"up","job":"x"}`.
    public mutating func labels(_ labels: Labels) {
        raw("{")
        for (i, label) in labels.enumerated() {
            if i > 0 { raw(",") }
            string(label.name)
            raw(":")
            string(label.value)
        }
        raw("}")
    }
}
