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

// Splits texts into their distinct terms. It keeps its buffers from one
// text to the next, and remembers how each non-ASCII word splits (NFC and
// case folding cost a hundred times an ASCII word's lowercasing, and real
// words repeat), so a warm split allocates nothing.
class TermSplitter {
 public:
  struct Term {
    size_t offset = 0;  // in the splitter's buffer
    uint32_t size = 0;
    uint64_t hash = 0;
  };
  // The distinct terms of `text`, in first-seen order; valid until the next
  // split.
  const std::vector<Term>& split(std::string_view text);
  std::string_view text(const Term& t) const { return {bytes_.data() + t.offset, t.size}; }
  const std::vector<Term>& terms() const { return terms_; }

 private:
  void other_word(std::string_view word);
  // Appends an already checked term if it is new.
  void add_checked(std::string_view term);
  bool seen(size_t offset, uint32_t size, uint64_t hash) const;
  char* room(size_t n);

  std::string bytes_;  // the terms' bytes, the first used_ of them this text's
  size_t used_ = 0;
  std::vector<Term> terms_;
  std::unordered_map<std::string, std::vector<std::string>> other_words_;
};

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
  // The same for the terms the splitter split last, counted once each.
  void add_terms(const TermSplitter& split, bool now);
  void merge(const TermCounter& other);
  // The top `limit` by score, then count this period, then term.
  std::vector<RisingTerm> rising(size_t limit) const;

 private:
  // An open-addressing table over one buffer of term bytes: a term costs
  // a probe or two and no string of its own (a std::unordered_map hashed
  // and compared std::strings, a third of a report's time on term counts).
  struct Slot {
    uint64_t hash = 0;
    size_t offset = 0;
    uint32_t size = 0;  // 0: empty (terms have 3 bytes or more)
    int64_t now = 0, before = 0;
  };
  void bump(std::string_view term, uint64_t hash, int64_t now, int64_t before);
  void grow();

  std::vector<Slot> slots_;
  size_t used_ = 0;
  std::string keys_;
  TermSplitter splitter_;
};

}  // namespace socq::report
