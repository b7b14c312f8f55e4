// The TWCS importer: bad rows are skipped and counted, never a crash, and
// every case built from the rest reads back. The streaming import (threads
// linked on disk, import_twcs) makes the same cases as building them all at
// once (read_twcs + build_cases).
#include <algorithm>

#include "lib/import.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = socq::fuzz::write_temp(data, size, ".twcs.csv");
  socq::ImportStats stats;
  std::vector<socq::ImportMessage> msgs;
  if (!socq::read_twcs(path, {true, {}}, stats, msgs)) return 0;
  socq::ThreadStats threads;
  std::vector<std::string> whole;
  for (const auto& c : socq::build_cases(std::move(msgs), "x", threads)) {
    socq::fuzz::must_read_back(c);
    whole.push_back(socq::case_to_json(c));
  }
  socq::ImportStats stats2;
  socq::ThreadStats threads2;
  std::vector<std::string> streamed;
  const auto st = socq::import_twcs(path, {true, {}}, stats2, threads2, [&](socq::Case&& c) {
    streamed.push_back(socq::case_to_json(c));
    return socq::ok_status();
  });
  std::sort(whole.begin(), whole.end());
  std::sort(streamed.begin(), streamed.end());
  if (!st || streamed != whole || threads2.duplicates != threads.duplicates) {
    std::fprintf(stderr, "import_twcs made other cases than read_twcs + build_cases\n");
    std::abort();
  }
  return 0;
}
