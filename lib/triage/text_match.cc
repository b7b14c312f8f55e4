#include "lib/triage/text_match.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>

namespace socq {
namespace {

bool is_ascii(std::string_view s) {
  for (unsigned char ch : s)
    if (ch >= 0x80) return false;
  return true;
}

bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }

// Appends s lower-cased (ASCII letters), each whitespace run as one space.
void ascii_lower_into(std::string_view s, std::string& out) {
  // Written through a pointer into room made first: no push_back a byte.
  const size_t start = out.size();
  bool space = start > 0 && out.back() == ' ';
  out.resize(start + s.size());
  char* w = out.data() + start;
  for (char ch : s) {
    if (is_space(ch)) {
      if (!space) *w++ = ' ';
      space = true;
      continue;
    }
    space = false;
    *w++ = ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  out.resize(static_cast<size_t>(w - out.data()));
}

// Letters, digits and combining marks make words; everything else parts them.
bool is_word_cp(int32_t cp) {
  if (cp >= 0 && cp < 0x80)  // ASCII: letters (Lu, Ll) and digits (Nd) only
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

int32_t first_cp(std::string_view s) {
  if (!s.empty() && static_cast<unsigned char>(s[0]) < 0x80) return static_cast<unsigned char>(s[0]);
  int32_t cp = -1;
  utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()), &cp);
  return cp;
}

int32_t last_cp(std::string_view s) {
  size_t i = s.size();
  while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80) --i;
  if (i > 0) --i;
  return first_cp(s.substr(i));
}

re2::RE2::Options pattern_options() {
  re2::RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);  // many keywords in one DFA
  return o;
}

}  // namespace

// NFC + case folding of s through utf8proc, appended; false on invalid UTF-8.
static bool utf8proc_fold_into(std::string_view s, std::string& out) {
  utf8proc_uint8_t* folded = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
                              &folded, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
  if (n < 0) return false;
  // Folded text is ASCII-lowered already; this pass only collapses spaces.
  ascii_lower_into(std::string_view(reinterpret_cast<const char*>(folded), static_cast<size_t>(n)), out);
  std::free(folded);
  return true;
}

void fold_text_into(std::string_view s, std::string& out) {
  if (is_ascii(s)) return ascii_lower_into(s, out);
  // Word by word: ASCII whitespace neither composes nor folds with its
  // neighbours (a starter no composite begins with), so only the words
  // holding non-ASCII bytes need utf8proc; the rest take the fast path.
  const size_t start = out.size();
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    bool ascii = true;
    while (j < s.size() && !is_space(s[j])) ascii &= static_cast<unsigned char>(s[j++]) < 0x80;
    while (j < s.size() && is_space(s[j])) ++j;  // the word and the spaces after it
    const std::string_view part = s.substr(i, j - i);
    if (ascii) {
      ascii_lower_into(part, out);
    } else if (!utf8proc_fold_into(part, out)) {
      out.resize(start);  // invalid UTF-8: still match ASCII words
      return ascii_lower_into(s, out);
    }
    i = j;
  }
}

std::string fold_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  fold_text_into(s, out);
  return out;
}

bool contains_word(std::string_view text, std::string_view kw) {
  if (kw.empty()) return false;
  const bool word_start = is_word_cp(first_cp(kw)), word_end = is_word_cp(last_cp(kw));
  for (size_t at = text.find(kw); at != std::string_view::npos; at = text.find(kw, at + 1)) {
    const bool left_ok = !word_start || at == 0 || !is_word_cp(last_cp(text.substr(0, at)));
    const size_t after = at + kw.size();
    const bool right_ok = !word_end || after == text.size() || !is_word_cp(first_cp(text.substr(after)));
    if (left_ok && right_ok) return true;
  }
  return false;
}

PatternSet::PatternSet() = default;
PatternSet::~PatternSet() = default;
PatternSet::PatternSet(PatternSet&&) noexcept = default;
PatternSet& PatternSet::operator=(PatternSet&&) noexcept = default;

int PatternSet::add_keyword(std::string_view keyword) {
  std::string folded = fold_text(keyword);
  // Outer spaces would only blur the word boundary.
  while (!folded.empty() && folded.back() == ' ') folded.pop_back();
  size_t start = folded.find_first_not_of(' ');
  folded = start == std::string::npos ? std::string() : folded.substr(start);
  patterns_.push_back(std::make_unique<re2::RE2>(re2::RE2::QuoteMeta(folded), pattern_options()));
  keywords_.push_back(std::move(folded));
  compiled_ = false;
  return static_cast<int>(patterns_.size() - 1);
}

int PatternSet::add_regex(std::string_view regex, std::string* error) {
  auto re = std::make_unique<re2::RE2>(regex, pattern_options());
  if (!re->ok()) {
    if (error) *error = re->error();
    return -1;
  }
  patterns_.push_back(std::move(re));
  keywords_.emplace_back();
  compiled_ = false;
  return static_cast<int>(patterns_.size() - 1);
}

bool PatternSet::compile(std::string* error) {
  set_ = std::make_unique<re2::RE2::Set>(pattern_options(), re2::RE2::UNANCHORED);
  for (const auto& re : patterns_) {
    std::string err;
    if (set_->Add(re->pattern(), &err) < 0) {
      if (error) *error = err;
      return false;
    }
  }
  compiled_ = patterns_.empty() || set_->Compile();
  if (!compiled_ && error) *error = "the patterns need more memory than RE2 allows";
  return compiled_;
}

void PatternSet::match(std::string_view folded, std::vector<int>& hits) const {
  hits.clear();
  if (!compiled_ || patterns_.empty()) return;
  set_->Match(folded, &hits);
  // The set found keywords as literals; keep those that stand as words.
  hits.erase(std::remove_if(hits.begin(), hits.end(),
                            [&](int i) {
                              const std::string& kw = keywords_[static_cast<size_t>(i)];
                              return !kw.empty() && !contains_word(folded, kw);
                            }),
             hits.end());
  std::sort(hits.begin(), hits.end());
}

std::string PatternSet::matched_text(int i, std::string_view folded) const {
  if (i < 0 || static_cast<size_t>(i) >= patterns_.size()) return "";
  if (!keywords_[static_cast<size_t>(i)].empty()) return keywords_[static_cast<size_t>(i)];
  re2::StringPiece m;
  if (!patterns_[static_cast<size_t>(i)]->Match(folded, 0, folded.size(), re2::RE2::UNANCHORED, &m, 1)) return "";
  return std::string(m.data(), m.size());
}

}  // namespace socq
