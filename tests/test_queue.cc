// The fair queue's order within due bands, its texts and `case due` counts.
#include <doctest/doctest.h>

#include <toml++/toml.h>

#include "lib/timefmt.h"
#include "lib/store.h"
#include "lib/triage/queue.h"

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
