// Business-hours calendars: the two teams from our sources (Mon-Fri
// 09:00-17:00 Australia/Sydney; every day 07:00-20:00 Europe/London), both
// DST changes in both zones, holidays, weekends, and the DST gap itself.
#include <doctest/doctest.h>

#include "lib/tomlpp.h"

#include "lib/triage/calendar.h"
#include "lib/triage/teams.h"

using namespace socq;

namespace {

TriageEnv env_of(const std::string& toml_text) {
  TriageEnv env;
  auto st = load_triage_env(env, toml::parse(std::string_view(toml_text), std::string_view("teams.toml")), "teams.toml");
  if (!st) FAIL(st.error().message);
  return env;
}

const std::string kTeams = R"(
[teams.sydney]
zone = "Australia/Sydney"
hours = { mon-fri = "09:00-17:00" }
holidays = ["2026-12-25", "2026-12-28..2026-12-29"]

[teams.london]
zone = "Europe/London"
hours = { daily = "07:00-20:00" }

[teams.london247]
zone = "Europe/London"
hours = "24/7"

[teams.sydney247]
zone = "Australia/Sydney"
hours = "24/7"

[teams.gap]
zone = "Europe/London"
hours = { sun = "00:30-03:00" }
)";

TimePoint at(const std::string& s) {
  auto t = parse_time_point(s);
  REQUIRE(t);
  return *t;
}

std::string add(const Calendar& c, const std::string& start, const std::string& d) {
  return format_time_point(c.add_business(at(start), *parse_duration(d)));
}

const Calendar& cal(const TriageEnv& env, const std::string& team) {
  const Team* t = env.team(team);
  REQUIRE(t);
  REQUIRE(t->calendar);
  return *t->calendar;
}

}  // namespace

TEST_CASE("calendar: durations parse and print") {
  CHECK(parse_duration("15m")->count() == 900);
  CHECK(parse_duration("1h30m")->count() == 5400);
  CHECK(parse_duration("2d")->count() == 172800);
  CHECK(parse_duration("90s")->count() == 90);
  CHECK_FALSE(parse_duration("15"));
  CHECK_FALSE(parse_duration("m"));
  CHECK_FALSE(parse_duration("1x"));
  CHECK_FALSE(parse_duration(""));
  CHECK(format_duration(Seconds{5400}) == "1h30m");
  CHECK(format_duration(Seconds{-600}) == "-10m");
  CHECK(format_duration(Seconds{0}) == "0m");
  CHECK(format_duration(Seconds{90061}) == "1d1h1m");
}

TEST_CASE("calendar: Sydney Mon-Fri 09:00-17:00, message at 16:59 on a Friday, across the April DST end") {
  const auto env = env_of(kTeams);
  const Calendar& syd = cal(env, "sydney");
  CHECK(syd.zone() == "Australia/Sydney");
  CHECK_FALSE(syd.always_open());
  // Fri 3 Apr 2026 16:59 AEDT (+11) = 05:59Z. Clocks go back on Sun 5 Apr, so
  // Monday 09:00 is AEST (+10) = Sun 23:00Z.
  CHECK(syd.is_open(at("2026-04-03T05:59:00Z")));
  CHECK_FALSE(syd.is_open(at("2026-04-03T06:00:00Z")));  // 17:00 local: closed
  CHECK(syd.next_open(at("2026-04-03T06:00:00Z")) == at("2026-04-05T23:00:00Z"));
  // 4 business hours: 1 minute on Friday, 3h59m on Monday -> 12:59 AEST.
  CHECK(add(syd, "2026-04-03T05:59:00Z", "4h") == "2026-04-06T02:59:00Z");
  CHECK(syd.business_between(at("2026-04-03T05:59:00Z"), at("2026-04-06T02:59:00Z")) == Seconds{4 * 3600});
  // A full weekend in between counts nothing.
  CHECK(syd.business_between(at("2026-04-03T06:00:00Z"), at("2026-04-05T23:00:00Z")) == Seconds{0});
  // Monday closes at 17:00 AEST = 07:00Z (one hour later in UTC than Friday).
  CHECK(syd.is_open(at("2026-04-06T06:30:00Z")));
  CHECK_FALSE(syd.is_open(at("2026-04-06T07:00:00Z")));
}

