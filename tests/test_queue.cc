// The fair queue's order within due bands, its texts and `case due` counts.
#include <doctest/doctest.h>

#include <sqlite3.h>
#include "lib/tomlpp.h"

#include "lib/case_json.h"
#include "lib/handoff/followup.h"
#include "lib/timefmt.h"
#include "lib/store.h"
#include "lib/triage/queue.h"
#include "tests/test_util.h"

using namespace socq;

namespace {

const int64_t kNow = *parse_rfc3339_utc("2026-11-23T09:00:00Z");

TriageEnv away_env() {
  TriageEnv env;
  auto st = load_triage_env(env,
                            toml::parse(std::string_view("[[away]]\nname = \"alice\"\nfrom = \"2026-11-20T00:00:00Z\"\n"
                                                         "until = \"2026-11-30T00:00:00Z\"\n"),
                                        std::string_view("c.toml")),
                            "c.toml");
  if (!st) FAIL(st.error().message);
  return env;
}

Case queued(const std::string& id, OptString owner, const std::string& first_in, OptString due, OptString team = "service") {
  Case c;
  c.id = id;
  c.status = CaseStatus::open;
  c.owner = std::move(owner);
  c.team = std::move(team);
  Message m;
  m.id = id;
  m.dir = Dir::in;
  m.at = first_in;
  c.messages.push_back(m);
  c.sla.first_response_due = std::move(due);
  return c;
}

std::string run(const TriageEnv& env, std::vector<Case> cases, size_t limit = 0) {
  std::string order;
  QueueOrder q(env, kNow, limit, [&](QueueItem&& item) {
    order += item.c.id;
    return ok_status();
  });
  for (auto& c : cases) REQUIRE(q.push(std::move(c)));
  REQUIRE(q.finish());
  return order;
}

}  // namespace

TEST_CASE("queue: bands and texts") {
  CHECK(due_band(std::nullopt, kNow) == DueBand::no_clock);
  CHECK(due_band(kNow - 1, kNow) == DueBand::overdue);
  CHECK(due_band(kNow, kNow) == DueBand::within_hour);
  CHECK(due_band(kNow + 3600 * 1000 - 1, kNow) == DueBand::within_hour);
  CHECK(due_band(kNow + 3600 * 1000, kNow) == DueBand::within_day);
  CHECK(due_band(kNow + 86400 * 1000, kNow) == DueBand::later);
  CHECK(due_in_text(kNow + 25 * 60000, kNow) == "in 25m");
  CHECK(due_in_text(kNow - 125 * 60000, kNow) == "overdue by 2h 5m");
  CHECK(due_in_text(std::nullopt, kNow) == "-");
}

TEST_CASE("queue: an away owner or an unowned case past half its clock comes first within its band only") {
  const auto env = away_env();
  // Input in due order, as the store gives it.
  const std::string order =
      run(env, {queued("A", "bob", "2026-11-23T08:00:00Z", "2026-11-23T08:30:00Z"),
                queued("B", "alice", "2026-11-23T08:20:00Z", "2026-11-23T08:50:00Z"),
                queued("D", "carol", "2026-11-23T08:55:00Z", "2026-11-23T09:10:00Z"),
                queued("C", std::nullopt, "2026-11-23T08:00:00Z", "2026-11-23T09:20:00Z"),
                queued("E", std::nullopt, "2026-11-23T08:59:00Z", "2026-11-23T09:40:00Z"),
                queued("I", "bob", "2026-11-23T08:40:00Z", "2026-11-24T12:00:00Z"),
                queued("H", "alice", "2026-11-23T08:45:00Z", "2026-11-25T12:00:00Z"),
                queued("J", "alice", "2026-11-23T08:45:00Z", std::nullopt)});
  CHECK(order == "BACDEIHJ");
  CHECK(run(env, {queued("A", "bob", "2026-11-23T08:00:00Z", "2026-11-23T08:30:00Z"),
                  queued("B", "alice", "2026-11-23T08:20:00Z", "2026-11-23T08:50:00Z")},
            1) == "B");
  // Without away agents the order is the due order.
  CHECK(run(TriageEnv{}, {queued("A", "bob", "2026-11-23T08:00:00Z", "2026-11-23T08:30:00Z"),
                          queued("B", "alice", "2026-11-23T08:20:00Z", "2026-11-23T08:50:00Z")}) == "AB");
}

