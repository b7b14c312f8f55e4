#include "lib/triage/pii.h"

#include <algorithm>
#include <initializer_list>

namespace socq {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Any byte of a multi-byte UTF-8 character counts as a letter: a number
// glued to a word is not a phone or card number.
bool is_wordish(char c) { return is_digit(c) || is_alpha(c) || static_cast<unsigned char>(c) >= 0x80 || c == '_'; }

re2::RE2::Options quiet_options() {
  re2::RE2::Options o;
  o.set_log_errors(false);
  return o;
}

// A run of digits and separators: where a phone or card number may hide.
struct NumberRun {
  size_t begin = 0, end = 0;  // [begin, end) in the text
  std::string digits;
  std::string separators;     // the separator characters seen
  std::vector<size_t> groups;  // digit counts between separators
  bool plus = false, paren = false;
};

bool is_sep(char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; }

// Reads the run starting at i (a digit, '+' or '(' before a digit).
NumberRun read_run(std::string_view t, size_t i) {
  NumberRun r;
  r.begin = i;
  if (t[i] == '+') r.plus = true, ++i;
  if (i < t.size() && t[i] == '(') r.paren = true;
  size_t last_digit_end = i, group = 0, seps_in_row = 0;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (is_digit(c)) {
      r.digits.push_back(c);
      ++group;
      seps_in_row = 0;
      last_digit_end = i + 1;
    } else if (is_sep(c) && seps_in_row < 2) {
      if (group) r.groups.push_back(group);
      group = 0;
      if (c != '(' && c != ')') r.separators.push_back(c);
      ++seps_in_row;
    } else {
      break;
    }
  }
  if (group) r.groups.push_back(group);
  r.end = last_digit_end;
  return r;
}

bool bounded(std::string_view t, const NumberRun& r) {
  if (r.begin > 0) {
    const char p = t[r.begin - 1];
    if (is_wordish(p) || p == '#' || p == '$' || p == '/' || p == ':' || p == '.' || p == ',') return false;
    // Currency signs in UTF-8 (£ is C2 A3, € is E2 82 AC) are caught by
    // is_wordish above.
  }
  if (r.end < t.size()) {
    const char n = t[r.end];
    if (is_wordish(n) || n == '%' || n == ':' || n == '/' || (n == ',' && r.end + 1 < t.size() && is_digit(t[r.end + 1])))
      return false;
  }
  return true;
}

bool looks_like_date(const NumberRun& r) {
  return r.groups.size() == 3 && r.digits.size() <= 8 &&
         ((r.groups[0] == 4 && r.groups[1] <= 2 && r.groups[2] <= 2) ||
          (r.groups[0] <= 2 && r.groups[1] <= 2 && (r.groups[2] == 4 || r.groups[2] == 2)));
}

// The last two words just before a number: do they say it is an order,
// reference or account number ("order 0412345678", "account no: ...")?
std::vector<std::string> words_before(std::string_view t, size_t begin) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = begin; i-- > 0 && words.size() < 2;) {
    const char c = t[i];
    if (is_alpha(c)) {
      word.insert(word.begin(), c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    } else if (c != ' ' && c != ':' && c != '#' && c != '.' && c != '-') {
      break;  // other punctuation ends the phrase
    }
  }
  if (!word.empty() && words.size() < 2) words.push_back(word);
  return words;
}

bool any_word_of(const std::vector<std::string>& words, std::initializer_list<const char*> list) {
  for (const auto& w : words)
    for (const char* x : list)
      if (w == x) return true;
  return false;
}

bool after_reference_word(std::string_view t, size_t begin) {
  return any_word_of(words_before(t, begin), {"order", "ref", "reference", "invoice", "tracking", "account", "acct", "card",
                                              "booking", "ticket", "id", "no", "nr", "case"});
}

// "call me on 4045781025", "reached at ...": words that label a phone number.
bool after_phone_word(std::string_view t, size_t begin) {
  const auto words = words_before(t, begin);
  return any_word_of(words, {"call", "phone", "mobile", "cell", "tel", "reached", "ring", "whatsapp", "text"}) ||
         (words.size() == 2 && words[0] == "at" && words[1] == "me");  // "call me at": words run backwards
}

bool phone_run(std::string_view t, const NumberRun& r) {
  const size_t n = r.digits.size();
  if (n < 8 || n > 15 || !bounded(t, r) || looks_like_date(r)) return false;
  // An amount: 1234.56 or 12.345.678 with a dot before the last two digits.
  if (r.separators.find('.') != std::string::npos && !r.plus && r.groups.size() >= 2 && r.groups.back() == 2) return false;
  if (r.plus) return true;  // +44 20 7946 0958, +1-202-555-0143, +254711303113
  if (after_reference_word(t, r.begin)) return false;
  // (02) 9374 4000, (202) 555-0143: an area code in brackets, then more.
  if (r.paren) return n >= 9 && n <= 11 && r.groups.size() >= 2 && r.groups[0] >= 2 && r.groups[0] <= 5;
  if (r.digits[0] == '0') return n >= 9 && n <= 11 && r.digits[1] != '0';  // 0412 345 678, 01120738976
  // No trunk prefix: the North American 3-3-4 grouping, or ten digits that
  // a word like "call" or "phone" labels.
  if (n == 10 && r.groups.size() == 3 && r.groups[0] == 3 && r.groups[1] == 3 && r.groups[2] == 4) return true;
  return n == 10 && r.groups.size() == 1 && after_phone_word(t, r.begin);
}

