// SLA clocks: first response, next response, resolution; calendar and
// business time; auto messages; pending_customer; met and breached;
// overrides; idempotence; the store's due column.
#include <doctest/doctest.h>

#include "lib/tomlpp.h"

#include "lib/case.h"
#include "lib/store.h"
#include "lib/timefmt.h"
#include "lib/triage/sla.h"
#include "lib/triage/teams.h"

using namespace socq;

namespace {

const std::string kEnv = R"(
[teams.sydney]
zone = "Australia/Sydney"
hours = { mon-fri = "09:00-17:00" }

[teams.london]
zone = "Europe/London"
hours = { daily = "07:00-20:00" }

[teams.nohours]

[sla.p1]
first_response = "15m"
next_response = "30m"
resolution = "4h"

[sla.p2]
first_response = "1h"
next_response = "2h"
resolution = "1d"
business_hours = true

[sla.p2.channel.x]
first_response = "30m"

[sla.p2.team.london]
first_response = "2h"

[sla.default]
first_response = "8h"
)";

TriageEnv env_of(const std::string& text) {
  TriageEnv env;
  auto st = load_triage_env(env, toml::parse(std::string_view(text), std::string_view("sla.toml")), "sla.toml");
  if (!st) FAIL(st.error().message);
  return env;
}

struct Msg {
  Dir dir;
  std::string at;
  bool is_auto = false;
};

Case make_case(OptString priority, OptString team, const std::vector<Msg>& msgs, std::string channel = "mastodon") {
  Case c;
  c.id = channel + ":@brand:1";
  c.channel = channel;
  c.account = "@brand";
  c.customer.id = "ann";
  c.priority = std::move(priority);
  c.team = std::move(team);
  c.status = CaseStatus::open;
  int n = 0;
  for (const auto& m : msgs) {
    Message msg;
    msg.id = std::to_string(++n);
    msg.dir = m.dir;
    msg.at = m.at;
    msg.author = m.dir == Dir::in ? "@ann" : "@brand";
    msg.text = "text";
    msg.is_auto = m.is_auto;
    c.messages.push_back(msg);
  }
  return c;
}

void status_event(Case& c, const std::string& at, const std::string& what) { c.events.push_back(Event{at, "agent", what, {}}); }

std::vector<std::string> breached(const Case& c) { return c.sla.breached; }

}  // namespace

TEST_CASE("sla: first response met, an auto-reply stops nothing") {
  const auto env = env_of(kEnv);
  auto c = make_case("p1", std::nullopt,
                     {{Dir::in, "2026-11-20T08:00:00Z"}, {Dir::out, "2026-11-20T08:00:05Z", true}, {Dir::out, "2026-11-20T08:12:00Z"}});
  CHECK(apply_sla(c, env, "2026-11-20T09:00:00Z"));
  CHECK(c.sla.first_response_due == "2026-11-20T08:15:00Z");
  CHECK(c.sla.first_response_at == "2026-11-20T08:12:00Z");
  CHECK_FALSE(c.sla.next_response_due);
  CHECK(c.sla.resolution_due == "2026-11-20T12:00:00Z");
  CHECK(breached(c).empty());
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].by == "triage");
  CHECK(c.events[0].what.find("first_response_due 2026-11-20T08:15:00Z") != std::string::npos);
  // The store's due column follows: the first response is done, so resolution.
  CHECK(next_due(c) == "2026-11-20T12:00:00Z");
  CHECK(columns_of(c).next_due_ms == parse_rfc3339_utc("2026-11-20T12:00:00Z"));
}