TEST_CASE("queue: half the clock is measured from the clock's own start") {
  const auto env = away_env();
  // Next response: starts at the first customer message after our last reply.
  Case c = queued("N", std::nullopt, "2026-11-23T06:00:00Z", std::nullopt);
  Message out;
  out.id = "o";
  out.dir = Dir::out;
  out.at = "2026-11-23T06:10:00Z";
  c.messages.push_back(out);
  Message again = c.messages[0];
  again.id = "n2";
  again.at = "2026-11-23T08:40:00Z";
  c.messages.push_back(again);
  c.sla.first_response_at = "2026-11-23T06:10:00Z";
  c.sla.next_response_due = "2026-11-23T09:30:00Z";  // 50 min clock, half at 09:05
  CHECK(queue_item(Case(c), env, kNow).need == OwnerNeed::none);
  CHECK(queue_item(Case(c), env, kNow + 5 * 60000).need == OwnerNeed::unowned_past_half);
  c.owner = "alice";
  CHECK(queue_item(Case(c), env, kNow).need == OwnerNeed::owner_away);
  CHECK(owner_text(queue_item(Case(c), env, kNow)) == "alice (away)");
  c.status = CaseStatus::resolved;
  CHECK(queue_item(Case(c), env, kNow).need == OwnerNeed::none);
}

TEST_CASE("queue: case due counts breached and at-risk cases by team") {
  const auto env = away_env();
  DueCounts counts;
  counts.add(queue_item(queued("A", "bob", "2026-11-23T08:00:00Z", "2026-11-23T08:30:00Z"), env, kNow), kNow);
  counts.add(queue_item(queued("B", "bob", "2026-11-23T08:00:00Z", "2026-11-23T09:10:00Z", "billing"), env, kNow), kNow);
  counts.add(queue_item(queued("C", "bob", "2026-11-23T08:00:00Z", "2026-11-23T09:10:00Z", std::nullopt), env, kNow), kNow);
  counts.add(queue_item(queued("D", "bob", "2026-11-23T08:00:00Z", "2026-11-23T08:10:00Z", "bad\x1b[31m"), env, kNow), kNow);
  const auto lines = counts.lines();
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "bad\\x1b[31m: 1 breached, 0 at risk");
  CHECK(lines[1] == "billing: 0 breached, 1 at risk");
  CHECK(lines[2] == "service: 1 breached, 0 at risk");
  CHECK(lines[3] == "(no team): 0 breached, 1 at risk");
}

TEST_CASE("queue: stores filter unowned cases (how a page's last band is completed)") {
  auto store = make_memory_store();
  auto batch = store->begin_merge("2026-11-23T09:00:00Z", "test");
  REQUIRE(batch);
  Case a = queued("x:brand:1", "bob", "2026-11-23T08:00:00Z", "2026-11-23T08:30:00Z");
  Case b = queued("x:brand:2", std::nullopt, "2026-11-23T08:00:00Z", "2026-11-23T08:40:00Z");
  for (Case* c : {&a, &b}) {
    c->channel = "x";
    c->account = "brand";
    c->customer.id = "c";
    REQUIRE((*batch)->add(std::move(*c)));
  }
  REQUIRE((*batch)->commit());
  CaseFilter f;
  f.unowned = true;
  std::vector<std::string> ids;
  REQUIRE(store->list(f, [&](Case&& c) {
    ids.push_back(c.id);
    return ok_status();
  }));
  CHECK(ids == std::vector<std::string>{"x:brand:2"});
}

