// The case reader: any bytes give a case or an error, never a crash; a case
// it accepts, written canonically, reads back to the same canonical text.
#include <cstdlib>
#include <string_view>

#include "lib/case_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static socq::CaseParser parser;
  auto c = parser.parse(std::string_view(reinterpret_cast<const char*>(data), size));
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
