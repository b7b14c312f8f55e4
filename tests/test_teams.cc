// The [teams], [sla] and [[away]] tables: syntax, errors with file:line
// (exit 78), and away agents.
#include <doctest/doctest.h>

#include "lib/tomlpp.h"

#include "lib/config.h"
#include "lib/toml_file.h"
#include "lib/triage/teams.h"
#include "tests/test_util.h"

using namespace socq;

namespace {

Status load(TriageEnv& env, const std::string& text) {
  return load_triage_env(env, toml::parse(std::string_view(text), std::string_view("rules.toml")), "rules.toml");
}

std::string error_of(const std::string& text) {
  TriageEnv env;
  auto st = load(env, text);
  if (st) return "accepted";
  CHECK(st.error().code == Exit::config);
  return st.error().message;
}

TimePoint at(const std::string& s) { return *parse_time_point(s); }

}  // namespace

TEST_CASE("teams: a file with teams, sla and away loads; other keys are left alone") {
  TriageEnv env;
  auto st = load(env, R"(
[[rule]]
name = "not ours"

[teams.service]
zone = "Europe/London"
hours = { mon-fri = "07:00-20:00", sat = "08:00-18:00", sun = "closed" }
holidays = ["2026-12-25", "2026-12-26..2026-12-28"]

[teams.social]

[sla.p1]
first_response = "15m"

[sla.p1.team.service]
business_hours = true

[[away]]
name = "alice"
from = "2026-12-24T00:00:00Z"
until = "2027-01-02T00:00:00Z"
)");
  REQUIRE_MESSAGE(st, st.error().message);
  REQUIRE(env.team("service"));
  CHECK(env.team("service")->source == "rules.toml:5");
  CHECK(env.team("service")->calendar->zone() == "Europe/London");
  CHECK(env.team("social"));
  CHECK_FALSE(env.team("social")->calendar);
  CHECK_FALSE(env.team("nobody"));
  CHECK(env.calendar_of(std::string("service")) != nullptr);
  CHECK(env.calendar_of(std::string("social")) == nullptr);
  CHECK(env.calendar_of(std::nullopt) == nullptr);
  // Saturday 2026-12-19 09:00 GMT open, Sunday closed, 26 Dec (a Saturday) a holiday.
  CHECK(env.team("service")->calendar->is_open(at("2026-12-19T09:00:00Z")));
  CHECK_FALSE(env.team("service")->calendar->is_open(at("2026-12-20T09:00:00Z")));
  CHECK_FALSE(env.team("service")->calendar->is_open(at("2026-12-26T09:00:00Z")));
  CHECK(env.sla.resolve(std::string("p1"), "x", std::string("service"))->business_hours);
  CHECK_FALSE(env.sla.resolve(std::string("p1"), "x", std::nullopt)->business_hours);
}

TEST_CASE("teams: away agents are away in [from, until)") {
  TriageEnv env;
  REQUIRE(load(env, "[[away]]\nname = \"alice\"\nfrom = \"2026-12-24T00:00:00Z\"\nuntil = \"2027-01-02T00:00:00Z\"\n"));
  CHECK(env.is_away("alice", at("2026-12-24T00:00:00Z")));
  CHECK(env.is_away("alice", at("2027-01-01T23:59:59Z")));
  CHECK_FALSE(env.is_away("alice", at("2027-01-02T00:00:00Z")));
  CHECK_FALSE(env.is_away("alice", at("2026-12-23T23:59:59Z")));
  CHECK_FALSE(env.is_away("bob", at("2026-12-25T00:00:00Z")));
  // A second file adds to the list.
  REQUIRE(load(env, "[[away]]\nname = \"bob\"\nfrom = \"2026-12-24T00:00:00Z\"\nuntil = \"2026-12-27T00:00:00Z\"\n"));
  CHECK(env.is_away("bob", at("2026-12-25T00:00:00Z")));
  CHECK(env.is_away("alice", at("2026-12-25T00:00:00Z")));
}

