import CRE2
import Testing

/// The C functions over RE2, called as Swift calls them.
@Suite struct CRE2ShimTests {
    private func compile(_ pattern: String) -> (OpaquePointer?, cre2_error_code, String) {
        var error = cre2_error()
        let bytes = Array(pattern.utf8)
        let handle = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cre2_compile($0.baseAddress, $0.count, 0, &error) }
        }
        defer { cre2_free_error(&error) }
        let argument = error.arg.map { String(cString: $0) } ?? ""
        return (handle, error.code, argument)
    }

    @Test func reportsRE2sErrorCodeAndArgument() {
        let (handle, code, argument) = compile("a{2,1}")
        #expect(handle == nil)
        #expect(code == CRE2_ERROR_REPEAT_SIZE)
        #expect(argument == "{2,1}")
        let (paren, parenCode, whole) = compile("^(?:()$")
        #expect(paren == nil)
        #expect(parenCode == CRE2_ERROR_MISSING_PAREN)
        #expect(whole == "^(?:()$")
    }

    @Test func matchesWholeTextWithGroupOffsets() throws {
        let (compiled, code, _) = compile("(?P<word>[a-z]+)-(\\d+)?(x)?")
        let handle = try #require(compiled)
        defer { cre2_free(handle) }
        #expect(code == CRE2_NO_ERROR)
        #expect(cre2_group_count(handle) == 3)
        #expect(cre2_named_group(handle, "word", 4) == 1)
        #expect(cre2_named_group(handle, "none", 4) == -1)
        var length = 0
        let name = try #require(cre2_group_name(handle, 1, &length))
        #expect(String(decoding: UnsafeRawBufferPointer(start: name, count: length), as: UTF8.self) == "word")
        #expect(cre2_group_name(handle, 2, &length) == nil)

        #expect(cre2_full_match(handle, "abc-12", 6) == 1)
        // Anchored at both ends: a match of a prefix is no match.
        #expect(cre2_full_match(handle, "abc-12!", 7) == 0)
        var offsets = [Int64](repeating: 0, count: 8)
        #expect(cre2_full_match_groups(handle, "abc-12", 6, &offsets, 4) == 1)
        #expect(offsets == [0, 6, 0, 3, 4, 6, -1, -1])
        // More groups than the regex has are clamped, not read past.
        var few = [Int64](repeating: 7, count: 2)
        #expect(cre2_full_match_groups(handle, "abc-", 4, &few, 1) == 1)
        #expect(few == [0, 4])
    }

    @Test func emptyTextWithoutAddressStillReportsEmptyGroups() throws {
        let (compiled, _, _) = compile("()")
        let handle = try #require(compiled)
        defer { cre2_free(handle) }
        var offsets = [Int64](repeating: 9, count: 4)
        #expect(cre2_full_match_groups(handle, nil, 0, &offsets, 2) == 1)
        #expect(offsets == [0, 0, 0, 0])
        #expect(cre2_full_match(handle, nil, 0) == 1)
    }
}
