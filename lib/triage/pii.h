// PII in customers' public messages: e-mail addresses, phone numbers,
// payment card numbers (Luhn-checked) and account or reference numbers by
// configurable RE2 patterns. Only the kinds found leave this unit, never the
// values (DESIGN.md: `pii[]` holds kinds only).
#pragma once
#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace socq {

// The kinds, in the order a case lists them.
inline constexpr const char* kPiiKinds[] = {"email", "phone", "card", "account"};
bool is_pii_kind(std::string_view kind);

// Each detector alone, for tests and --explain.
bool has_email(std::string_view text);
bool has_phone(std::string_view text);
bool has_card(std::string_view text);
bool luhn_ok(std::string_view digits);

class PiiDetector {
 public:
  PiiDetector();
  ~PiiDetector();
  PiiDetector(PiiDetector&&) noexcept;
  PiiDetector& operator=(PiiDetector&&) noexcept;

  // An account/reference number pattern (RE2, on the original text). False
  // with *error set when it does not compile.
  bool add_account_pattern(const std::string& regex, std::string* error);
  // Limits detection to these kinds (default: all).
  void set_kinds(std::vector<std::string> kinds);
  // Adds the kinds found in `text` to `found` (kept in kPiiKinds order, no
  // duplicates).
  void scan(std::string_view text, std::vector<std::string>& found) const;

 private:
  bool wants(std::string_view kind) const;
  std::vector<std::unique_ptr<re2::RE2>> account_patterns_;
  std::vector<std::string> kinds_{std::begin(kPiiKinds), std::end(kPiiKinds)};
  bool want_[std::size(kPiiKinds)] = {true, true, true, true};  // wants(kPiiKinds[i]), kept by set_kinds
};

}  // namespace socq
