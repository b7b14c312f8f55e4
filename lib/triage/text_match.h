// Text matching for triage rules: NFC case-folded text (utf8proc),
// keywords on Unicode word boundaries (RE2's \b is ASCII-only) and RE2
// regexes, all compiled into one RE2::Set so a case's text is scanned once
// whatever the number of rules.
#pragma once
#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace socq {

// NFC + Unicode case folding ("Straße" -> "strasse", "É" -> "é"), and each
// run of whitespace made one space, so "switching   provider" is found as
// "switching provider". ASCII text takes a fast path; invalid UTF-8 is
// folded byte-wise (ASCII letters only).
std::string fold_text(std::string_view s);
void fold_text_into(std::string_view s, std::string& out);

// Whether folded text holds the folded keyword as a whole word: at each end
// of the keyword that is a letter, digit or mark, the text must not go on
// with a letter, digit or mark (a Unicode word boundary).
bool contains_word(std::string_view folded, std::string_view keyword);

// Many patterns, one scan. Add patterns, compile(), then match().
class PatternSet {
 public:
  PatternSet();
  ~PatternSet();
  PatternSet(const PatternSet&) = delete;
  PatternSet& operator=(const PatternSet&) = delete;
  PatternSet(PatternSet&&) noexcept;
  PatternSet& operator=(PatternSet&&) noexcept;

  // Adds a keyword (folded here); returns its index. The set finds it as a
  // literal; match() then checks its word boundaries.
  int add_keyword(std::string_view keyword);
  // Adds an RE2 regex (applied to folded text); returns its index, or -1
  // with *error set when the regex does not compile.
  int add_regex(std::string_view regex, std::string* error);
  bool compile(std::string* error);
  size_t size() const { return patterns_.size(); }
  // Indices of the patterns found in `folded` text, ascending.
  void match(std::string_view folded, std::vector<int>& hits) const;
  // For --explain: the matched text of pattern i in `folded`, or "".
  std::string matched_text(int i, std::string_view folded) const;

 private:
  std::vector<std::unique_ptr<re2::RE2>> patterns_;  // each alone, for explain
  std::vector<std::string> keywords_;                // folded; "" for a regex
  std::unique_ptr<re2::RE2::Set> set_;
  bool compiled_ = false;
};

}  // namespace socq
