// Test helper for the crash test: writes cases one transaction each and
// prints each id only after its commit. socq-store-writer DB START COUNT
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lib/case_json.h"
#include "lib/store.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: socq-store-writer DB START COUNT\n");
    return 2;
  }
  auto store = socq::open_sqlite_store(argv[1], 10000);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  const long start = std::atol(argv[2]), count = std::atol(argv[3]);
  const std::string filler(2000, 'x');
  socq::CaseParser parser;
  for (long n = start; n < start + count; ++n) {
    const std::string id = "x:crash:" + std::to_string(n);
    const std::string json = R"({"v":1,"id":")" + id + R"(","channel":"x","account":"crash","customer":{"id":"c)" +
                             std::to_string(n) + R"("},"messages":[{"id":"m)" + std::to_string(n) +
                             R"(","dir":"in","at":"2026-11-20T07:41:09Z","text":")" + filler +
                             R"("}],"status":"new","updated_at":"2026-11-20T07:41:09Z"})";
    auto c = parser.parse(json);
    auto batch = (*store)->begin_merge("2026-11-20T08:00:00Z", "writer");
    if (!c || !batch) return 1;
    if (!(*batch)->add(std::move(c).value()) || !(*batch)->commit()) return 1;
    std::printf("%s\n", id.c_str());
    std::fflush(stdout);
  }
  return 0;
}
