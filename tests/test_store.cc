#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>

#include "lib/case_json.h"
#include "lib/store.h"
#include "lib/store_codec.h"
#include "lib/store_scan.h"
#include "tests/test_util.h"

using namespace socq;
using namespace socq::test;

namespace {
const std::string kNow = "2026-11-21T10:00:00Z";

Case make(const std::string& thread, const std::string& extra = "", const std::string& messages = "") {
  CaseParser p;
  auto r = p.parse(case_json(thread, extra, messages));
  if (!r) FAIL(r.error().message);
  return std::move(r).value();
}

MergeStats merge_all(Store& s, std::vector<Case> cases) {
  auto batch = s.begin_merge(kNow, "test");
  REQUIRE(batch.ok());
  for (auto& c : cases) REQUIRE((*batch)->add(std::move(c)).ok());
  auto stats = (*batch)->commit();
  REQUIRE(stats.ok());
  return *stats;
}

std::vector<Case> list_all(Store& s, const CaseFilter& f = {}) {
  std::vector<Case> out;
  REQUIRE(s.list(f, [&](Case&& c) {
    out.push_back(std::move(c));
    return ok_status();
  }).ok());
  return out;
}

void sqlite_exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

// The behaviour every Store must have, run on each implementation.
void check_store_contract(Store& s) {
  auto stats = merge_all(s, {make("1"), make("2", R"(,"owner":"sam","status":"new")"), make("1")});
  CHECK(stats.created == 2);
  CHECK(stats.unchanged == 1);
  auto got = s.get("mastodon:transit@example.social:1");
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->rev == 1);
  CHECK(case_to_json(**got) == case_json("1"));  // stored exactly as written
  CHECK_FALSE(s.get("nope")->has_value());

  CaseFilter by_owner;
  by_owner.owner = "sam";
  auto owned = list_all(s, by_owner);
  REQUIRE(owned.size() == 1);
  CHECK(owned[0].id == "mastodon:transit@example.social:2");
  CaseFilter by_status;
  by_status.status = "open";
  CHECK(list_all(s, by_status).size() == 1);
  CHECK(list_all(s).size() == 2);

  SUBCASE("a rev-checked edit wins once; a second edit from the same read conflicts") {
    Case a = **got, b = **got;
    a.owner = "ana";
    a.events.push_back(Event{kNow, "ana", "assigned to ana", {}});
    REQUIRE(s.update(a).ok());
    CHECK(a.rev == 2);
    b.owner = "bo";
    auto conflict = s.update(b);
    REQUIRE_FALSE(conflict.ok());
    CHECK(conflict.error().code == Exit::conflict);
    CHECK(conflict.error().message.find("assigned to ana (by ana") != std::string::npos);
    CHECK(b.rev == 1);
    CHECK(s.get(a.id)->value().owner == "ana");
  }
  SUBCASE("a batch dropped without commit leaves nothing behind") {
    {
      auto batch = s.begin_merge(kNow, "test");
      REQUIRE(batch.ok());
      REQUIRE((*batch)->add(make("3")).ok());
    }
    CHECK(list_all(s).size() == 2);
  }
  SUBCASE("cursors") {
    CHECK_FALSE(s.cursor("mastodon", "brand")->has_value());
    REQUIRE(s.set_cursor("mastodon", "brand", "1234").ok());
    REQUIRE(s.set_cursor("mastodon", "brand", "1250").ok());
    CHECK(s.cursor("mastodon", "brand")->value() == "1250");
  }
}

