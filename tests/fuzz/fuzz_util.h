// Shared by the libFuzzer targets: bytes to a file (the importers read
// paths), and the invariant every importer keeps: a case it builds is one
// the case reader accepts (the same rules into the store as out of it).
#pragma once
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "lib/case_json.h"

namespace socq::fuzz {

inline std::string write_temp(const uint8_t* data, size_t size, const char* suffix) {
  const std::string path = "/tmp/socq-fuzz-" + std::to_string(getpid()) + suffix;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

inline void must_read_back(const Case& c) {
  static CaseParser parser;
  const std::string json = case_to_json(c);
  auto back = parser.parse(json);
  if (!back) {
    std::fprintf(stderr, "a built case the reader refuses: %s\n%s\n", back.error().message.c_str(), json.c_str());
    std::abort();
  }
}

}  // namespace socq::fuzz
