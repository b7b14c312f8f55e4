// The case reader: any bytes give a case or an error, never a crash; a case
// it accepts, written canonically, reads back to the same canonical text;
// validate() (the pass-through's check) gives parse()'s verdict and error;
// parse_reusing() into the case of the inputs before gives parse()'s case;
// the one-pass fast path gives what simdjson alone gives.
#include <cstdlib>
#include <string_view>

#include "lib/case_json.h"

namespace {
// The canonical text: write_case would give the kept source line instead.
std::string canonical(const socq::Case& c) {
  std::string out;
  socq::write_case_canonical(out, c);
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static socq::CaseParser parser;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = parser.parse(text);
  auto valid = parser.validate(text);
  if (valid.ok() != c.ok() || (!c && valid.error().message != c.error().message)) std::abort();
  static socq::Case reused;  // holds what the inputs before left in it
  std::string padded(text);
  padded.append(socq::CaseParser::padding(), '\0');
  auto st = parser.parse_reusing(padded.data(), text.size(), padded.size(), reused);
  if (st.ok() != c.ok() || (!c && st.error().message != c.error().message)) std::abort();
  if (c && (canonical(reused) != canonical(*c) || reused.source != c->source)) std::abort();
  static socq::CaseParser slow_parser;
  slow_parser.use_fast_path(false);
  auto slow = slow_parser.parse(text);
  if (slow.ok() != c.ok() || (!c && slow.error().message != c.error().message)) std::abort();
  if (c && (canonical(*slow) != canonical(*c) || slow->source != c->source)) std::abort();
  if (!c) return 0;
  c->touched();
  std::string once;
  socq::write_case_canonical(once, *c);
  auto again = parser.parse(once);
  if (!again) std::abort();
  std::string twice;
  socq::write_case_canonical(twice, *again);
  if (once != twice) std::abort();
  return 0;
}
