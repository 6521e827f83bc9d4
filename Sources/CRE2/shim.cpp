// RE2 behind the C functions of CRE2.h. The opaque handle is the RE2 object
// itself: RE2's const methods are thread-safe, so one compiled regex serves
// every query thread without a lock.
#include "CRE2.h"

#include <re2/re2.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

struct cre2_regex {
    re2::RE2 re;
    cre2_regex(const re2::StringPiece &pattern, const re2::RE2::Options &options) : re(pattern, options) {}
};

namespace {
// Submatch arrays up to this size live on the stack: label_replace calls
// match once per series, and most patterns have a handful of groups.
constexpr int kStackGroups = 16;

void copy_error(const re2::RE2 &re, cre2_error *error) {
    if (error == nullptr) return;
    const std::string &arg = re.error_arg();
    error->code = static_cast<cre2_error_code>(re.error_code());
    error->arg_length = arg.size();
    error->arg = static_cast<char *>(std::malloc(arg.size() + 1));
    if (error->arg != nullptr) {
        std::memcpy(error->arg, arg.data(), arg.size());
        error->arg[arg.size()] = '\0';
    } else {
        error->arg_length = 0;
    }
}
}  // namespace

extern "C" {

cre2_regex *cre2_compile(const char *pattern, size_t length, int64_t max_mem, cre2_error *error) {
    re2::RE2::Options options;
    // Errors go back to the caller, worded Go's way; RE2 must not print them.
    options.set_log_errors(false);
    if (max_mem > 0) options.set_max_mem(max_mem);
    auto *regex = new (std::nothrow) cre2_regex(re2::StringPiece(pattern, length), options);
    if (regex == nullptr) {
        if (error != nullptr) *error = cre2_error{CRE2_ERROR_INTERNAL, nullptr, 0};
        return nullptr;
    }
    if (!regex->re.ok()) {
        copy_error(regex->re, error);
        delete regex;
        return nullptr;
    }
    if (error != nullptr) *error = cre2_error{CRE2_NO_ERROR, nullptr, 0};
    return regex;
}

void cre2_free(cre2_regex *regex) { delete regex; }

void cre2_free_error(cre2_error *error) {
    if (error == nullptr) return;
    std::free(error->arg);
    error->arg = nullptr;
    error->arg_length = 0;
}

int cre2_full_match(const cre2_regex *regex, const char *text, size_t length) {
    return regex->re.Match(re2::StringPiece(text, length), 0, length, re2::RE2::ANCHOR_BOTH, nullptr, 0) ? 1 : 0;
}

int cre2_full_match_groups(
    const cre2_regex *regex, const char *text, size_t length, int64_t *offsets, int groups) {
    int available = regex->re.NumberOfCapturingGroups() + 1;
    if (groups > available) groups = available;
    if (groups < 1) return cre2_full_match(regex, text, length);
    re2::StringPiece stack[kStackGroups];
    std::vector<re2::StringPiece> heap;
    re2::StringPiece *found = stack;
    if (groups > kStackGroups) {
        heap.resize(static_cast<size_t>(groups));
        found = heap.data();
    }
    // An empty Swift buffer may have no address; a group that matched the
    // empty text must still have one, or it would read as not taking part.
    re2::StringPiece subject(text != nullptr ? text : "", length);
    if (!regex->re.Match(subject, 0, length, re2::RE2::ANCHOR_BOTH, found, groups)) return 0;
    for (int i = 0; i < groups; i++) {
        if (found[i].data() == nullptr) {
            offsets[2 * i] = -1;
            offsets[2 * i + 1] = -1;
        } else {
            int64_t start = found[i].data() - subject.data();
            offsets[2 * i] = start;
            offsets[2 * i + 1] = start + static_cast<int64_t>(found[i].size());
        }
    }
    return 1;
}

int cre2_group_count(const cre2_regex *regex) { return regex->re.NumberOfCapturingGroups(); }

int cre2_named_group(const cre2_regex *regex, const char *name, size_t length) {
    const auto &groups = regex->re.NamedCapturingGroups();
    auto it = groups.find(std::string(name, length));
    return it == groups.end() ? -1 : it->second;
}

const char *cre2_group_name(const cre2_regex *regex, int index, size_t *length) {
    // RE2 builds this map once, on first use, under its own lock.
    const auto &names = regex->re.CapturingGroupNames();
    auto it = names.find(index);
    if (it == names.end()) {
        *length = 0;
        return nullptr;
    }
    *length = it->second.size();
    return it->second.data();
}

int cre2_program_size(const cre2_regex *regex) { return regex->re.ProgramSize(); }

}  // extern "C"
