// A C interface over RE2 for Swift: Swift cannot call C++ classes without
// turning on C++ interoperability for every target that imports this one, so
// the few calls Meridian needs are plain C functions over an opaque handle.
//
// Patterns and texts are UTF-8 bytes with a length (no NUL terminator needed,
// NULs allowed). A compiled regex is immutable: every matching function may be
// called from several threads at once, as RE2 itself allows.
#ifndef CRE2_H
#define CRE2_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled RE2 regular expression; free it with `cre2_free`.
typedef struct cre2_regex cre2_regex;

/// RE2's `RE2::ErrorCode`, with the same numbers.
typedef enum {
    CRE2_NO_ERROR = 0,
    CRE2_ERROR_INTERNAL,
    CRE2_ERROR_BAD_ESCAPE,
    CRE2_ERROR_BAD_CHAR_CLASS,
    CRE2_ERROR_BAD_CHAR_RANGE,
    CRE2_ERROR_MISSING_BRACKET,
    CRE2_ERROR_MISSING_PAREN,
    CRE2_ERROR_UNEXPECTED_PAREN,
    CRE2_ERROR_TRAILING_BACKSLASH,
    CRE2_ERROR_REPEAT_ARGUMENT,
    CRE2_ERROR_REPEAT_SIZE,
    CRE2_ERROR_REPEAT_OP,
    CRE2_ERROR_BAD_PERL_OP,
    CRE2_ERROR_BAD_UTF8,
    CRE2_ERROR_BAD_NAMED_CAPTURE,
    CRE2_ERROR_PATTERN_TOO_LARGE
} cre2_error_code;

/// Why a pattern did not compile: RE2's code and the offending part of the
/// pattern (`error_arg`), which the caller frees with `cre2_free_error`.
typedef struct {
    cre2_error_code code;
    char *arg;
    size_t arg_length;
} cre2_error;

/// Compiles `pattern` with RE2's default syntax (UTF-8, Perl classes, not
/// POSIX, leftmost-first, `.` not matching `\n`) and `max_mem` bytes for the
/// program and its DFA caches (0 keeps RE2's default of 8 MiB).
/// Returns NULL and fills `*error` when the pattern does not compile.
cre2_regex *cre2_compile(const char *pattern, size_t length, int64_t max_mem, cre2_error *error);

/// Frees a regex from `cre2_compile`; NULL is ignored.
void cre2_free(cre2_regex *regex);

/// Frees the `arg` of an error filled by `cre2_compile`.
void cre2_free_error(cre2_error *error);

/// Whether the regex matches all of `text` (anchored at both ends).
int cre2_full_match(const cre2_regex *regex, const char *text, size_t length);

/// Like `cre2_full_match`, and on a match writes `2 * groups` offsets into
/// `offsets`: the start and end byte offset of group 0 (the whole text),
/// group 1, …, or -1, -1 for a group that took no part in the match.
/// `groups` may be anything from 1 to `cre2_group_count(regex) + 1`.
int cre2_full_match_groups(
    const cre2_regex *regex, const char *text, size_t length, int64_t *offsets, int groups);

/// The number of capturing groups, not counting group 0.
int cre2_group_count(const cre2_regex *regex);

/// The number of the group named `name` (`(?P<name>…)`), or -1 when none is.
int cre2_named_group(const cre2_regex *regex, const char *name, size_t length);

/// The name of group `index` (`(?P<name>…)`) and its length in `*length`,
/// or NULL for an unnamed or missing group. The bytes live as long as `regex`.
const char *cre2_group_name(const cre2_regex *regex, int index, size_t *length);

/// The size of the compiled program, RE2's measure of a pattern's cost.
int cre2_program_size(const cre2_regex *regex);

#ifdef __cplusplus
}
#endif

#endif
