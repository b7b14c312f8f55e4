// The Facebook Graph response parsers a server's bytes reach: a
// conversations or comments answer into cases, and Graph times. Any input
// gives cases or a data error, never a crash; every case built reads back.
#include <string>

#include "lib/channels/facebook.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const socq::Identity us{"104000000000001", "northrail"};
  for (const char* stream : {"conversations", "comments"})
    if (auto cases = socq::facebook_cases_from_body(body, stream, us))
      for (const auto& c : *cases) socq::fuzz::must_read_back(c);
  (void)socq::parse_graph_time(body);
  return 0;
}
