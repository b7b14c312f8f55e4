// The IBM customer care importer: the same contract as TWCS.
#include "lib/import.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = socq::fuzz::write_temp(data, size, ".ibm.json");
  socq::ImportStats stats;
  std::vector<socq::ImportMessage> msgs;
  if (!socq::read_ibm_cc(path, {true, {}}, stats, msgs)) return 0;
  socq::ThreadStats threads;
  for (const auto& c : socq::build_cases(std::move(msgs), "x", threads)) socq::fuzz::must_read_back(c);
  return 0;
}