// Store::list's order, the same for every Store: soonest due first, then
// cases with no clock, newest updated first; ties by id.
void check_list_order(Store& s) {
  merge_all(s, {make("1"), make("2", R"(,"owner":"sam","status":"new")")});
  const auto due = [](const std::string& t) { return R"(,"sla":{"first_response_due":")" + t + R"("})"; };
  const auto updated = [](std::string json, const std::string& t) {
    return json.replace(json.find("2026-11-20T07:45:00Z"), 20, t);
  };
  CaseParser p;
  std::vector<Case> more;
  for (const auto& text : {updated(case_json("5"), "2026-11-20T09:00:00Z"), case_json("6", due("2026-11-22T10:00:00Z")),
                           case_json("7", due("2026-11-21T10:00:00Z")), updated(case_json("8"), "2026-11-20T08:00:00Z")})
    more.push_back(std::move(p.parse(text)).value());
  merge_all(s, std::move(more));
  std::vector<std::string> ids;
  for (const auto& c : list_all(s)) ids.push_back(c.id.substr(c.id.rfind(':') + 1));
  CHECK(ids == std::vector<std::string>{"7", "6", "5", "8", "1", "2"});
  CaseFilter two;
  two.limit = 2;
  CHECK(list_all(s, two).size() == 2);
  CHECK(list_all(s, two)[0].id == "mastodon:transit@example.social:7");

  // A message socq posted (recorded by update, with posted_id) is found by a
  // later fetch that brings it back under another thread: it joins its case
  // instead of starting a second one holding the same message.
  Case ours = s.get("mastodon:transit@example.social:1")->value();
  Message reply;
  reply.id = "9001";
  reply.dir = Dir::out;
  reply.at = "2026-11-20T11:00:00Z";
  reply.author = "@transit@example.social";
  reply.text = "We are on it";
  reply.posted_id = "9001";
  ours.messages.push_back(reply);
  REQUIRE(s.update(ours).ok());
  Case back = make("9001", "", R"([{"id":"9001","dir":"out","at":"2026-11-20T11:00:00Z","author":"@transit@example.social",)"
                                 R"("text":"We are on it","public":true,"reply_to":null},)"
                                 R"({"id":"9002","dir":"in","at":"2026-11-20T11:05:00Z","author":"@ann","text":"Thanks!",)"
                                 R"("public":true,"reply_to":"9001"}])");
  const auto again = merge_all(s, {back});
  CHECK(again.created == 0);
  CHECK_FALSE(s.get("mastodon:transit@example.social:9001")->has_value());
  CHECK(s.get("mastodon:transit@example.social:1")->value().messages.back().id == "9002");
}
}  // namespace

TEST_CASE("MemoryStore keeps the store contract") {
  auto s = make_memory_store();
  check_store_contract(*s);
}

TEST_CASE("both stores list cases in the contract's order") {
  auto memory = make_memory_store();
  check_list_order(*memory);
  TempDir dir;
  auto sqlite = open_sqlite_store(dir.file("socq.db"));
  REQUIRE(sqlite.ok());
  check_list_order(**sqlite);
}

TEST_CASE("the SQLite store keeps the store contract and persists") {
  TempDir dir;
  const std::string path = dir.file("sub/dir/socq.db");  // parent directories are created
  {
    auto s = open_sqlite_store(path);
    REQUIRE(s.ok());
    check_store_contract(**s);
  }
  auto again = open_sqlite_store(path);
  REQUIRE(again.ok());
  CHECK(list_all(**again).size() == 2);
}

TEST_CASE("the SQLite store is in WAL mode with socq's application id and indexed columns") {
  TempDir dir;
  const std::string path = dir.file("socq.db");
  {
    auto s = open_sqlite_store(path);
    REQUIRE(s.ok());
    merge_all(**s, {make("1", R"(,"priority":"p1","team":"service","sla":{"first_response_due":"2026-11-20T08:00:00Z"})")});
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  auto one = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    std::string v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
  };
  CHECK(one("PRAGMA journal_mode") == "wal");
  CHECK(one("PRAGMA application_id") == std::to_string(0x736f6371));
  CHECK(one("PRAGMA user_version") == "6");  // 2: cases.triaged_rev (incremental triage); 3: case numbers; 4: outbox states; 5: queue keys; 6: dictionaries
  CHECK(one("SELECT status || '|' || priority || '|' || team || '|' || next_due_ms FROM cases") ==
        "open|p1|service|1795161600000");
  sqlite3_close(db);
}