TEST_CASE("sla: first response breached by a late reply, and by no reply once now passes due") {
  const auto env = env_of(kEnv);
  auto late = make_case("p1", std::nullopt, {{Dir::in, "2026-11-20T08:00:00Z"}, {Dir::out, "2026-11-20T08:20:00Z"}});
  apply_sla(late, env, "2026-11-20T09:00:00Z");
  CHECK(breached(late) == std::vector<std::string>{"first_response"});
  CHECK(late.sla.first_response_at == "2026-11-20T08:20:00Z");

  auto only_auto = make_case("p1", std::nullopt, {{Dir::in, "2026-11-20T08:00:00Z"}, {Dir::out, "2026-11-20T08:01:00Z", true}});
  apply_sla(only_auto, env, "2026-11-20T08:10:00Z");
  CHECK_FALSE(only_auto.sla.first_response_at);
  CHECK(breached(only_auto).empty());
  CHECK(next_due(only_auto) == "2026-11-20T08:15:00Z");
  // Later, still unanswered: breached, and the change is recorded.
  CHECK(apply_sla(only_auto, env, "2026-11-20T08:16:00Z"));
  CHECK(breached(only_auto) == std::vector<std::string>{"first_response"});
  CHECK(only_auto.events.back().what.find("breached first_response") != std::string::npos);
}

TEST_CASE("sla: next response starts at the first customer message after our reply") {
  const auto env = env_of(kEnv);
  auto c = make_case("p1", std::nullopt,
                     {{Dir::in, "2026-11-20T08:00:00Z"}, {Dir::out, "2026-11-20T08:05:00Z"},
                      {Dir::in, "2026-11-20T09:10:00Z"}, {Dir::in, "2026-11-20T09:20:00Z"}});
  apply_sla(c, env, "2026-11-20T09:30:00Z");
  CHECK(c.sla.next_response_due == "2026-11-20T09:40:00Z");
  CHECK(next_due(c) == "2026-11-20T09:40:00Z");
  CHECK(breached(c).empty());

  SUBCASE("met by our reply in time") {
    c.messages.push_back(make_case("p1", std::nullopt, {{Dir::out, "2026-11-20T09:35:00Z"}}).messages[0]);
    c.messages.back().id = "9";
    CHECK(apply_sla(c, env, "2026-11-20T10:00:00Z"));
    CHECK_FALSE(c.sla.next_response_due);
    CHECK(breached(c).empty());
  }
  SUBCASE("an auto-reply does not stop it; breached once late") {
    c.messages.push_back(make_case("p1", std::nullopt, {{Dir::out, "2026-11-20T09:31:00Z", true}}).messages[0]);
    c.messages.back().id = "9";
    apply_sla(c, env, "2026-11-20T09:45:00Z");
    CHECK(c.sla.next_response_due == "2026-11-20T09:40:00Z");
    CHECK(breached(c) == std::vector<std::string>{"next_response"});
  }
  SUBCASE("sla_clocks lists each run") {
    c.messages.push_back(make_case("p1", std::nullopt, {{Dir::out, "2026-11-20T09:50:00Z"}}).messages[0]);
    c.messages.back().id = "9";
    const auto clocks = sla_clocks(c, env, "2026-11-20T10:00:00Z");
    REQUIRE(clocks.size() == 3);
    CHECK(clocks[0].clock == "first_response");
    CHECK(clocks[0].met);
    CHECK(clocks[0].calendar_s == 300);
    CHECK_FALSE(clocks[0].business_s);  // no team calendar
    CHECK(clocks[1].clock == "next_response");
    CHECK(clocks[1].start == "2026-11-20T09:10:00Z");
    CHECK(clocks[1].stop == "2026-11-20T09:50:00Z");
    CHECK(clocks[1].due == "2026-11-20T09:40:00Z");
    CHECK_FALSE(clocks[1].met);
    CHECK(clocks[1].calendar_s == 2400);
    CHECK(clocks[2].clock == "resolution");
    CHECK(clocks[2].stop.empty());
    CHECK(clocks[2].calendar_s == 7200);
  }
}