TEST_CASE("teams: every error names file:line and the field, exit 78") {
  CHECK(error_of("[teams.a]\nzone = \"Mars/Olympus\"\nhours = \"24/7\"\n") ==
        "rules.toml:2: teams.a.zone: unknown time zone \"Mars/Olympus\" (IANA names such as Europe/London)");
  CHECK(error_of("[teams.a]\ncolour = \"red\"\n") == "rules.toml:2: teams.a.colour: unknown key (zone, hours, holidays)");
  CHECK(error_of("[teams.a]\nhours = { mon = \"9-5\" }\n").find("rules.toml:2: teams.a.hours.mon: \"9-5\" is not HH:MM-HH:MM") == 0);
  CHECK(error_of("[teams.a]\nhours = { mon = \"17:00-09:00\" }\n").find("rules.toml:2:") == 0);
  CHECK(error_of("[teams.a]\nhours = { mon = \"09:00-25:00\" }\n").find("rules.toml:2:") == 0);
  CHECK(error_of("[teams.a]\nhours = { funday = \"09:00-17:00\" }\n") ==
        "rules.toml:2: teams.a.hours.funday: unknown day (mon..sun, a range such as mon-fri, or daily)");
  CHECK(error_of("[teams.a]\nhours = { mon-fri = \"09:00-17:00\", wed = \"10:00-12:00\" }\n").find("wed is given twice") != std::string::npos);
  CHECK(error_of("[teams.a]\nhours = \"9to5\"\n") == "rules.toml:2: teams.a.hours: a string must be \"24/7\"");
  CHECK(error_of("[teams.a]\nhours = { sun = \"closed\" }\n").find("at least one day") != std::string::npos);
  CHECK(error_of("[teams.a]\nhours = \"24/7\"\nholidays = [\"2026-02-30\"]\n").find("rules.toml:3: teams.a.holidays: not a date") == 0);
  CHECK(error_of("[teams.a]\nhours = { mon = \"09:00-17:00\" }\nholidays = [\"2026-12-28..2026-12-26\"]\n").find("rules.toml:3:") == 0);
  CHECK(error_of("[teams.a]\nzone = \"UTC\"\n").find("need hours") != std::string::npos);
  CHECK(error_of("teams = 3\n") == "rules.toml:1: \"teams\" must be a table of [teams.NAME]");
  CHECK(error_of("[sla.p9]\nfirst_response = \"15m\"\n") == "rules.toml:1: sla.p9: unknown priority (p1, p2, p3, p4, default)");
  CHECK(error_of("[sla.p1]\nfirst_response = \"soon\"\n") ==
        "rules.toml:2: sla.p1.first_response: must be a duration such as \"15m\", \"4h\", \"1h30m\" or \"2d\"");
  CHECK(error_of("[sla.p1]\nfirst_response = 15\n").find("rules.toml:2: sla.p1.first_response") == 0);
  CHECK(error_of("[sla.p1]\nbusiness_hours = \"yes\"\n") == "rules.toml:2: sla.p1.business_hours: must be true or false");
  CHECK(error_of("[sla.p1]\nfirst_reponse = \"15m\"\n").find("rules.toml:2: sla.p1.first_reponse: unknown key") == 0);
  CHECK(error_of("[sla.p1.team.ghost]\nfirst_response = \"15m\"\n").find("sla.p1.team.ghost: unknown team") != std::string::npos);
  CHECK(error_of("[sla.p1.channel.x]\nteam = \"a\"\n").find("rules.toml:2: sla.p1.channel.x.team: unknown key") == 0);
  CHECK(error_of("[[away]]\nname = \"alice\"\nfrom = \"tomorrow\"\nuntil = \"2027-01-02T00:00:00Z\"\n")
            .find("rules.toml:3: away.from: \"tomorrow\" is not an RFC 3339 UTC time") == 0);
  CHECK(error_of("[[away]]\nname = \"alice\"\nfrom = \"2027-01-02T00:00:00Z\"\nuntil = \"2027-01-01T00:00:00Z\"\n") ==
        "rules.toml:1: [[away]] alice: until must be after from");
  CHECK(error_of("[[away]]\nname = \"alice\"\n") == "rules.toml:1: [[away]] needs name, from and until");
  CHECK(error_of("[[away]]\nname = \"alice\"\nreason = \"ski\"\n").find("away.reason: unknown key") != std::string::npos);
}

TEST_CASE("teams: the config's files feed the env; config accepts the tables") {
  test::TempDir dir;
  const std::string file = dir.file("config.toml");
  test::write_file(file, "store = \"x.db\"\nrules = \"rules.toml\"\n\n[teams.service]\nzone = \"Europe/London\"\nhours = { daily = \"07:00-20:00\" }\n\n[sla.p1]\nfirst_response = \"15m\"\n");
  auto cfg = load_config(file, [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "SOCQ_SYSTEM_CONFIG") return std::string("/nonexistent/socq.toml");
    return std::nullopt;
  });
  REQUIRE_MESSAGE(cfg, cfg.error().message);
  CHECK(cfg->get("rules")->value == "rules.toml");
  auto env = load_triage_env_from_config(*cfg);
  REQUIRE_MESSAGE(env, env.error().message);
  CHECK(env->team("service"));
  CHECK(env->sla.resolve(std::string("p1"), "x", std::nullopt)->first_response == Seconds{900});

  test::write_file(file, "[teams.service]\nzone = \"Nowhere/Land\"\nhours = \"24/7\"\n");
  auto bad = load_config(file, [](const char*) -> std::optional<std::string> { return std::string("/nonexistent/socq.toml"); });
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Exit::config);
  CHECK(bad.error().message.find(file + ":2: teams.service.zone: unknown time zone") == 0);
}

TEST_CASE("teams: examples/teams.toml holds both real calendars and every team the example rules name") {
  const std::string path = std::string(SOCQ_SOURCE_DIR) + "/examples/teams.toml";
  auto root = parse_toml_file(path);
  REQUIRE_MESSAGE(root, root.error().message);
  TriageEnv env;
  auto st = load_triage_env(env, *root, path);
  REQUIRE_MESSAGE(st, st.error().message);
  for (const char* t : {"service", "refunds", "stations", "emergency", "billing", "metering", "switching"})
    CHECK_MESSAGE(env.team(t), t);
  const Calendar* service = env.calendar_of(std::string("service"));
  const Calendar* billing = env.calendar_of(std::string("billing"));
  REQUIRE(service);
  REQUIRE(billing);
  CHECK(service->zone() == "Europe/London");
  CHECK(service->is_open(at("2026-11-22T07:30:00Z")));   // a Sunday morning
  CHECK(billing->zone() == "Australia/Sydney");
  CHECK(billing->is_open(at("2026-11-23T00:00:00Z")));   // Mon 11:00 AEDT
  CHECK_FALSE(billing->is_open(at("2026-11-22T00:00:00Z")));  // Sun 11:00 AEDT
  CHECK(env.calendar_of(std::string("emergency"))->always_open());
  CHECK(env.sla.resolve(std::string("p1"), "x", std::string("emergency"))->first_response == Seconds{600});
  CHECK(env.sla.resolve(std::string("p2"), "x", std::string("billing"))->first_response == Seconds{1800});
  CHECK(env.sla.resolve(std::string("p2"), "x", std::string("billing"))->business_hours);
  CHECK(env.is_away("kim", at("2026-11-23T09:00:00Z")));
}
