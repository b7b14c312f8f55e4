// Rising terms: which words customers use more this period than the one
// before. A term is a run of letters, digits or marks in NFC case-folded
// inbound text, at least 3 characters, not all digits, not a stopword; words
// starting with @ (mentions) and URLs are skipped. Each message counts a term
// once. score = (this + 1) / (previous + 1); a term needs this >= 2.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace socq::report {

// The distinct terms of one text, in first-seen order.
void terms_of(std::string_view text, std::vector<std::string>& out);

struct RisingTerm {
  std::string term;
  int64_t now = 0, before = 0;
  double score = 0;
};

class TermCounter {
 public:
  // Counts the terms of one inbound message of this period (now = true) or
  // of the previous period.
  void add(std::string_view text, bool now);
  // The same for terms already split (terms_of), counted once each.
  void add_terms(const std::vector<std::string>& terms, bool now);
  void merge(const TermCounter& other);
  // The top `limit` by score, then count this period, then term.
  std::vector<RisingTerm> rising(size_t limit) const;

 private:
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> counts_;
  std::vector<std::string> scratch_;
};

}  // namespace socq::report