TEST_CASE("sla: pending_customer stops the next-response clock; a customer message then restarts it") {
  const auto env = env_of(kEnv);
  auto c = make_case("p1", std::nullopt,
                     {{Dir::in, "2026-11-20T08:00:00Z"}, {Dir::out, "2026-11-20T08:05:00Z"},
                      {Dir::in, "2026-11-20T08:10:00Z"}, {Dir::in, "2026-11-20T09:00:00Z"},
                      {Dir::in, "2026-11-20T09:10:00Z"}});
  SUBCASE("without pending_customer the clock from 08:10 breaches") {
    apply_sla(c, env, "2026-11-20T09:20:00Z");
    CHECK(c.sla.next_response_due == "2026-11-20T08:40:00Z");
    CHECK(breached(c) == std::vector<std::string>{"next_response"});
  }
  SUBCASE("with it, the clock stops at 08:20 (met) and restarts at 09:00, once per pending period") {
    status_event(c, "2026-11-20T08:20:00Z", "status open -> pending_customer: asked for the booking number");
    status_event(c, "2026-11-20T09:15:00Z", "status pending_customer -> open: new message from the customer");
    apply_sla(c, env, "2026-11-20T09:20:00Z");
    CHECK(c.sla.next_response_due == "2026-11-20T09:30:00Z");
    CHECK(breached(c).empty());
    const auto clocks = sla_clocks(c, env, "2026-11-20T09:20:00Z");
    REQUIRE(clocks.size() == 4);
    CHECK(clocks[1].stop == "2026-11-20T08:20:00Z");
    CHECK(clocks[1].met);
    CHECK(clocks[2].start == "2026-11-20T09:00:00Z");
  }
  SUBCASE("a case imported as pending_customer counts as pending since our last reply") {
    auto p = make_case("p1", std::nullopt,
                       {{Dir::in, "2026-11-20T08:00:00Z"}, {Dir::out, "2026-11-20T08:05:00Z"}, {Dir::in, "2026-11-20T09:00:00Z"}});
    p.status = CaseStatus::pending_customer;
    apply_sla(p, env, "2026-11-20T09:10:00Z");
    CHECK(p.sla.next_response_due == "2026-11-20T09:30:00Z");
  }
}

TEST_CASE("sla: resolution met and breached; resolving stops the response clocks") {
  const auto env = env_of(kEnv);
  auto c = make_case("p1", std::nullopt, {{Dir::in, "2026-11-20T08:00:00Z"}, {Dir::out, "2026-11-20T08:10:00Z"}});
  c.status = CaseStatus::resolved;
  c.resolution = Resolution{"answered", "2026-11-20T11:00:00Z", "agent", {}};
  apply_sla(c, env, "2026-11-20T18:00:00Z");
  CHECK(c.sla.resolution_due == "2026-11-20T12:00:00Z");
  CHECK(breached(c).empty());
  CHECK(next_due(c).empty());  // resolved cases wait for nobody

  c.resolution->at = "2026-11-20T13:00:00Z";
  CHECK(apply_sla(c, env, "2026-11-20T18:00:00Z"));
  CHECK(breached(c) == std::vector<std::string>{"resolution"});

  auto spam = make_case("p1", std::nullopt, {{Dir::in, "2026-11-20T08:00:00Z"}});
  spam.status = CaseStatus::resolved;
  spam.resolution = Resolution{"spam", "2026-11-20T08:05:00Z", "agent", {}};
  apply_sla(spam, env, "2026-11-20T18:00:00Z");
  CHECK_FALSE(spam.sla.first_response_at);
  CHECK(breached(spam).empty());
}

