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

// The stopwords, packed, in an open-addressing set (all are 1 to 7 bytes,
// and no term holds a zero byte, so a packed word is its own key): a term
// costs a multiply and a compare or two, no hashing of strings.
class StopwordSet {
 public:
  static constexpr size_t kMaxLen = 7;
  StopwordSet() {
    for (std::string_view w : stopwords()) {
      if (w.empty() || w.size() > kMaxLen) throw std::logic_error("stopword too long for the set: raise kMaxLen");
      size_t i = slot(packed(w));
      while (slots_[i]) i = (i + 1) & (kSlots - 1);
      slots_[i] = packed(w);
    }
  }
  bool has(uint64_t x) const {
    for (size_t i = slot(x); slots_[i]; i = (i + 1) & (kSlots - 1))
      if (slots_[i] == x) return true;
    return false;
  }

 private:
  static constexpr size_t kSlots = 512;  // a power of two, over 2x the list
  static size_t slot(uint64_t x) { return static_cast<size_t>((x * 0x9E3779B97F4A7C15ull) >> 55); }
  std::array<uint64_t, kSlots> slots_{};
};

const StopwordSet& stopword_set() {
  static const StopwordSet set;
  return set;
}

bool is_stopword(std::string_view term) {
  if (term.empty() || term.size() > StopwordSet::kMaxLen) return false;
  return stopword_set().has(packed(term));
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

// Byte classes for the ASCII path: one table look-up a byte.
enum : uint8_t { kSpace = 1, kTermByte = 2, kDigit = 4 };
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> t{};
  for (unsigned char c : {' ', '\t', '\r', '\n'}) t[c] = kSpace;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<size_t>(c)] = kTermByte;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] = kTermByte;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = kTermByte | kDigit;
  t[static_cast<unsigned char>('\'')] = kTermByte;
  return t;
}();
constexpr std::array<char, 256> kLower = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) t[static_cast<size_t>(c)] = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return t;
}();

// A term's hash, 8 bytes a step once the term is read (no multiply a
// byte, and no chain of them); the counter's table mixes the bits again.
// p is readable 8 bytes past the term.
uint64_t hash_term(const char* p, size_t n) {
  constexpr uint64_t kMul = 0xff51afd7ed558ccdull;
  uint64_t h = n * 0x9E3779B97F4A7C15ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 32;
  }
  if (i < n) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ (w & ((uint64_t{1} << (8 * (n - i))) - 1))) * kMul;
    h ^= h >> 32;
  }
  return h;
}

// A word's terms as word_terms splits its folded form, or nothing for a
// mention or a URL.
std::vector<std::string> folded_word_terms(std::string_view word) {
  std::vector<std::string> terms;
  word_terms(fold(word), terms);
  return terms;
}

}  // namespace

bool TermSplitter::seen(size_t offset, uint32_t size, uint64_t hash) const {
  for (const Term& t : terms_)
    if (t.hash == hash && t.size == size && std::memcmp(bytes_.data() + t.offset, bytes_.data() + offset, size) == 0)
      return true;
  return false;
}

// Room for n more bytes of terms at used_ (the buffer only grows, so a
// warm split neither allocates nor zero-fills).
char* TermSplitter::room(size_t n) {
  if (used_ + n > bytes_.size()) bytes_.resize(std::max(bytes_.size() * 2, used_ + n + 256));
  return bytes_.data() + used_;
}

void TermSplitter::add_checked(std::string_view term) {
  char* out = room(term.size() + 8);  // +8: hash_term
  std::memcpy(out, term.data(), term.size());
  const uint64_t h = hash_term(out, term.size());
  const auto size = static_cast<uint32_t>(term.size());
  if (seen(used_, size, h)) return;
  terms_.push_back({used_, size, h});
  used_ += term.size();
}

// Words with other bytes go through utf8proc once each; a bounded memo
// keeps how they split.
void TermSplitter::other_word(std::string_view word) {
  constexpr size_t kMemoWords = 1 << 16;
  auto it = other_words_.find(std::string(word));
  if (it == other_words_.end()) {
    if (other_words_.size() >= kMemoWords) {
      for (const auto& t : folded_word_terms(word)) add_checked(t);
      return;
    }
    it = other_words_.emplace(std::string(word), folded_word_terms(word)).first;
  }
  for (const auto& t : it->second) add_checked(t);
}

namespace {

// One run of term bytes, lowercased into the buffer as it is read.
struct Run {
  size_t size = 0;  // without trailing apostrophes
  uint8_t all = kDigit;  // the AND of its bytes' classes: kDigit when all are digits
};

uint64_t load_packed(const char* p, size_t n) {  // n <= 7; p has 8 readable bytes
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x & ((uint64_t{1} << (8 * n)) - 1);
}

// Reads the run of term bytes at p (after any leading apostrophes) into
// out (readable 8 bytes past the run), and returns where it ends. Trailing
// apostrophes are rare, so they are taken off afterwards.
const unsigned char* read_run(const unsigned char* p, const unsigned char* end, char* out, Run& run) {
  while (p < end && *p == '\'') ++p;
  uint8_t all = kDigit;
  size_t n = 0;
  for (; p < end; ++p) {
    const uint8_t cls = kByteClass[*p];
    if (!(cls & kTermByte)) break;
    out[n++] = kLower[*p];
    all &= cls;
  }
  if (n && out[n - 1] == '\'') {
    while (n && out[n - 1] == '\'') --n;
    all = kDigit;
    for (size_t k = 0; k < n; ++k) all &= kByteClass[static_cast<unsigned char>(out[k])];
  }
  run = {n, all};
  return p;
}

}  // namespace

