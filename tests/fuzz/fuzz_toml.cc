// The TOML readers: a config file (with its account checks) and a CSV
// mapping file. Errors are values, never a crash.
#include "lib/config.h"
#include "lib/import.h"
#include "tests/fuzz/fuzz_util.h"

namespace {
std::optional<std::string> no_env(const char*) { return std::nullopt; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = socq::fuzz::write_temp(data, size, ".toml");
  if (auto cfg = socq::load_config(path, no_env)) (void)socq::check_accounts(*cfg, no_env);
  socq::CsvMapping m;
  (void)socq::load_mapping(path, m);
  return 0;
}
