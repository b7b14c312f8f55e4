#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "lib/case_json.h"
#include "lib/import.h"
#include "lib/record_sort.h"
#include "tests/test_util.h"
#include "tests/twcs_util.h"

using namespace socq;
using namespace socq::test;

namespace {

struct Pair {
  uint32_t key, seq;
};

}  // namespace

TEST_CASE("sort_records sorts on disk across several runs, stably by the full order, losing nothing") {
  auto made = RecordFile<Pair>::create();
  REQUIRE(made.ok());
  RecordFile<Pair>& in = *made;
  std::mt19937 rng(7);
  const uint32_t n = 300000;  // 131,072 records a run: three runs to merge
  std::vector<Pair> want;
  bool written = true;
  for (uint32_t i = 0; i < n; ++i) {
    want.push_back({static_cast<uint32_t>(rng() % 5000), i});
    written = written && in.put(want.back()).ok();
  }
  REQUIRE(written);
  const auto less = [](const Pair& a, const Pair& b) { return a.key != b.key ? a.key < b.key : a.seq < b.seq; };
  auto sorted = sort_records(in, less);
  REQUIRE(sorted.ok());
  CHECK(sorted->size() == n);
  std::sort(want.begin(), want.end(), less);
  Pair p{};
  size_t i = 0;
  bool same = true;
  for (;; ++i) {
    auto got = sorted->get(p);
    if (!got.ok() || !*got) break;
    same = same && i < want.size() && p.key == want[i].key && p.seq == want[i].seq;
  }
  CHECK(i == n);
  CHECK(same);

  auto empty = RecordFile<Pair>::create();
  REQUIRE(empty.ok());
  auto none = sort_records(*empty, less);
  REQUIRE(none.ok());
  CHECK(none->size() == 0);
  auto got = none->get(p);
  REQUIRE(got.ok());
  CHECK_FALSE(*got);
}

TEST_CASE("import_twcs links replies on disk: many rows, long chains both ways, repeats and cycles, as build_cases") {
  TempDir dir;
  const std::string f = dir.file("t.csv");
  std::ofstream out(f);
  out << "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";
  std::mt19937 rng(11);
  const int n = 80000;  // more ids than one sort run holds (65,536)
  for (int i = 0; i < n; ++i) {
    const int id = i < 2000 ? 2000 - i : static_cast<int>(rng() % (n + 5000)) + 1;  // a chain written leaf first, then repeats
    std::string parent;
    if (i < 2000) parent = i + 1 < 2000 ? std::to_string(2000 - i - 1) : "";
    else if (rng() % 4 != 0) parent = std::to_string(rng() % (n + 5000) + 1);
    if (i % 997 == 0) parent = std::to_string(id);  // a self-reply
    const bool inbound = rng() % 3 != 0;
    out << id << "," << (inbound ? "user" + std::to_string(rng() % 50) : "Brand" + std::to_string(rng() % 3)) << ","
        << (inbound ? "True" : "False") << ",Tue Oct 31 22:" << (10 + i % 50) << ":00 +0000 2017,msg " << i << ",,"
        << parent << "\n";
  }
  out.close();
  ThreadStats streamed, whole;
  const auto a = twcs_cases(f, true, streamed), b = twcs_cases(f, false, whole);
  CHECK(a.size() == b.size());
  CHECK(a == b);
  CHECK(streamed.messages == whole.messages);
  CHECK(streamed.duplicates == whole.duplicates);
  CHECK(streamed.duplicates > 0);
  CHECK(streamed.orphan_replies == whole.orphan_replies);
}
