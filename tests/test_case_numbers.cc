// Short case numbers (#42) and away marks kept in the store: both stores.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <map>

#include "lib/case_json.h"
#include "lib/store.h"
#include "tests/test_util.h"

using namespace socq;
using namespace socq::test;

namespace {

Case numbered_case(const std::string& thread, const std::string& extra = "") {
  CaseParser p;
  auto r = p.parse(case_json(thread, extra));
  if (!r) FAIL(r.error().message);
  return std::move(r).value();
}

void merge(Store& s, std::vector<std::string> threads, const std::string& extra = "") {
  auto batch = s.begin_merge("2026-11-21T10:00:00Z", "test");
  REQUIRE(batch.ok());
  for (const auto& t : threads) REQUIRE((*batch)->add(numbered_case(t, extra)).ok());
  REQUIRE((*batch)->commit().ok());
}

std::string id_of(const std::string& thread) { return "mastodon:transit@example.social:" + thread; }

int64_t number_of(Store& s, const std::string& thread) {
  auto c = s.get(id_of(thread));
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  return (*c)->number;
}

std::string id_by_number(Store& s, const std::string& typed) {
  auto c = s.get(typed);
  REQUIRE(c.ok());
  return c->has_value() ? (*c)->id : "";
}

void check_numbers(Store& s) {
  merge(s, {"30", "10", "20"});
  CHECK(number_of(s, "30") == 1);  // in order of creation, not of id
  CHECK(number_of(s, "10") == 2);
  CHECK(number_of(s, "20") == 3);
  // A merge that changes a case keeps its number; a new case gets the next.
  merge(s, {"10", "40"}, R"(,"owner":"sam")");
  CHECK(number_of(s, "10") == 2);
  CHECK(number_of(s, "40") == 4);
  // An edit keeps it too.
  auto c = s.get("2");
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  Case edited = **c;
  edited.owner = "kim";
  edited.touched();
  REQUIRE(s.update(edited).ok());
  CHECK(number_of(s, "10") == 2);
  // Typed as a person would: 42 or #42; unknown numbers are simply absent.
  CHECK(id_by_number(s, "3") == id_of("20"));
  CHECK(id_by_number(s, "#4") == id_of("40"));
  CHECK(id_by_number(s, "#04") == id_of("40"));
  CHECK(id_by_number(s, "99") == "");
  CHECK(id_by_number(s, "0") == "");
  CHECK(id_by_number(s, id_of("30")) == id_of("30"));
  // list carries the numbers too; JSON never does.
  std::map<std::string, int64_t> listed;
  REQUIRE(s.list({}, [&](Case&& x) {
    listed[x.id] = x.number;
    CHECK(case_to_json(x).find("number") == std::string::npos);
    return ok_status();
  }).ok());
  CHECK(listed == std::map<std::string, int64_t>{{id_of("30"), 1}, {id_of("10"), 2}, {id_of("20"), 3}, {id_of("40"), 4}});
}

void check_away(Store& s) {
  CHECK(s.away_marks()->empty());
  REQUIRE(s.set_away({"alice", "2026-12-24T00:00:00Z", "2027-01-02T00:00:00Z"}).ok());
  REQUIRE(s.set_away({"alice", "2027-02-01T00:00:00Z", "2027-02-03T00:00:00Z"}).ok());
  REQUIRE(s.set_away({"bob", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"}).ok());
  // The same name and start replaces the end.
  REQUIRE(s.set_away({"bob", "2026-12-01T00:00:00Z", "2026-12-05T00:00:00Z"}).ok());
  auto marks = s.away_marks();
  REQUIRE(marks.ok());
  REQUIRE(marks->size() == 3);
  CHECK((*marks)[2].name == "bob");
  CHECK((*marks)[2].until == "2026-12-05T00:00:00Z");
  auto cleared = s.clear_away("alice");
  REQUIRE(cleared.ok());
  CHECK(*cleared == 2);
  auto again = s.clear_away("alice");
  REQUIRE(again.ok());
  CHECK(*again == 0);
  REQUIRE(s.away_marks()->size() == 1);
}

}  // namespace

TEST_CASE("case numbers: parse_case_number takes 42 and #42, never a case id") {
  CHECK(parse_case_number("42") == 42);
  CHECK(parse_case_number("#42") == 42);
  CHECK(parse_case_number("#007") == 7);
  CHECK_FALSE(parse_case_number(""));
  CHECK_FALSE(parse_case_number("#"));
  CHECK_FALSE(parse_case_number("4a2"));
  CHECK_FALSE(parse_case_number("-4"));
  CHECK_FALSE(parse_case_number("##4"));
  CHECK_FALSE(parse_case_number("mastodon:transit@example.social:42"));
  CHECK_FALSE(parse_case_number("1234567890123456789"));  // more than 18 digits: no overflow
}

TEST_CASE("case numbers: memory store") {
  auto s = make_memory_store();
  check_numbers(*s);
  check_away(*s);
}

TEST_CASE("case numbers: SQLite store, kept across reopening") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  {
    auto s = open_sqlite_store(path);
    REQUIRE(s.ok());
    check_numbers(**s);
    check_away(**s);
  }
  auto s = open_sqlite_store(path);
  REQUIRE(s.ok());
  CHECK(number_of(**s, "40") == 4);
  CHECK((*s)->away_marks()->size() == 1);
  merge(**s, {"50"});
  CHECK(number_of(**s, "50") == 5);
}

TEST_CASE("case numbers: an insert that names no number gets the next; numbers are never reused") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  {
    auto s = open_sqlite_store(path);
    REQUIRE(s.ok());
    merge(**s, {"1", "2"});
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  // Another writer's insert without the column, then the newest case removed.
  REQUIRE(sqlite3_exec(db,
                       "INSERT INTO cases(id, rev, channel, account, status, updated_at, json) SELECT 'x:y:3', rev, "
                       "channel, account, status, updated_at, replace(json, ':2\"', ':3\"') FROM cases WHERE number = 2;"
                       "DELETE FROM cases WHERE id = 'x:y:3';",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto s = open_sqlite_store(path);
  REQUIRE(s.ok());
  merge(**s, {"4"});
  CHECK(number_of(**s, "4") == 4);  // 3 went to the removed case
}

TEST_CASE("case numbers: a schema-2 store numbers its cases in the order they were stored") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  {
    auto s = open_sqlite_store(path);
    REQUIRE(s.ok());
    merge(**s, {"300", "100", "200"});
  }
  // Back to schema 2, as socq before case numbers left it (the outbox
  // migration after it runs again on its own table).
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "ALTER TABLE cases DROP COLUMN clock_start_ms; ALTER TABLE cases DROP COLUMN stalls_after_ms; "
                       "ALTER TABLE cases DROP COLUMN queue_keys; DROP TABLE dictionaries;"
                       "DROP TRIGGER cases_numbered; DROP TRIGGER cases_unnumbered; DROP INDEX cases_number;"
                       "ALTER TABLE cases DROP COLUMN number; DROP TABLE case_numbers; DROP TABLE away;"
                       "PRAGMA user_version = 2;",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto s = open_sqlite_store(path);
  REQUIRE(s.ok());
  CHECK(number_of(**s, "300") == 1);
  CHECK(number_of(**s, "100") == 2);
  CHECK(number_of(**s, "200") == 3);
  merge(**s, {"400"});
  CHECK(number_of(**s, "400") == 4);
  CHECK((*s)->away_marks()->empty());
}
