#include <doctest/doctest.h>

#include "lib/jsonl.h"
#include "tests/test_util.h"

using namespace socq;
using namespace socq::test;

namespace {
struct ReadResult {
  Status status = ok_status();
  std::vector<Case> cases;
  ReadStats stats;
};

ReadResult read_all(const std::string& path, bool skip_bad = false) {
  ReadResult r;
  r.status = read_cases(path, {skip_bad}, r.stats, [&](Case&& c) {
    r.cases.push_back(std::move(c));
    return ok_status();
  });
  return r;
}
}  // namespace

TEST_CASE("CRLF, a BOM, blank lines and a missing final newline are all read") {
  TempDir dir;
  const std::string f = dir.file("in.jsonl");
  write_file(f, "\xEF\xBB\xBF" + case_json("1") + "\r\n\r\n   \n" + case_json("2") + "\n\n" + case_json("3"));
  auto r = read_all(f);
  REQUIRE(r.status.ok());
  REQUIRE(r.cases.size() == 3);
  CHECK(r.cases[0].source == case_json("1"));  // no BOM, no CR
  CHECK(r.cases[2].id == "mastodon:transit@example.social:3");
  CHECK(r.stats.lines == 3);
}

TEST_CASE("a bad line stops the read with file:line and the field") {
  TempDir dir;
  const std::string f = dir.file("bad.jsonl");
  write_file(f, case_json("1") + "\n\n" + case_json("2", R"(,"priority":"high")") + "\n" + case_json("3") + "\n");
  auto r = read_all(f);
  REQUIRE_FALSE(r.status.ok());
  CHECK(r.status.error().code == Exit::data);
  CHECK(r.status.error().message.rfind(f + ":3: priority: must be p1", 0) == 0);
  CHECK(r.cases.size() == 1);
}

TEST_CASE("skip_bad skips and counts bad lines") {
  TempDir dir;
  const std::string f = dir.file("bad.jsonl");
  write_file(f, "not json\n" + case_json("1") + "\n{\"v\":1}\n" + case_json("2") + "\n");
  auto r = read_all(f, true);
  REQUIRE(r.status.ok());
  CHECK(r.cases.size() == 2);
  CHECK(r.stats.skipped == 2);
  INFO(r.stats.first_skip);
  CHECK(r.stats.first_skip == f + ":1: expected a JSON object (one case per line)");
}

TEST_CASE("invalid UTF-8 is an error naming the line") {
  TempDir dir;
  const std::string f = dir.file("utf8.jsonl");
  std::string bad = case_json("1");
  bad.replace(bad.find("Train"), 5, "Tr\xFF\xFEn");
  write_file(f, case_json("0") + "\n" + bad + "\n");
  auto r = read_all(f);
  REQUIRE_FALSE(r.status.ok());
  CHECK(r.status.error().message.rfind(f + ":2: ", 0) == 0);
  CHECK(r.status.error().message.find("UTF-8") != std::string::npos);
}

TEST_CASE("lines of several megabytes are read across buffer refills") {
  TempDir dir;
  const std::string f = dir.file("big.jsonl");
  const std::string text(5 * 1024 * 1024, 'a');
  const std::string msgs = R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","text":")" + text + R"("}])";
  write_file(f, case_json("1") + "\n" + case_json("2", "", msgs) + "\n" + case_json("3", "", msgs));
  auto r = read_all(f);
  REQUIRE(r.status.ok());
  REQUIRE(r.cases.size() == 3);
  CHECK(r.cases[1].messages[0].text.size() == text.size());
  CHECK(r.cases[2].messages[0].text == text);
}

TEST_CASE("a missing file is no_input") {
  auto r = read_all("/nonexistent/socq/cases.jsonl");
  REQUIRE_FALSE(r.status.ok());
  CHECK(r.status.error().code == Exit::no_input);
  CHECK(r.status.error().message.find("/nonexistent/socq/cases.jsonl") != std::string::npos);
}

TEST_CASE("the writer writes one case per line, unchanged cases byte for byte") {
  TempDir dir;
  const std::string in = dir.file("in.jsonl"), out = dir.file("out.jsonl");
  const std::string content = case_json("1", R"(,"x":{ "a" : 1 })") + "\n" + case_json("2") + "\n";
  write_file(in, content);
  std::FILE* f = std::fopen(out.c_str(), "wb");
  {
    JsonlWriter w(f);
    auto r = read_all(in);
    REQUIRE(r.status.ok());
    for (const auto& c : r.cases) w.write(c);
    CHECK(w.flush().ok());
  }
  std::fclose(f);
  CHECK(read_file(out) == content);
}
