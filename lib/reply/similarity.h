// How alike two replies are, for the repetition check. Measure: each reply
// is normalised (NFC + case folding; URLs, @mentions and the customer's
// names removed; a leading greeting such as "Hi Sam," or "Thanks Sam!"
// dropped), split into words (every word holding a digit made one "0": a
// filled-in reference or time is not personal), and the words' overlapping 3-word shingles
// compared by Jaccard similarity |A∩B| / |A∪B|. Replies of fewer than
// kMinWords words after normalising are not compared (a short "Thanks!"
// is not a canned answer).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace socq::reply {

inline constexpr size_t kMinWords = 5;
inline constexpr size_t kShingleWords = 3;

// The words of a reply after normalising (see above), for tests and --explain.
std::vector<std::string> normalised_words(std::string_view text, const std::vector<std::string>& customer_names);

// A reply's shingles as sorted, distinct 64-bit hashes (empty when it has
// fewer than kMinWords words).
struct Shingles {
  std::vector<uint64_t> hashes;
  size_t words = 0;
};
Shingles shingles_of(std::string_view text, const std::vector<std::string>& customer_names);

// Jaccard similarity of two shingle sets, 0 when either is empty.
double jaccard(const Shingles& a, const Shingles& b);

}  // namespace socq::reply
