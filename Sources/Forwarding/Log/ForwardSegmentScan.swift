import Encoding
import Foundation
import Logging

/// Rebuilds a segment's ``ForwardSegmentInfo`` on open by walking its record
/// headers, without decompressing anything. The last segment (the one a
/// crash may have cut short) has every checksum verified and a torn tail cut
/// off; older ones are only walked, and their readers verify each record.
struct ForwardSegmentScan {
    let path: String
    let number: Int
    let firstSampleSeq: UInt64
    let isLast: Bool
    let logger: Logger

    /// Bytes of payload read for the header of a record whose checksum is not checked.
    private static let headerPrefix = 64

    func run() throws(ForwardError) -> ForwardSegmentInfo {
        let fd = open(path, isLast ? O_RDWR | O_CLOEXEC : O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ForwardFiles.error("cannot open", path) }
        defer { close(fd) }
        let size = ForwardFiles.size(fd)
        var info = ForwardSegmentInfo(number: number, firstSampleSeq: firstSampleSeq)
        var offset = 0
        var frameHeader = [UInt8](repeating: 0, count: CheckedFrame.headerSize)
        var payload: [UInt8] = []
        while offset < size {
            let frame = try scanFrame(fd, at: offset, size: size, header: &frameHeader, payload: &payload, into: &info)
            guard case .success(let frameSize) = frame else {
                let damage = frame.damage ?? ""
                if isLast {
                    logger.warning(
                        "forward log: cutting a torn or damaged tail off the newest segment",
                        metadata: ["segment": "\(path)", "offset": "\(offset)", "reason": "\(damage)"])
                    _ = ftruncate(fd, off_t(offset))
                } else {
                    logger.error(
                        "forward log: damaged record; readers will skip the rest of this segment",
                        metadata: ["segment": "\(path)", "offset": "\(offset)", "reason": "\(damage)"])
                }
                break
            }
            offset += frameSize
        }
        return info
    }

    /// What one frame turned out to be: good, of this many bytes, or damaged, and why.
    enum Frame {
        case success(Int)
        case damaged(String)

        var damage: String? {
            if case .damaged(let reason) = self { return reason }
            return nil
        }
    }

    /// Checks the frame at `offset` and adds its record to `info`.
    private func scanFrame(
        _ fd: Int32, at offset: Int, size: Int, header: inout [UInt8], payload: inout [UInt8],
        into info: inout ForwardSegmentInfo
    ) throws(ForwardError) -> Frame {
        let n = try ForwardFiles.pread(fd, into: &header, count: CheckedFrame.headerSize, at: offset)
        guard n == CheckedFrame.headerSize else { return .damaged("frame header cut short") }
        guard let (length, crc) = CheckedFrame.decodeHeader(header) else {
            return .damaged("frame header of unknown kind \(header[0]) or impossible length")
        }
        let frameSize = CheckedFrame.headerSize + length
        guard offset + frameSize <= size else { return .damaged("payload of \(length) bytes does not fit the file") }
        let wanted = isLast ? length : min(length, Self.headerPrefix)
        payload = [UInt8](repeating: 0, count: wanted)
        let read = try ForwardFiles.pread(fd, into: &payload, count: wanted, at: offset + CheckedFrame.headerSize)
        guard read == wanted else { return .damaged("payload cut short") }
        if isLast && CRC32C.checksum(payload) != crc { return .damaged("checksum mismatch") }
        if let seq = ForwardSegmentHeader.decode(payload) {
            // The segment's own numbering wins over the count carried from
            // older segments, which may have been deleted.
            if offset == 0 { info.firstSampleSeq = seq }
            info.bytes += frameSize
            return .success(frameSize)
        }
        do {
            info.add(try ForwardRecordHeader.decode(payload).0, frameBytes: frameSize)
        } catch {
            return .damaged(error.message)
        }
        return .success(frameSize)
    }
}