TEST_CASE("calendar: Sydney message at 03:00 on a Sunday, on the October DST start and on an ordinary Sunday") {
  const auto env = env_of(kTeams);
  const Calendar& syd = cal(env, "sydney");
  // Sun 4 Oct 2026: 02:00 AEST jumps to 03:00 AEDT; 03:00 AEDT = Sat 16:00Z.
  CHECK_FALSE(syd.is_open(at("2026-10-03T16:00:00Z")));
  // Friday before closes 17:00 AEST = 07:00Z; Monday opens 09:00 AEDT = Sun 22:00Z.
  CHECK(syd.is_open(at("2026-10-02T06:59:00Z")));
  CHECK_FALSE(syd.is_open(at("2026-10-02T07:00:00Z")));
  CHECK(syd.next_open(at("2026-10-03T16:00:00Z")) == at("2026-10-04T22:00:00Z"));
  CHECK(add(syd, "2026-10-03T16:00:00Z", "4h") == "2026-10-05T02:00:00Z");  // Mon 13:00 AEDT
  // Sun 22 Nov 2026 03:00 AEDT = Sat 16:00Z; Monday 09:00 AEDT = Sun 22:00Z.
  CHECK(syd.next_open(at("2026-11-21T16:00:00Z")) == at("2026-11-22T22:00:00Z"));
  CHECK(add(syd, "2026-11-21T16:00:00Z", "30m") == "2026-11-22T22:30:00Z");
}

TEST_CASE("calendar: a clock spanning a weekend adds a week's business time correctly") {
  const auto env = env_of(kTeams);
  const Calendar& syd = cal(env, "sydney");
  // Wed 18 Nov 2026 10:00 AEDT = Tue 23:00Z; 5 days x 8 h = 40 h ends Wed 25 Nov 10:00 AEDT.
  CHECK(add(syd, "2026-11-17T23:00:00Z", "40h") == "2026-11-24T23:00:00Z");
  CHECK(syd.business_between(at("2026-11-17T23:00:00Z"), at("2026-11-24T23:00:00Z")) == Seconds{40 * 3600});
  // Ending exactly at closing time stays on that day.
  CHECK(add(syd, "2026-11-19T22:00:00Z", "8h") == "2026-11-20T06:00:00Z");  // Fri 09:00 -> 17:00 AEDT
}

TEST_CASE("calendar: holidays close whole local dates, single and ranges") {
  const auto env = env_of(kTeams);
  const Calendar& syd = cal(env, "sydney");
  // Thu 24 Dec 16:00 AEDT = 05:00Z. 2 h: 1 h Thursday; Fri 25 holiday; weekend;
  // Mon 28 and Tue 29 holiday; Wed 30 Dec 09:00-10:00 AEDT = Tue 22:00-23:00Z.
  CHECK(add(syd, "2026-12-24T05:00:00Z", "2h") == "2026-12-29T23:00:00Z");
  CHECK_FALSE(syd.is_open(at("2026-12-24T23:00:00Z")));  // Fri 25 Dec 10:00 local
  CHECK_FALSE(syd.is_open(at("2026-12-28T00:00:00Z")));  // Mon 28 Dec 11:00 local
  CHECK(syd.is_open(at("2026-12-29T23:00:00Z")));  // Wed 30 Dec 10:00 local: open again
}