// One pass: the term bytes of an ASCII word (runs of letters, digits and
// apostrophes, without leading and trailing apostrophes) are lowercased
// and hashed into the buffer as they are read, and each run is a
// candidate. A word that turns out to be a URL gives its candidates back;
// one with a non-ASCII byte too, and goes through other_word whole, as
// word_terms splits it.
const std::vector<TermSplitter::Term>& TermSplitter::split(std::string_view text) {
  used_ = 0;
  terms_.clear();
  room(text.size() + 8);  // ASCII terms never hold more bytes than the text (+8: load_packed)
  const StopwordSet& stop = stopword_set();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  const auto word_end = [end](const unsigned char* q) {
    while (q < end && !(kByteClass[*q] & kSpace)) ++q;
    return q;
  };
  while (p < end) {
    if (kByteClass[*p] & kSpace) {
      ++p;
      continue;
    }
    const unsigned char* const word = p;
    if (*p == '@') {
      p = word_end(p);  // a mention
      continue;
    }
    const size_t mark_terms = terms_.size(), mark_used = used_;
    bool skip = false, other = false;
    if (end - p >= 4 && kLower[p[0]] == 'w' && kLower[p[1]] == 'w' && kLower[p[2]] == 'w' && p[3] == '.') {
      // A www. address, unless it has other bytes: those go to other_word
      // whole (which keeps a word that is not valid UTF-8 unfolded).
      skip = true;
      for (; p < end && !(kByteClass[*p] & kSpace); ++p) other |= *p >= 0x80;
    }
    while (!skip && p < end) {
      const uint8_t cls = kByteClass[*p];
      if (cls & kTermByte) {
        Run run;
        char* out = bytes_.data() + used_;
        p = read_run(p, end, out, run);
        const auto size = static_cast<uint32_t>(run.size);
        if (size < 3 || (run.all & kDigit) || (size <= StopwordSet::kMaxLen && stop.has(load_packed(out, size))))
          continue;
        const uint64_t h = hash_term(out, size);
        if (!seen(used_, size, h)) {
          terms_.push_back({used_, size, h});
          used_ += size;
        }
        continue;
      }
      if (cls & kSpace) break;
      if (*p >= 0x80 || (*p == ':' && end - p >= 3 && p[1] == '/' && p[2] == '/')) {
        skip = true, other = *p >= 0x80;
        p = word_end(p);
        break;
      }
      ++p;
    }
    if (!skip) continue;
    terms_.resize(mark_terms);
    used_ = mark_used;
    if (other) {
      other_word({reinterpret_cast<const char*>(word), static_cast<size_t>(p - word)});
      room(static_cast<size_t>(end - p) + 8);
    }
  }
  return terms_;
}

void terms_of(std::string_view text, std::vector<std::string>& out) {
  TermSplitter s;
  out.clear();
  for (const auto& t : s.split(text)) out.emplace_back(s.text(t));
}

void TermCounter::add(std::string_view text, bool now) {
  splitter_.split(text);
  add_terms(splitter_, now);
}

void TermCounter::add_terms(const TermSplitter& split, bool now) {
  for (const auto& t : split.terms()) bump(split.text(t), t.hash, now ? 1 : 0, now ? 0 : 1);
}

void TermCounter::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (!s.size) continue;
    size_t i = (s.hash * 0x9E3779B97F4A7C15ull) >> 32 & mask;
    while (slots_[i].size) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void TermCounter::bump(std::string_view term, uint64_t hash, int64_t now, int64_t before) {
  if ((used_ + 1) * 2 > slots_.size()) grow();
  const size_t mask = slots_.size() - 1;
  size_t i = (hash * 0x9E3779B97F4A7C15ull) >> 32 & mask;
  for (;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (!s.size) break;
    if (s.hash == hash && s.size == term.size() && std::memcmp(keys_.data() + s.offset, term.data(), term.size()) == 0) {
      s.now += now, s.before += before;
      return;
    }
  }
  Slot& s = slots_[i];
  s = {hash, keys_.size(), static_cast<uint32_t>(term.size()), now, before};
  keys_.append(term);
  ++used_;
}

void TermCounter::merge(const TermCounter& other) {
  for (const Slot& s : other.slots_)
    if (s.size) bump({other.keys_.data() + s.offset, s.size}, s.hash, s.now, s.before);
}

std::vector<RisingTerm> TermCounter::rising(size_t limit) const {
  std::vector<RisingTerm> all;
  for (const Slot& s : slots_)
    if (s.size && s.now >= 2)
      all.push_back({std::string(keys_.data() + s.offset, s.size), s.now, s.before,
                     static_cast<double>(s.now + 1) / static_cast<double>(s.before + 1)});
  std::sort(all.begin(), all.end(), [](const RisingTerm& a, const RisingTerm& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.now != b.now) return a.now > b.now;
    return a.term < b.term;
  });
  if (all.size() > limit) all.resize(limit);
  return all;
}

}  // namespace socq::report
