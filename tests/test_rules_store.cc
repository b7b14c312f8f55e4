// Incremental triage in both stores: which cases changed since triage saw
// them, a batch saved with its marks, and a case changed meanwhile.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include "lib/case_json.h"
#include "lib/store.h"
#include "tests/test_util.h"

using namespace socq;

namespace {

Case parsed(const std::string& thread) {
  CaseParser p;
  auto c = p.parse(test::case_json(thread));
  REQUIRE(c.ok());
  return std::move(*c);
}

void import(Store& s, const std::vector<std::string>& threads) {
  auto b = s.begin_merge("2026-11-20T08:00:00Z", "test");
  REQUIRE(b.ok());
  for (const auto& t : threads) REQUIRE((*b)->add(parsed(t)).ok());
  REQUIRE((*b)->commit().ok());
}

std::vector<std::string> untriaged(Store& s) {
  auto ids = s.untriaged();
  REQUIRE(ids.ok());
  return *ids;
}

Case get(Store& s, const std::string& id) {
  auto c = s.get(id);
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  return std::move(**c);
}

void check_incremental(Store& s) {
  const std::string a = "mastodon:transit@example.social:100", b = "mastodon:transit@example.social:200";
  import(s, {"100", "200"});
  CHECK(untriaged(s) == std::vector<std::string>{a, b});

  // One case changed by triage, one looked at and left as it was.
  std::vector<Case> batch{get(s, a), get(s, b)};
  batch[0].priority = "p1";
  batch[0].touched();
  auto conflicts = s.save_triaged(batch);
  REQUIRE(conflicts.ok());
  CHECK(conflicts->empty());
  CHECK(batch[0].rev == 2);
  CHECK(batch[1].rev == 1);
  CHECK(get(s, a).priority == "p1");
  CHECK(untriaged(s).empty());  // the second run looks at nothing

  // A person's edit makes the case new to triage again.
  Case edited = get(s, b);
  edited.owner = "ola";
  edited.touched();
  REQUIRE(s.update(edited).ok());
  CHECK(untriaged(s) == std::vector<std::string>{b});

  // Triage read it at rev 2; someone changed it meanwhile: left out, unmarked.
  std::vector<Case> stale{get(s, b)};
  Case other = get(s, b);
  other.team = "billing";
  other.touched();
  REQUIRE(s.update(other).ok());
  stale[0].priority = "p2";
  stale[0].touched();
  conflicts = s.save_triaged(stale);
  REQUIRE(conflicts.ok());
  CHECK(*conflicts == std::vector<std::string>{b});
  CHECK_FALSE(get(s, b).priority);  // nothing of the stale write landed
  CHECK(untriaged(s) == std::vector<std::string>{b});
}

}  // namespace

TEST_CASE("rules store: incremental triage in the memory store") {
  auto s = make_memory_store();
  check_incremental(*s);
}

TEST_CASE("rules store: incremental triage in the SQLite store, across reopening") {
  test::TempDir dir;
  const std::string path = dir.file("s.db");
  {
    auto s = open_sqlite_store(path);
    REQUIRE(s.ok());
    check_incremental(**s);
  }
  auto again = open_sqlite_store(path);
  REQUIRE(again.ok());
  CHECK(untriaged(**again) == std::vector<std::string>{"mastodon:transit@example.social:200"});
}

TEST_CASE("rules store: a schema-1 store migrates with every case new to triage") {
  test::TempDir dir;
  const std::string path = dir.file("old.db");
  {
    auto s = open_sqlite_store(path);
    REQUIRE(s.ok());
    import(**s, {"100"});
  }
  // Take the store back to schema 1, as an older socq left it.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "ALTER TABLE cases DROP COLUMN clock_start_ms; ALTER TABLE cases DROP COLUMN stalls_after_ms; "
                       "ALTER TABLE cases DROP COLUMN queue_keys; DROP TABLE dictionaries;"
                       "DROP INDEX cases_untriaged; ALTER TABLE cases DROP COLUMN triaged_rev; DROP TRIGGER cases_numbered; "
                       "DROP TRIGGER cases_unnumbered; DROP INDEX cases_number; ALTER TABLE cases DROP COLUMN number; "
                       "DROP TABLE case_numbers; DROP TABLE away; PRAGMA user_version = 1;",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto s = open_sqlite_store(path);
  REQUIRE(s.ok());
  CHECK(untriaged(**s) == std::vector<std::string>{"mastodon:transit@example.social:100"});
}
