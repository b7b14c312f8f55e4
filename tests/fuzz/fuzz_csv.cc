// The CSV reader with a column mapping: the first byte picks the time
// format, the rest is the file (columns id,who,when,what,dir,chan,parent).
#include <array>

#include "lib/import.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::array<const char*, 5> kFormats{"rfc3339", "epoch", "epoch_ms", "twitter", "%Y-%m-%d %H:%M:%S %z"};
  socq::CsvMapping m;
  for (const auto& [k, v] : {std::pair{"id", "id"}, {"author", "who"}, {"at", "when"}, {"text", "what"}, {"inbound", "dir"},
                             {"channel", "chan"}, {"parent", "parent"}, {"account_name", "brand"}})
    (void)socq::set_mapping(m, k, v);
  m.time_format = kFormats[data[0] % kFormats.size()];
  const std::string path = socq::fuzz::write_temp(data + 1, size - 1, ".csv");
  socq::ImportStats stats;
  std::map<std::string, std::vector<socq::ImportMessage>> by_channel;
  if (!socq::read_mapped_csv(path, m, {true, {}}, stats, by_channel)) return 0;
  for (auto& [channel, msgs] : by_channel) {
    socq::ThreadStats threads;
    for (const auto& c : socq::build_cases(std::move(msgs), channel, threads)) socq::fuzz::must_read_back(c);
  }
  return 0;
}
