#include <doctest/doctest.h>

#include "lib/csv.h"
#include "tests/test_util.h"

using namespace socq;
using namespace socq::test;

namespace {
std::vector<std::vector<std::string>> read_csv(const std::string& content, std::string* error = nullptr) {
  TempDir dir;
  const std::string f = dir.file("in.csv");
  write_file(f, content);
  CsvReader r(f);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  while (r.next(fields)) rows.push_back(fields);
  if (error) *error = r.error();
  return rows;
}
}  // namespace

TEST_CASE("quoted fields hold commas, doubled quotes and newlines") {
  auto rows = read_csv("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1] == std::vector<std::string>{"1", "x, y", "say \"hi\""});
  CHECK(rows[2] == std::vector<std::string>{"2", "two\nlines", ""});
}

TEST_CASE("CRLF ends a record, a bare CR in an unquoted field is data") {
  auto rows = read_csv("a,b\r\n1,x\r\ry\r\n2,z");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][1] == "x\r\ry");
  CHECK(rows[2] == std::vector<std::string>{"2", "z"});
}

TEST_CASE("a BOM is skipped and blank lines are not records") {
  auto rows = read_csv("\xEF\xBB\xBF" "a,b\n\n1,2\n\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0][0] == "a");
}

TEST_CASE("an unclosed quote names the line where the record began") {
  std::string error;
  auto rows = read_csv("a,b\n1,2\n3,\"never\nclosed\n", &error);
  CHECK(rows.size() == 2);
  CHECK(error.find(":3: a quoted field is never closed") != std::string::npos);
}

TEST_CASE("CSV records quote what needs quoting and read back equal") {
  const std::vector<std::string> fields{"plain", "a,b", "say \"hi\"", "two\nlines", ""};
  const std::string rec = csv_record(fields);
  CHECK(rec == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
  auto rows = read_csv(rec + rec);
  REQUIRE(rows.size() == 2);
  CHECK(rows[1] == fields);
}
