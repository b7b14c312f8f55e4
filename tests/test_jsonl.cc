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

// ---- the pass-through (copy_cases) against read_cases and the writer ----

namespace {
struct CopyResult {
  Status status = ok_status();
  std::string out;
  ReadStats stats;
};

CopyResult copy_all(TempDir& dir, const std::string& path, bool skip_bad = false) {
  CopyResult r;
  const std::string out = dir.file("copy.out");
  std::FILE* f = std::fopen(out.c_str(), "wb");
  r.status = copy_cases(path, {skip_bad}, r.stats, f);
  std::fclose(f);
  r.out = read_file(out);
  return r;
}

// What read_cases and JsonlWriter give for the same input.
CopyResult reference(TempDir& dir, const std::string& path, bool skip_bad = false) {
  CopyResult r;
  const std::string out = dir.file("ref.out");
  std::FILE* f = std::fopen(out.c_str(), "wb");
  {
    JsonlWriter w(f);
    r.status = read_cases(path, {skip_bad}, r.stats, [&](Case&& c) {
      w.write(c);
      return ok_status();
    });
  }
  std::fclose(f);
  r.out = read_file(out);
  return r;
}

void check_same(TempDir& dir, const std::string& path, bool skip_bad) {
  const auto got = copy_all(dir, path, skip_bad), want = reference(dir, path, skip_bad);
  CHECK(got.status.ok() == want.status.ok());
  if (!want.status.ok()) {
    CHECK(got.status.error().code == want.status.error().code);
    CHECK(got.status.error().message == want.status.error().message);
  }
  CHECK(got.out == want.out);
  CHECK(got.stats.lines == want.stats.lines);
  CHECK(got.stats.cases == want.stats.cases);
  CHECK(got.stats.skipped == want.stats.skipped);
  CHECK(got.stats.first_skip == want.stats.first_skip);
}
}  // namespace

TEST_CASE("copy_cases: CRLF, a BOM, blank lines, no final newline and bad lines as read_cases") {
  TempDir dir;
  const std::string f = dir.file("in.jsonl");
  std::string bad_utf8 = case_json("5");
  bad_utf8.replace(bad_utf8.find("Train"), 5, "Tr\xFF\xFEn");
  const std::vector<std::string> inputs = {
      "\xEF\xBB\xBF" + case_json("1") + "\r\n\r\n   \n" + case_json("2") + "\n\n" + case_json("3"),
      case_json("1") + "\n" + case_json("2", R"(,"priority":"high")") + "\n" + case_json("3") + "\n",
      "not json\n" + case_json("1") + "\n{\"v\":1}\n" + case_json("2") + "\r\n" + bad_utf8 + "\n",
      case_json("1", R"(,"x":{ "a" : [1e400, 123456789012345678901234567890, "\u00e9"] })") + "\n",
      case_json("1") + "\n" + case_json("1", "", "[]") + "\n{\"v\":1,",
      "", "\n\n", "\xEF\xBB\xBF", "  \t\n",
  };
  for (const auto& text : inputs) {
    write_file(f, text);
    for (bool skip_bad : {false, true}) {
      CAPTURE(text);
      CAPTURE(skip_bad);
      check_same(dir, f, skip_bad);
    }
  }
}

TEST_CASE("copy_cases: big files (both halves of each block, lines across blocks) as read_cases") {
  TempDir dir;
  const std::string f = dir.file("big.jsonl");
  std::string text;
  for (int i = 0; text.size() < (9u << 20); ++i) {
    text += case_json(std::to_string(i)) + (i % 1000 == 7 ? "\r\n" : "\n");
    if (i % 5000 == 3) text += "\n";
  }
  const std::string huge(5 * 1024 * 1024, 'a');
  text += case_json("huge", "", R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","text":")" + huge + R"("}])") + "\n";
  write_file(f, text);
  check_same(dir, f, false);
  CHECK(copy_all(dir, f).stats.cases > 10000);
  // A bad line late in the file: the error names its line; with skip_bad it is counted.
  const size_t at = text.find('\n', text.size() * 3 / 4) + 1;
  const std::string bad = text.substr(0, at) + case_json("x", R"(,"status":"nope")") + "\n" + text.substr(at);
  write_file(f, bad);
  check_same(dir, f, false);
  check_same(dir, f, true);
  CHECK_FALSE(copy_all(dir, f).status.ok());
}

TEST_CASE("copy_cases: a missing file is no_input, a directory a read error") {
  TempDir dir;
  ReadStats stats;
  CHECK(copy_cases("/nonexistent/socq/cases.jsonl", {}, stats, stdout).error().code == Exit::no_input);
  auto st = copy_cases(dir.path.string(), {}, stats, stdout);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == Exit::io);
  CHECK(st.error().message == dir.path.string() + ": read error: Is a directory");
}