namespace {

// Cases of every band and rank, for the stores' whole-store order.
std::vector<Case> every_kind() {
  std::vector<Case> cases{queued("x:brand:a", "bob", "2026-11-23T08:00:00Z", "2026-11-23T08:30:00Z"),
                          queued("x:brand:b", "alice", "2026-11-23T08:20:00Z", "2026-11-23T08:50:00Z"),
                          queued("x:brand:c", std::nullopt, "2026-11-23T08:00:00Z", "2026-11-23T09:20:00Z"),
                          queued("x:brand:d", "carol", "2026-11-23T08:55:00Z", "2026-11-23T09:10:00Z"),
                          queued("x:brand:e", std::nullopt, "2026-11-23T08:59:00Z", "2026-11-23T09:40:00Z"),
                          queued("x:brand:f", std::nullopt, "2026-11-23T08:00:00Z", "2026-11-23T08:45:00Z"),
                          queued("x:brand:g", std::nullopt, "2026-11-23T08:59:00Z", "2026-11-23T08:58:00Z"),
                          queued("x:brand:i", "bob", "2026-11-23T08:40:00Z", "2026-11-24T12:00:00Z"),
                          queued("x:brand:h", "alice", "2026-11-23T08:45:00Z", "2026-11-23T20:00:00Z"),
                          queued("x:brand:k", std::nullopt, "2026-11-23T08:45:00Z", "2026-11-23T20:00:00Z"),
                          queued("x:brand:j", "alice", "2026-11-23T08:45:00Z", std::nullopt),
                          queued("x:brand:l", std::nullopt, "2026-11-23T08:46:00Z", std::nullopt)};
  // A stalled handoff (follow-up past, no reply since), and one completed.
  for (const char* id : {"x:brand:s", "x:brand:t"}) {
    Case c = queued(id, "bob", "2026-11-23T07:00:00Z", std::nullopt);
    Handoff h;
    h.to = "tier2", h.at = "2026-11-23T07:10:00Z", h.by = "bob", h.follow_up_due = "2026-11-23T08:50:00Z";
    if (std::string(id) == "x:brand:t") h.completed_at = "2026-11-23T08:00:00Z";
    c.handoff = h;
    cases.push_back(std::move(c));
  }
  for (auto& c : cases) {
    c.channel = "x", c.account = "brand", c.customer.id = "cust";
    c.updated_at = "2026-11-23T08:00:00Z";
  }
  return cases;
}

void store_all(Store& s, std::vector<Case> cases) {
  auto batch = s.begin_merge("2026-11-23T09:00:00Z", "test");
  REQUIRE(batch);
  for (auto& c : cases) REQUIRE((*batch)->add(std::move(c)));
  REQUIRE((*batch)->commit());
}

// The ids in QueueOrder's order over Store::list, and in list_json's order
// by queue_group, with the texts list_json gives checked against get().
std::pair<std::string, std::string> both_orders(Store& s, const TriageEnv& env, size_t limit) {
  std::string queued_ids, json_ids;
  QueueOrder q(env, kNow, limit, [&](QueueItem&& item) {
    queued_ids += item.c.id.back();
    return ok_status();
  });
  REQUIRE(s.list({}, [&](Case&& c) { return q.push(std::move(c)); }));
  REQUIRE(q.finish());
  CaseFilter f;
  f.limit = limit;
  CaseParser p;
  REQUIRE(s.list_json(
      f, [&](const CaseColumns& col) { return queue_group(col, env, kNow); },
      [&](std::string_view json, int64_t number) {
        auto c = p.parse(json);
        REQUIRE(c);
        json_ids += c->id.back();
        auto stored = s.get(c->id);
        REQUIRE(stored);
        REQUIRE(stored->has_value());
        CHECK(case_to_json(**stored) == json);
        CHECK((*stored)->number == number);
        return ok_status();
      }));
  return {queued_ids, json_ids};
}

}  // namespace

TEST_CASE("queue: the columns a store keeps give the order QueueOrder gives (Store::list_json)") {
  const auto env = away_env();
  for (const auto& c : every_kind()) {
    const auto stalls = stalls_after_ms(c);
    CHECK((stalls && *stalls < kNow) == handoff::is_stalled(c, kNow));
  }
  auto check = [&](Store& s) {
    for (size_t limit : {0, 1, 3, 6, 20}) {
      CAPTURE(limit);
      const auto [queued_ids, json_ids] = both_orders(s, env, limit);
      CHECK(json_ids == queued_ids);
      if (limit == 0) CHECK(queued_ids == "sfbagcdehkijlt");
    }
  };
  auto memory = make_memory_store();
  store_all(*memory, every_kind());
  check(*memory);
  test::TempDir dir;
  const std::string path = dir.file("s.db");
  auto sqlite = open_sqlite_store(path);
  REQUIRE(sqlite);
  store_all(**sqlite, every_kind());
  check(**sqlite);
  SUBCASE("a schema-4 store migrates; its rows are ordered from their parsed cases") {
    sqlite.value().reset();
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "ALTER TABLE cases DROP COLUMN clock_start_ms; ALTER TABLE cases DROP COLUMN stalls_after_ms; "
                       "ALTER TABLE cases DROP COLUMN queue_keys; DROP TABLE dictionaries; PRAGMA user_version = 4;",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    auto old = open_sqlite_store(path);
    REQUIRE(old);
    check(**old);
    // A case written again gets its keys; the order stays.
    auto c = (*old)->get("x:brand:c");
    REQUIRE(c);
    REQUIRE((*old)->update(**c));
    check(**old);
  }
}
