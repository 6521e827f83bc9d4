import MeridianModel

/// What the index of a block being written needs, gathered in memory as
/// series arrive (symbols, label pairs, chunk references, postings) and
/// written by ``write(to:columns:)`` once all series are known: symbol
/// numbers are ranks in the sorted symbol table, so none is final before then.
///
/// Strings are interned by their UTF-8 bytes, not as `String`s: Swift's
/// `String` equality is canonical equivalence, and the index must keep the
/// bytes it was given.
///
/// Memory: about 12 bytes a label and 8 bytes a chunk, plus each distinct
/// string once. Flat arrays rather than an object per series.
struct BlockIndexBuilder {
    /// Interned strings (names and values share one table).
    private(set) var strings: [[UInt8]] = []
    private var stringIDs: [[UInt8]: UInt32] = [:]
    /// For series i, labels `labelEnd[i-1]..<labelEnd[i]` of `labelPairs`.
    private(set) var labelEnd: [UInt32] = []
    /// `nameID << 32 | valueID`.
    private(set) var labelPairs: [UInt64] = []
    /// For series i, chunks `chunkEnd[i-1]..<chunkEnd[i]`.
    private(set) var chunkEnd: [UInt32] = []
    private(set) var chunkColumns: [UInt32] = []
    private(set) var chunkValueLengths: [UInt32] = []
    /// Offset in `chunks` of each series' value run.
    private(set) var runOffsets: [UInt64] = []
    /// The series numbers of each label pair, increasing.
    private(set) var postings: [UInt64: [UInt32]] = [:]

    var seriesCount: Int { labelEnd.count }

    /// Records the next series (in label order).
    mutating func addSeries(_ labels: Labels, columns: [UInt32], valueLengths: [UInt32], runOffset: UInt64) {
        let number = UInt32(labelEnd.count)
        for label in labels {
            let pair = UInt64(intern(label.name)) << 32 | UInt64(intern(label.value))
            labelPairs.append(pair)
            postings[pair, default: []].append(number)
        }
        labelEnd.append(UInt32(labelPairs.count))
        chunkColumns.append(contentsOf: columns)
        chunkValueLengths.append(contentsOf: valueLengths)
        chunkEnd.append(UInt32(chunkColumns.count))
        runOffsets.append(runOffset)
    }

    private mutating func intern(_ string: String) -> UInt32 {
        let bytes = Array(string.utf8)
        if let id = stringIDs[bytes] { return id }
        let id = UInt32(strings.count)
        strings.append(bytes)
        stringIDs[bytes] = id
        return id
    }

    func labels(ofSeries i: Int) -> ArraySlice<UInt64> {
        labelPairs[(i == 0 ? 0 : Int(labelEnd[i - 1]))..<Int(labelEnd[i])]
    }

    func chunks(ofSeries i: Int) -> Range<Int> {
        (i == 0 ? 0 : Int(chunkEnd[i - 1]))..<Int(chunkEnd[i])
    }
}
