// Near misses for "did you mean": the one edit distance that command
// names, option names and account names are compared by.
#pragma once
#include <cstddef>
#include <string>

namespace socq {

// Levenshtein distance: insertions, deletions and substitutions of bytes.
size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace socq