TEST_CASE("sla: business time on the Sydney team (16:59 on a Friday, weekend, DST end)") {
  const auto env = env_of(kEnv);
  // Fri 3 Apr 2026 16:59 AEDT = 05:59Z; Monday opens 09:00 AEST = Sun 23:00Z.
  auto c = make_case("p2", "sydney", {{Dir::in, "2026-04-03T05:59:00Z"}});
  apply_sla(c, env, "2026-04-03T06:30:00Z");
  CHECK(c.sla.first_response_due == "2026-04-05T23:59:00Z");
  // 1 day = 24 business hours: 1 min Fri, 8 h Mon, 8 h Tue, 7h59m Wed -> 16:59 AEST.
  CHECK(c.sla.resolution_due == "2026-04-08T06:59:00Z");
  const auto clocks = sla_clocks(c, env, "2026-04-05T23:30:00Z");
  REQUIRE(clocks.size() == 2);
  REQUIRE(clocks[0].business_s);
  CHECK(*clocks[0].business_s == 31 * 60);  // 1 min Friday + 30 min Monday
  CHECK(clocks[0].calendar_s == (2 * 86400 + 17 * 3600 + 31 * 60));
  CHECK(clocks[0].met);

  // A team without hours: business-time policies run in calendar time.
  auto plain = make_case("p2", "nohours", {{Dir::in, "2026-04-03T05:59:00Z"}});
  apply_sla(plain, env, "2026-04-03T06:00:00Z");
  CHECK(plain.sla.first_response_due == "2026-04-03T06:59:00Z");
}

TEST_CASE("sla: overrides per channel and per team; default; no policy leaves sla alone") {
  const auto env = env_of(kEnv);
  auto x = make_case("p2", std::nullopt, {{Dir::in, "2026-11-20T08:00:00Z"}}, "x");
  apply_sla(x, env, "2026-11-20T08:00:00Z");
  CHECK(x.sla.first_response_due == "2026-11-20T08:30:00Z");
  // Team wins over channel; London is open at 08:00Z, so business == calendar here.
  auto lx = make_case("p2", "london", {{Dir::in, "2026-11-20T08:00:00Z"}}, "x");
  apply_sla(lx, env, "2026-11-20T08:00:00Z");
  CHECK(lx.sla.first_response_due == "2026-11-20T10:00:00Z");
  // London closes at 20:00: 2 business hours from 19:30 end at 08:30 next day.
  auto late = make_case("p2", "london", {{Dir::in, "2026-11-20T19:30:00Z"}});
  apply_sla(late, env, "2026-11-20T19:30:00Z");
  CHECK(late.sla.first_response_due == "2026-11-21T08:30:00Z");

  auto none = make_case(std::nullopt, std::nullopt, {{Dir::in, "2026-11-20T08:00:00Z"}});
  apply_sla(none, env, "2026-11-20T08:00:00Z");
  CHECK(none.sla.first_response_due == "2026-11-20T16:00:00Z");
  CHECK_FALSE(none.sla.resolution_due);

  const auto bare = env_of("[sla.p1]\nfirst_response = \"15m\"\n");
  auto p4 = make_case("p4", std::nullopt, {{Dir::in, "2026-11-20T08:00:00Z"}});
  p4.sla.first_response_due = "2026-11-21T00:00:00Z";  // from elsewhere: kept
  p4.source = "{...}";
  CHECK_FALSE(apply_sla(p4, bare, "2026-11-20T08:00:00Z"));
  CHECK(p4.sla.first_response_due == "2026-11-21T00:00:00Z");
  CHECK(p4.source == "{...}");
}

TEST_CASE("sla: applying twice changes nothing the second time") {
  const auto env = env_of(kEnv);
  auto c = make_case("p2", "sydney",
                     {{Dir::in, "2026-04-03T05:59:00Z"}, {Dir::out, "2026-04-05T23:30:00Z"}, {Dir::in, "2026-04-06T01:00:00Z"}});
  CHECK(apply_sla(c, env, "2026-04-06T02:00:00Z"));
  c.source = "{\"unchanged\":true}";  // as read back from a file
  const auto events = c.events.size();
  const Sla before = c.sla;
  CHECK_FALSE(apply_sla(c, env, "2026-04-06T02:00:00Z"));
  CHECK(c.events.size() == events);
  CHECK(c.source == "{\"unchanged\":true}");
  CHECK(c.sla.next_response_due == before.next_response_due);
  CHECK(c.sla.next_response_due == "2026-04-06T03:00:00Z");
  CHECK(c.sla.first_response_at == "2026-04-05T23:30:00Z");
}