bool card_run(std::string_view t, const NumberRun& r) {
  const size_t n = r.digits.size();
  if (n < 13 || n > 19 || r.plus || r.paren || !bounded(t, r)) return false;
  if (r.separators.find_first_not_of(" -") != std::string::npos) return false;
  if (r.digits[0] < '2' || r.digits[0] > '6') return false;  // issuer ranges: 2-6
  return luhn_ok(r.digits);
}

template <class Pred>
bool any_run(std::string_view t, Pred pred) {
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const bool start = is_digit(c) || ((c == '+' || c == '(') && i + 1 < t.size() && (is_digit(t[i + 1]) || t[i + 1] == '('));
    if (!start) continue;
    if (is_digit(c) && i > 0 && is_digit(t[i - 1])) continue;
    const NumberRun r = read_run(t, i);
    if (pred(t, r)) return true;
    i = std::max(i, r.end == 0 ? i : r.end - 1);
  }
  return false;
}

size_t count_digits(std::string_view t) { return static_cast<size_t>(std::count_if(t.begin(), t.end(), is_digit)); }

}  // namespace

bool is_pii_kind(std::string_view kind) {
  return std::any_of(std::begin(kPiiKinds), std::end(kPiiKinds), [&](const char* k) { return kind == k; });
}

bool luhn_ok(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice && (d *= 2) > 9) d -= 9;
    sum += d;
    twice = !twice;
  }
  return !digits.empty() && sum % 10 == 0;
}

bool has_email(std::string_view text) {
  if (text.find('@') == std::string_view::npos) return false;
  static const re2::RE2 re(R"(([\pL\pN._%+\-]+)@[\pL\pN\-]+(?:\.[\pL\pN\-]+)*\.\pL{2,})", quiet_options());
  re2::StringPiece in(text.data(), text.size());
  re2::StringPiece local;
  while (re2::RE2::FindAndConsume(&in, re, &local)) {
    // "@ann@example.org" is a fediverse handle, not an address.
    const size_t at = static_cast<size_t>(local.data() - text.data());
    if (at > 0 && text[at - 1] == '@') continue;
    if (local.empty() || local[0] == '.') continue;
    return true;
  }
  return false;
}

bool has_phone(std::string_view text) { return count_digits(text) >= 8 && any_run(text, phone_run); }
bool has_card(std::string_view text) { return count_digits(text) >= 13 && any_run(text, card_run); }

PiiDetector::PiiDetector() = default;
PiiDetector::~PiiDetector() = default;
PiiDetector::PiiDetector(PiiDetector&&) noexcept = default;
PiiDetector& PiiDetector::operator=(PiiDetector&&) noexcept = default;

bool PiiDetector::add_account_pattern(const std::string& regex, std::string* error) {
  auto re = std::make_unique<re2::RE2>(regex, quiet_options());
  if (!re->ok()) {
    if (error) *error = re->error();
    return false;
  }
  account_patterns_.push_back(std::move(re));
  return true;
}

bool PiiDetector::wants(std::string_view kind) const { return std::find(kinds_.begin(), kinds_.end(), kind) != kinds_.end(); }

void PiiDetector::set_kinds(std::vector<std::string> kinds) {
  kinds_ = std::move(kinds);
  for (size_t i = 0; i < std::size(kPiiKinds); ++i) want_[i] = wants(kPiiKinds[i]);
}

void PiiDetector::scan(std::string_view text, std::vector<std::string>& found) const {
  auto note = [&](const char* kind, bool present) {
    if (present && std::find(found.begin(), found.end(), kind) == found.end()) found.emplace_back(kind);
  };
  auto seen = [&](const char* kind) { return std::find(found.begin(), found.end(), kind) != found.end(); };
  if (want_[0] && !seen("email")) note("email", has_email(text));
  if (want_[1] && !seen("phone")) note("phone", has_phone(text));
  if (want_[2] && !seen("card")) note("card", has_card(text));
  if (want_[3] && !account_patterns_.empty() && !seen("account"))
    note("account", std::any_of(account_patterns_.begin(), account_patterns_.end(),
                                [&](const auto& re) { return re2::RE2::PartialMatch(text, *re); }));
  std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
    auto rank = [](const std::string& k) {
      return std::find_if(std::begin(kPiiKinds), std::end(kPiiKinds), [&](const char* x) { return k == x; }) - std::begin(kPiiKinds);
    };
    return rank(a) < rank(b);
  });
}

}  // namespace socq
