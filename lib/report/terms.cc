#include "lib/report/terms.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <unordered_set>

namespace socq::report {
namespace {

// A short English stopword list plus social-media filler.
const std::unordered_set<std::string_view>& stopwords() {
  static const std::unordered_set<std::string_view> words{
      "the", "and", "for", "are", "but", "not", "you", "your", "all", "any", "can", "had", "her", "was", "one",
      "our", "out", "has", "have", "him", "his", "how", "its", "may", "new", "now", "see", "who", "did", "get",
      "got", "let", "she", "too", "use", "this", "that", "with", "from", "they", "them", "then", "than", "there",
      "their", "what", "when", "where", "which", "will", "would", "could", "should", "been", "were", "just", "into",
      "about", "also", "only", "some", "more", "very", "here", "like", "does", "doing", "done", "dont", "don",
      "im", "i'm", "it's", "don't", "can't", "won't", "amp", "http", "https", "www", "com", "please", "thanks", "thank",
      "hello", "hey", "hi", "yes", "why", "because", "still", "again", "even", "after", "before", "being", "over",
      "such", "each", "other", "these", "those", "both", "same", "own", "off", "once", "while", "ive", "youre",
      "isnt", "cant", "wont", "didnt", "doesnt", "there's", "what's", "i've", "you're", "isn't", "didn't",
      "doesn't", "let's", "that's", "via", "etc"};
  return words;
}

// Up to 7 bytes as one number (byte i in bits 8i..8i+7), so a comparison is
// one instruction and not a call to memcmp.
uint64_t packed(std::string_view w) {
  uint64_t x = 0;
  for (size_t i = 0; i < w.size(); ++i) x |= uint64_t{static_cast<unsigned char>(w[i])} << (8 * i);
  return x;
}

// The stopwords by first byte and length (all are 2 to 7 bytes), packed: a
// term is compared with the few of its shape, with no hashing.
struct StopwordTable {
  static constexpr size_t kMaxLen = 8;
  std::array<std::vector<uint64_t>, 256 * kMaxLen> by_shape;
  StopwordTable() {
    for (std::string_view w : stopwords()) {
      if (w.empty() || w.size() >= kMaxLen) throw std::logic_error("stopword too long for the table: raise kMaxLen");
      by_shape[static_cast<unsigned char>(w[0]) * kMaxLen + w.size()].push_back(packed(w));
    }
  }
};

bool is_stopword(std::string_view term) {
  static const StopwordTable table;
  if (term.empty() || term.size() >= StopwordTable::kMaxLen) return false;
  const auto& candidates = table.by_shape[static_cast<unsigned char>(term[0]) * StopwordTable::kMaxLen + term.size()];
  if (candidates.empty()) return false;
  const uint64_t x = packed(term);
  return std::find(candidates.begin(), candidates.end(), x) != candidates.end();
}

bool is_term_char(int32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || cp == '\'';
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return cp == '\'';  // keeps "don't" one word
  }
}

// NFC + case folding; ASCII takes a fast path.
std::string fold(std::string_view s) {
  if (std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    std::string out(s);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  utf8proc_uint8_t* mapped = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
                              &mapped, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
  if (n < 0) return std::string(s);  // invalid UTF-8: as it is
  std::string out(reinterpret_cast<char*>(mapped), static_cast<size_t>(n));
  std::free(mapped);
  return out;
}

bool keep(const std::string& term, size_t chars) {
  if (chars < 3) return false;
  if (std::all_of(term.begin(), term.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return !is_stopword(term);
}

// Splits one whitespace-free word into terms.
void word_terms(std::string_view word, std::vector<std::string>& out) {
  if (word.empty() || word[0] == '@' || word.find("://") != std::string_view::npos || word.rfind("www.", 0) == 0)
    return;
  std::string cur;
  size_t chars = 0;
  const auto flush = [&] {
    while (!cur.empty() && cur.back() == '\'') cur.pop_back(), --chars;
    while (!cur.empty() && cur.front() == '\'') cur.erase(0, 1), --chars;
    if (keep(cur, chars) && std::find(out.begin(), out.end(), cur) == out.end()) out.push_back(cur);
    cur.clear(), chars = 0;
  };
  size_t i = 0;
  while (i < word.size()) {
    int32_t cp = -1;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(word.data() + i),
                              static_cast<utf8proc_ssize_t>(word.size() - i), &cp);
    if (n <= 0) n = 1, cp = -1;
    if (cp >= 0 && is_term_char(cp)) cur.append(word.substr(i, static_cast<size_t>(n))), ++chars;
    else flush();
    i += static_cast<size_t>(n);
  }
  flush();
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ascii_term_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\'';
}

// word_terms for an ASCII word, folded as it is read: the same terms with
// no string per word. Each run of term bytes is one candidate; `cur` is the
// caller's buffer, reused.
void ascii_word_terms(std::string_view word, std::vector<std::string>& out, std::string& cur) {
  if (word[0] == '@' || word.find("://") != std::string_view::npos) return;
  if (word.size() >= 4 && ascii_lower(word[0]) == 'w' && ascii_lower(word[1]) == 'w' && ascii_lower(word[2]) == 'w' &&
      word[3] == '.')
    return;
  const size_t n = word.size();
  size_t i = 0;
  while (i < n) {
    while (i < n && !ascii_term_byte(word[i])) ++i;
    size_t b = i;
    while (i < n && ascii_term_byte(word[i])) ++i;
    size_t e = i;
    while (e > b && word[e - 1] == '\'') --e;
    while (b < e && word[b] == '\'') ++b;
    if (e - b < 3) continue;
    cur.resize(e - b);
    bool digits = true;
    for (size_t k = b; k < e; ++k) {
      cur[k - b] = ascii_lower(word[k]);
      digits = digits && word[k] >= '0' && word[k] <= '9';
    }
    const std::string_view term(cur);
    if (!digits && !is_stopword(term) && std::find(out.begin(), out.end(), term) == out.end())
      out.emplace_back(term);
  }
}

}  // namespace

void terms_of(std::string_view text, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  size_t i = 0;
  while (i < text.size()) {
    if (space(text[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    bool ascii = true;
    for (; end < text.size() && !space(text[end]); ++end) ascii &= static_cast<unsigned char>(text[end]) < 0x80;
    // Words are folded one by one: most are ASCII even in a text with an
    // emoji, and those skip utf8proc (and any copy).
    const std::string_view word = text.substr(i, end - i);
    if (ascii) ascii_word_terms(word, out, cur);
    else word_terms(fold(word), out);
    i = end;
  }
}

void TermCounter::add(std::string_view text, bool now) {
  terms_of(text, scratch_);
  add_terms(scratch_, now);
}

void TermCounter::add_terms(const std::vector<std::string>& terms, bool now) {
  for (const auto& t : terms) {
    auto& c = counts_[t];
    (now ? c.first : c.second) += 1;
  }
}

void TermCounter::merge(const TermCounter& other) {
  for (const auto& [t, c] : other.counts_) {
    auto& mine = counts_[t];
    mine.first += c.first, mine.second += c.second;
  }
}

std::vector<RisingTerm> TermCounter::rising(size_t limit) const {
  std::vector<RisingTerm> all;
  for (const auto& [t, c] : counts_)
    if (c.first >= 2)
      all.push_back({t, c.first, c.second, static_cast<double>(c.first + 1) / static_cast<double>(c.second + 1)});
  std::sort(all.begin(), all.end(), [](const RisingTerm& a, const RisingTerm& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.now != b.now) return a.now > b.now;
    return a.term < b.term;
  });
  if (all.size() > limit) all.resize(limit);
  return all;
}

}  // namespace socq::report