TEST_CASE("calendar: London every day 07:00-20:00 including weekends, across both DST changes") {
  const auto env = env_of(kTeams);
  const Calendar& lon = cal(env, "london");
  // Weekends are open: Sun 22 Nov 2026 10:00 GMT.
  CHECK(lon.is_open(at("2026-11-22T10:00:00Z")));
  CHECK_FALSE(lon.is_open(at("2026-11-22T20:00:00Z")));
  CHECK(lon.is_open(at("2026-11-22T06:59:59Z")) == false);
  // Spring: Sat 28 Mar 2026 GMT opens 07:00Z; Sun 29 Mar BST opens 06:00Z.
  CHECK(lon.next_open(at("2026-03-28T03:00:00Z")) == at("2026-03-28T07:00:00Z"));
  CHECK(lon.next_open(at("2026-03-28T21:00:00Z")) == at("2026-03-29T06:00:00Z"));
  // Sat 19:00Z (19:00 GMT) + 2 h: 1 h Saturday, 1 h from Sunday 07:00 BST.
  CHECK(add(lon, "2026-03-28T19:00:00Z", "2h") == "2026-03-29T07:00:00Z");
  // Autumn: Sat 24 Oct BST 06:00-19:00Z, Sun 25 Oct GMT 07:00-20:00Z: 13 h each.
  CHECK(lon.is_open(at("2026-10-24T06:00:00Z")));
  CHECK_FALSE(lon.is_open(at("2026-10-25T06:30:00Z")));
  CHECK(lon.is_open(at("2026-10-25T19:30:00Z")));
  CHECK(lon.business_between(at("2026-10-24T00:00:00Z"), at("2026-10-26T00:00:00Z")) == Seconds{26 * 3600});
  CHECK(add(lon, "2026-10-24T18:30:00Z", "1h") == "2026-10-25T07:30:00Z");
}

TEST_CASE("calendar: 24/7 teams count calendar time; their local days are 23 or 25 hours on DST days") {
  const auto env = env_of(kTeams);
  const Calendar& lon = cal(env, "london247");
  const Calendar& syd = cal(env, "sydney247");
  CHECK(lon.always_open());
  CHECK(lon.is_open(at("2026-10-25T01:30:00Z")));
  CHECK(add(lon, "2026-10-24T23:00:00Z", "4h") == "2026-10-25T03:00:00Z");
  CHECK(lon.business_between(at("2026-10-24T00:00:00Z"), at("2026-10-25T00:00:00Z")) == Seconds{86400});
  const auto lon_day = lon.openings_on(date::local_days{date::year{2026} / 10 / 25});
  REQUIRE(lon_day.size() == 1);
  CHECK(lon_day[0].second - lon_day[0].first == Seconds{25 * 3600});
  const auto syd_day = syd.openings_on(date::local_days{date::year{2026} / 10 / 4});
  REQUIRE(syd_day.size() == 1);
  CHECK(syd_day[0].second - syd_day[0].first == Seconds{23 * 3600});
  const auto syd_april = syd.openings_on(date::local_days{date::year{2026} / 4 / 5});
  CHECK(syd_april[0].second - syd_april[0].first == Seconds{25 * 3600});
}

TEST_CASE("calendar: an opening time the clock change skips opens at the change") {
  const auto env = env_of(kTeams);
  const Calendar& gap = cal(env, "gap");
  // Sun 29 Mar 2026: 00:30 GMT (00:30Z) to 03:00 BST (02:00Z): 01:00-02:00 local does not exist.
  const auto spring = gap.openings_on(date::local_days{date::year{2026} / 3 / 29});
  REQUIRE(spring.size() == 1);
  CHECK(spring[0].first == at("2026-03-29T00:30:00Z"));
  CHECK(spring[0].second == at("2026-03-29T02:00:00Z"));
  // Sun 25 Oct: 00:30 BST (Sat 23:30Z) to 03:00 GMT (03:00Z): the repeated hour counts twice.
  const auto autumn = gap.openings_on(date::local_days{date::year{2026} / 10 / 25});
  REQUIRE(autumn.size() == 1);
  CHECK(autumn[0].second - autumn[0].first == Seconds{(3 * 60 + 30) * 60});
}