TEST_CASE("a file that is not socq's store is refused and left untouched") {
  TempDir dir;
  SUBCASE("not SQLite at all") {
    const std::string path = dir.file("notes.txt");
    write_file(path, "these are my notes, not a database\n");
    auto s = open_sqlite_store(path);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == Exit::config);
    CHECK(s.error().message.find("not a socq store") != std::string::npos);
    CHECK(read_file(path) == "these are my notes, not a database\n");
  }
  SUBCASE("another program's SQLite database") {
    const std::string path = dir.file("other.db");
    sqlite_exec(path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
    const std::string before = read_file(path);
    auto s = open_sqlite_store(path);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == Exit::config);
    CHECK(s.error().message.find("another program") != std::string::npos);
    CHECK(read_file(path) == before);
  }
  SUBCASE("a socq store from a newer schema") {
    const std::string path = dir.file("newer.db");
    { REQUIRE(open_sqlite_store(path).ok()); }
    sqlite_exec(path, "PRAGMA user_version = 99;");
    const std::string before = read_file(path);
    auto s = open_sqlite_store(path);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message.find("schema version 99 is newer") != std::string::npos);
    CHECK(read_file(path) == before);
  }
}

TEST_CASE("a store locked by another writer beyond the busy timeout is a temporary failure") {
  TempDir dir;
  const std::string path = dir.file("socq.db");
  auto s = open_sqlite_store(path, 100);
  REQUIRE(s.ok());
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  auto batch = (*s)->begin_merge(kNow, "test");
  REQUIRE_FALSE(batch.ok());
  CHECK(batch.error().code == Exit::temp_fail);
  CHECK(batch.error().message.find("locked") != std::string::npos);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
}

namespace {
// Threads that exercise every merge path within one import: a case seen
// twice, a new id holding a stored message, a reply to a stored message,
// and a new message to a closed case (a follow-up case).
std::vector<Case> merge_paths() {
  const auto msg = [](const std::string& id, const std::string& at, const std::string& reply_to = "null") {
    return R"({"id":")" + id + R"(","dir":"in","at":"2026-11-20T)" + at + R"(Z","text":"hi","reply_to":)" + reply_to + "}";
  };
  std::vector<Case> cases;
  cases.push_back(make("10", "", "[" + msg("10", "07:00:00") + "]"));
  cases.push_back(make("10", "", "[" + msg("10", "07:00:00") + "," + msg("11", "07:05:00") + "]"));
  cases.push_back(make("12", "", "[" + msg("11", "07:05:00") + "," + msg("12", "07:06:00") + "]"));
  cases.push_back(make("13", "", "[" + msg("13", "07:07:00", "\"12\"") + "]"));
  cases.push_back(make("20", R"(,"status":"closed")", "[" + msg("20", "07:00:00") + "]"));
  cases.push_back(make("20", "", "[" + msg("20", "07:00:00") + "," + msg("21", "08:00:00") + "]"));
  return cases;
}

std::vector<std::string> stored(Store& s) {
  std::vector<std::string> out;
  for (const auto& c : list_all(s)) out.push_back(c.id + " " + case_to_json(c));
  std::sort(out.begin(), out.end());
  return out;
}

std::string one_value(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  std::string v = text ? text : "";
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}
}  // namespace

TEST_CASE("a first import into an empty SQLite store merges exactly as an import into a non-empty one") {
  TempDir dir;
  const std::string first = dir.file("first.db"), later = dir.file("later.db");
  auto a = open_sqlite_store(first);
  auto b = open_sqlite_store(later);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  merge_all(**b, {make("999")});  // b holds a case: the ordinary path
  const auto sa = merge_all(**a, merge_paths());
  const auto sb = merge_all(**b, merge_paths());
  CHECK(sa.created == sb.created);
  CHECK(sa.updated == sb.updated);
  CHECK(sa.unchanged == sb.unchanged);
  CHECK(sa.new_messages == sb.new_messages);
  auto in_b = stored(**b);
  std::erase_if(in_b, [](const std::string& s) { return s.rfind("mastodon:transit@example.social:999 ", 0) == 0; });
  CHECK(stored(**a) == in_b);
  CHECK((*a)->get("mastodon:transit@example.social:20#2")->has_value());  // the follow-up case
  // Every case numbered in order, the counter at the last, the indexes and
  // triggers back, WAL again: the next writes go the ordinary way.
  const char* numbers = "SELECT group_concat(number, ' ') FROM (SELECT number FROM cases ORDER BY number)";
  CHECK(one_value(first, numbers) == "1 2 3");  // 12 and 13 joined 10; 20#2 follows 20
  CHECK(one_value(first, "SELECT last FROM case_numbers") == "3");
  CHECK(one_value(first, "SELECT count(*) FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'cases'") ==
        one_value(later, "SELECT count(*) FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'cases'"));
  CHECK(one_value(first, "PRAGMA integrity_check") == "ok");
  CHECK(one_value(first, "SELECT count(*) FROM messages") == "6");
  a->reset();
  CHECK(one_value(first, "PRAGMA journal_mode") == "wal");
  auto again = open_sqlite_store(first);
  REQUIRE(again.ok());
  merge_all(**again, {make("30")});
  CHECK(one_value(first, "SELECT number FROM cases WHERE id = 'mastodon:transit@example.social:30'") == "4");
}

