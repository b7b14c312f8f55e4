// The X response parsers a server's bytes reach: a mentions, tweets or
// dm_events answer into cases. Any input gives cases or a data error, never
// a crash, and every case built reads back through the case reader.
#include <string>

#include "lib/channels/x.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const socq::Identity us{"1500000000000000001", "northrail"};
  for (const char* stream : {"mentions", "tweets", "dm_events"})
    if (auto cases = socq::x_cases_from_body(body, stream, us))
      for (const auto& c : *cases) socq::fuzz::must_read_back(c);
  (void)socq::x_unescape(body);
  return 0;
}
