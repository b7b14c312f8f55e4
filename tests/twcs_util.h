// A TWCS file's cases for the import tests: the streaming importer and the
// all-at-once builder must make the same ones.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "lib/case_json.h"
#include "lib/import.h"

namespace socq::test {

// Every case of a TWCS file as JSON, sorted: streamed (import_twcs) or all
// at once (read_twcs, then build_cases).
inline std::vector<std::string> twcs_cases(const std::string& f, bool streamed, ThreadStats& threads) {
  std::vector<std::string> out;
  ImportStats stats;
  if (streamed) {
    REQUIRE(import_twcs(f, {}, stats, threads, [&](Case&& c) {
              out.push_back(case_to_json(c));
              return ok_status();
            }).ok());
  } else {
    std::vector<ImportMessage> msgs;
    REQUIRE(read_twcs(f, {}, stats, msgs).ok());
    for (const auto& c : build_cases(std::move(msgs), "x", threads)) out.push_back(case_to_json(c));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace socq::test