TEST_CASE("a first import dropped without commit leaves the empty store with its indexes, in WAL") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  auto s = open_sqlite_store(path);
  REQUIRE(s.ok());
  const std::string schema = one_value(path, "SELECT group_concat(name) FROM sqlite_master");
  {
    auto batch = (*s)->begin_merge(kNow, "test");
    REQUIRE(batch.ok());
    for (auto& c : merge_paths()) REQUIRE((*batch)->add(std::move(c)).ok());
  }
  CHECK(one_value(path, "SELECT count(*) FROM cases") == "0");
  CHECK(one_value(path, "SELECT group_concat(name) FROM sqlite_master") == schema);
  CHECK(one_value(path, "PRAGMA journal_mode") == "wal");
  CHECK(list_all(**s).empty());
}

TEST_CASE("a first import while another connection has the store open takes the ordinary path") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  auto s = open_sqlite_store(path);
  auto other = open_sqlite_store(path);
  REQUIRE(s.ok());
  REQUIRE(other.ok());
  merge_all(**s, merge_paths());
  CHECK(list_all(**other).size() == 3);
  CHECK(one_value(path, "PRAGMA journal_mode") == "wal");
}

TEST_CASE("a merge numbers its new cases itself and leaves the numbering triggers for other writers") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  auto s = open_sqlite_store(path);
  REQUIRE(s.ok());
  merge_all(**s, {make("1"), make("2")});
  const char* triggers = "SELECT group_concat(sql, ' | ') FROM sqlite_master WHERE type = 'trigger'";
  const std::string before = one_value(path, triggers);
  merge_all(**s, {make("3"), make("1", "", R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","text":"a"},)"
                                            R"({"id":"1b","dir":"in","at":"2026-11-20T08:41:09Z","text":"b"}])")});
  CHECK(one_value(path, triggers) == before);
  CHECK(before.find("cases_numbered") != std::string::npos);
  CHECK(one_value(path, "SELECT number FROM cases WHERE id = 'mastodon:transit@example.social:3'") == "3");
  CHECK(one_value(path, "SELECT number FROM cases WHERE id = 'mastodon:transit@example.social:1'") == "1");
  CHECK(one_value(path, "SELECT last FROM case_numbers") == "3");
  // Another writer's inserts still number through the triggers.
  sqlite_exec(path, "INSERT INTO cases(id, rev, channel, account, status, updated_at, json) SELECT 'x:y:9', rev, channel, "
                    "account, status, updated_at, json FROM cases WHERE number = 2;"
                    "INSERT INTO cases(id, rev, channel, account, status, updated_at, json, number) SELECT 'x:y:10', rev, "
                    "channel, account, status, updated_at, json, 7 FROM cases WHERE number = 2;");
  CHECK(one_value(path, "SELECT number FROM cases WHERE id = 'x:y:9'") == "4");
  CHECK(one_value(path, "SELECT last FROM case_numbers") == "7");
  merge_all(**s, {make("4")});
  CHECK(one_value(path, "SELECT number FROM cases WHERE id = 'mastodon:transit@example.social:4'") == "8");
}

namespace {

// Enough cases for a first import to train the store's dictionary.
std::vector<Case> many(size_t n, size_t from = 0) {
  std::vector<Case> cases;
  for (size_t i = from; i < from + n; ++i)
    cases.push_back(make(std::to_string(i), i % 3 ? R"(,"team":"service")" : R"(,"priority":"p2")"));
  return cases;
}

// Every case reads back as written, through get, list, list_json and the scan.
void check_reads_back(Store& s, const std::string& path, size_t n) {
  size_t listed = 0;
  REQUIRE(s.list({}, [&](Case&& c) {
    ++listed;
    if (c.rev == 1)  // as imported (an edited one is written in canonical form)
      CHECK(case_to_json(c) == case_json(c.id.substr(c.id.rfind(':') + 1), c.team ? R"(,"team":"service")" : R"(,"priority":"p2")"));
    return ok_status();
  }));
  CHECK(listed == n);
  size_t texts = 0;
  REQUIRE(s.list_json({}, [](const CaseColumns&) { return 0; }, [&](std::string_view json, int64_t) {
    ++texts;
    CaseParser p;
    auto c = p.parse(json);
    REQUIRE(c);
    CHECK(case_to_json(s.get(c->id)->value()) == json);
    return ok_status();
  }));
  CHECK(texts == n);
  size_t scanned = 0;
  REQUIRE(scan_sqlite_store(path, [&](Case&& c) {
    scanned += case_to_json(c) == case_to_json(s.get(c.id)->value());
    return ok_status();
  }));
  CHECK(scanned == n);
}

}  // namespace

TEST_CASE("the SQLite store compresses cases with a dictionary trained on its first import, and reads them back exactly") {
  TempDir dir;
  const std::string path = dir.file("socq.db");
  const size_t n = CaseCodec::kSamples + 300;
  {
    auto s = open_sqlite_store(path);
    REQUIRE(s);
    merge_all(**s, many(n));
    CHECK(one_value(path, "SELECT count(*) FROM dictionaries") == "1");
    // The sampled cases stay text; the rest are zstd frames.
    CHECK(one_value(path, "SELECT count(*) FROM cases WHERE typeof(json) = 'text'") == std::to_string(CaseCodec::kSamples));
    CHECK(one_value(path, "SELECT count(*) FROM cases WHERE typeof(json) = 'blob'") == "300");
    CHECK(std::stoll(one_value(path, "SELECT sum(length(json)) FROM cases WHERE typeof(json) = 'blob'")) * 3 <
          std::stoll(one_value(path, "SELECT sum(length(json)) FROM cases WHERE typeof(json) = 'text'")) * 300 /
              static_cast<long long>(CaseCodec::kSamples));
    check_reads_back(**s, path, n);
    // Later writes compress too: an edit, and a second import.
    auto c = (*s)->get("mastodon:transit@example.social:1");
    REQUIRE(c);
    REQUIRE((*s)->update(**c));
    CHECK(one_value(path, "SELECT typeof(json) FROM cases WHERE id = 'mastodon:transit@example.social:1'") == "blob");
  }
  auto again = open_sqlite_store(path);
  REQUIRE(again);
  merge_all(**again, many(10, n));
  CHECK(one_value(path, "SELECT count(*) FROM cases WHERE typeof(json) = 'blob'") == "311");
  check_reads_back(**again, path, n + 10);
  SUBCASE("a frame that does not decompress is a damaged case, named") {
    sqlite_exec(path, "UPDATE cases SET json = x'28b52ffd0102' WHERE id = 'mastodon:transit@example.social:2299'");
    auto c = (*again)->get("mastodon:transit@example.social:2299");
    REQUIRE_FALSE(c);
    CHECK(c.error().code == Exit::data);
    CHECK(c.error().message.find("stored case mastodon:transit@example.social:2299 is damaged") != std::string::npos);
  }
}

TEST_CASE("a first import rolled back forgets the dictionary it trained") {
  TempDir dir;
  const std::string path = dir.file("socq.db");
  auto s = open_sqlite_store(path);
  REQUIRE(s);
  {
    auto batch = (*s)->begin_merge(kNow, "test");
    REQUIRE(batch);
    for (auto& c : many(CaseCodec::kSamples + 10)) REQUIRE((*batch)->add(std::move(c)));
  }
  merge_all(**s, many(5));
  CHECK(one_value(path, "SELECT count(*) FROM dictionaries") == "0");
  CHECK(one_value(path, "SELECT count(*) FROM cases WHERE typeof(json) = 'text'") == "5");
  auto other = open_sqlite_store(path);
  REQUIRE(other);
  CHECK(list_all(**other).size() == 5);
}
