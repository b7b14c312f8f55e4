#include "lib/triage/teams.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "lib/toml_file.h"

namespace socq {
namespace {

constexpr std::array<const char*, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

Error config_error(const std::string& where, const std::string& what) { return Error{Exit::config, where + ": " + what}; }

// "HH:MM" -> minutes after midnight (24:00 allowed as a closing time).
std::optional<int> parse_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

// "09:00-12:00,13:00-17:00" or "closed".
std::optional<std::vector<OpenRange>> parse_day_hours(std::string_view s) {
  std::vector<OpenRange> out;
  if (s == "closed") return out;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    std::string_view part = s.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (part.size() != 11 || part[5] != '-') return std::nullopt;
    auto open = parse_hhmm(part.substr(0, 5)), close = parse_hhmm(part.substr(6));
    if (!open || !close || *open >= *close || *open == 24 * 60) return std::nullopt;
    if (!out.empty() && *open < out.back().close_min) return std::nullopt;
    out.push_back({*open, *close});
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// The days a key of `hours` names: "mon", "mon-fri", "sat-sun", "daily".
std::optional<std::vector<int>> parse_day_key(std::string_view k) {
  auto index = [](std::string_view d) -> int {
    for (int i = 0; i < 7; ++i)
      if (d == kDayNames[i]) return i;
    return -1;
  };
  if (k == "daily") return std::vector<int>{0, 1, 2, 3, 4, 5, 6};
  if (int i = index(k); i >= 0) return std::vector<int>{i};
  if (k.size() == 7 && k[3] == '-') {
    // Monday-first order so "mon-fri" and "sat-sun" read naturally.
    int a = index(k.substr(0, 3)), b = index(k.substr(4));
    if (a < 0 || b < 0) return std::nullopt;
    a = (a + 6) % 7;
    b = (b + 6) % 7;
    if (a > b) return std::nullopt;
    std::vector<int> days;
    for (int i = a; i <= b; ++i) days.push_back((i + 1) % 7);
    return days;
  }
  return std::nullopt;
}

std::optional<date::year_month_day> parse_date(std::string_view s) {
  unsigned y, m, d;
  char tail;
  if (s.size() != 10 || std::sscanf(std::string(s).c_str(), "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  const date::year_month_day ymd{date::year(static_cast<int>(y)), date::month(m), date::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::optional<Holiday> parse_holiday(std::string_view s) {
  const size_t dots = s.find("..");
  auto first = parse_date(s.substr(0, dots));
  auto last = dots == std::string_view::npos ? first : parse_date(s.substr(dots + 2));
  if (!first || !last || *last < *first) return std::nullopt;
  return Holiday{*first, *last};
}

Result<std::vector<std::vector<OpenRange>>> load_hours(const toml::table& hours, const std::string& file,
                                                       const std::string& team) {
  std::vector<std::vector<OpenRange>> week(7);
  std::array<bool, 7> seen{};
  for (const auto& [key, value] : hours) {
    const std::string k(key.str());
    const std::string where = toml_where(file, value);
    const std::string field = "teams." + team + ".hours." + k;
    auto days = parse_day_key(k);
    if (!days) return config_error(where, field + ": unknown day (mon..sun, a range such as mon-fri, or daily)");
    const auto* s = value.as_string();
    if (!s) return config_error(where, field + ": must be a string such as \"09:00-17:00\"");
    auto ranges = parse_day_hours(s->get());
    if (!ranges)
      return config_error(where, field + ": \"" + s->get() +
                                     "\" is not HH:MM-HH:MM (several separated by commas, in order) or \"closed\"");
    for (int d : *days) {
      if (seen[d]) return config_error(where, field + ": " + kDayNames[d] + " is given twice");
      seen[d] = true;
      week[d] = *ranges;
    }
  }
  return week;
}

Status load_team(TriageEnv& env, const std::string& name, const toml::node& node, const std::string& file) {
  const std::string where = toml_where(file, node);
  const auto* table = node.as_table();
  if (!table) return config_error(where, "teams." + name + " must be a table");
  Team team{name, std::nullopt, where};
  std::string zone = "UTC", zone_at = where;
  const toml::node* hours = nullptr;
  std::vector<Holiday> holidays;
  for (const auto& [key, value] : *table) {
    const std::string k(key.str());
    const std::string at = toml_where(file, value), field = "teams." + name + "." + k;
    if (k == "zone") {
      const auto* s = value.as_string();
      if (!s) return config_error(at, field + ": must be a string (an IANA zone such as Europe/London)");
      zone = s->get();
      zone_at = at;
    } else if (k == "hours") {
      hours = &value;
    } else if (k == "holidays") {
      const auto* list = value.as_array();
      if (!list) return config_error(at, field + ": must be a list of dates such as \"2026-12-25\" or \"2026-12-26..2026-12-28\"");
      for (const auto& item : *list) {
        const auto* s = item.as_string();
        auto h = s ? parse_holiday(s->get()) : std::nullopt;
        if (!h) return config_error(toml_where(file, item), field + ": not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD");
        holidays.push_back(*h);
      }
    } else {
      return config_error(at, field + ": unknown key (zone, hours, holidays)");
    }
  }
  if (!hours) {
    if (table->contains("zone") || !holidays.empty())
      return config_error(where, "teams." + name + ": zone and holidays need hours (a table of days, or \"24/7\")");
    env.teams[name] = std::move(team);
    return ok_status();
  }
  const std::string hours_at = toml_where(file, *hours);
  if (const auto* s = hours->as_string()) {
    if (s->get() != "24/7") return config_error(hours_at, "teams." + name + ".hours: a string must be \"24/7\"");
    if (!holidays.empty()) return config_error(where, "teams." + name + ": a 24/7 team has no holidays");
    auto cal = Calendar::always(zone);
    if (!cal) return config_error(zone_at, "teams." + name + ".zone: " + cal.error().message);
    team.calendar = std::move(*cal);
  } else if (const auto* t = hours->as_table()) {
    auto week = load_hours(*t, file, name);
    if (!week) return week.error();
    if (auto known = Calendar::always(zone); !known) return config_error(zone_at, "teams." + name + ".zone: " + known.error().message);
    auto cal = Calendar::weekly(zone, std::move(*week), std::move(holidays));
    if (!cal) return config_error(hours_at, "teams." + name + ".hours: " + cal.error().message);
    team.calendar = std::move(*cal);
  } else {
    return config_error(hours_at, "teams." + name + ".hours: must be a table { mon = \"09:00-17:00\", ... } or \"24/7\"");
  }
  env.teams[name] = std::move(team);
  return ok_status();
}

// Fills the keys of one [sla...] table that are durations or business_hours;
// sub-tables (channel, team) are left to the caller.
Status load_targets(SlaTargets& t, const toml::table& table, const std::string& file, const std::string& path,
                    bool allow_overrides) {
  for (const auto& [key, value] : table) {
    const std::string k(key.str());
    const std::string at = toml_where(file, value), field = path + "." + k;
    if (k == "first_response" || k == "next_response" || k == "resolution") {
      const auto* s = value.as_string();
      auto d = s ? parse_duration(s->get()) : std::nullopt;
      if (!d || d->count() <= 0) return config_error(at, field + ": must be a duration such as \"15m\", \"4h\", \"1h30m\" or \"2d\"");
      (k == "first_response" ? t.first_response : k == "next_response" ? t.next_response : t.resolution) = *d;
    } else if (k == "business_hours") {
      const auto* b = value.as_boolean();
      if (!b) return config_error(at, field + ": must be true or false");
      t.business_hours = b->get();
    } else if (allow_overrides && (k == "channel" || k == "team")) {
      if (!value.as_table()) return config_error(at, field + ": must be a table of [" + field + ".NAME]");
    } else {
      return config_error(at, field + ": unknown key (first_response, next_response, resolution, business_hours" +
                                  std::string(allow_overrides ? ", [" + path + ".channel.NAME], [" + path + ".team.NAME])" : ")"));
    }
  }
  t.source = toml_where(file, table);
  return ok_status();
}

Status load_sla(SlaPolicies& sla, const toml::node& node, const std::string& file) {
  const auto* root = node.as_table();
  if (!root) return config_error(toml_where(file, node), "\"sla\" must be a table of [sla.p1] .. [sla.p4] and [sla.default]");
  for (const auto& [key, value] : *root) {
    const std::string prio(key.str());
    const std::string at = toml_where(file, value);
    if (!is_valid_priority(prio) && prio != "default")
      return config_error(at, "sla." + prio + ": unknown priority (p1, p2, p3, p4, default)");
    const auto* table = value.as_table();
    if (!table) return config_error(at, "sla." + prio + " must be a table");
    SlaTargets base;
    if (auto st = load_targets(base, *table, file, "sla." + prio, true); !st) return st;
    if (!base.business_hours) base.business_hours = false;
    sla.by_priority[prio] = base;
    for (const char* kind : {"channel", "team"}) {
      const auto* group = (*table)[kind].as_table();
      if (!group) continue;
      auto& into = std::string(kind) == "channel" ? sla.by_channel[prio] : sla.by_team[prio];
      for (const auto& [name, sub] : *group) {
        const std::string path = "sla." + prio + "." + kind + "." + std::string(name.str());
        const auto* t = sub.as_table();
        if (!t) return config_error(toml_where(file, sub), path + " must be a table");
        SlaTargets over;
        if (auto st = load_targets(over, *t, file, path, false); !st) return st;
        into[std::string(name.str())] = over;
      }
    }
  }
  return ok_status();
}

Status load_away(std::vector<AwayAgent>& away, const toml::node& node, const std::string& file) {
  const auto* list = node.as_array();
  if (!list) return config_error(toml_where(file, node), "\"away\" must be a list of [[away]] tables (name, from, until)");
  for (const auto& item : *list) {
    const std::string where = toml_where(file, item);
    const auto* t = item.as_table();
    if (!t) return config_error(where, "[[away]] must be a table (name, from, until)");
    AwayAgent a;
    a.source = where;
    for (const auto& [key, value] : *t) {
      const std::string k(key.str());
      const std::string at = toml_where(file, value);
      const auto* s = value.as_string();
      if (k != "name" && k != "from" && k != "until") return config_error(at, "away." + k + ": unknown key (name, from, until)");
      if (!s) return config_error(at, "away." + k + ": must be a string");
      if (k != "name" && !parse_time_point(s->get()))
        return config_error(at, "away." + k + ": \"" + s->get() + "\" is not an RFC 3339 UTC time such as 2026-12-24T00:00:00Z");
      (k == "name" ? a.name : k == "from" ? a.from : a.until) = s->get();
    }
    if (a.name.empty() || a.from.empty() || a.until.empty())
      return config_error(where, "[[away]] needs name, from and until");
    if (*parse_time_point(a.until) <= *parse_time_point(a.from))
      return config_error(where, "[[away]] " + a.name + ": until must be after from");
    away.push_back(std::move(a));
  }
  return ok_status();
}

}  // namespace

const Team* TriageEnv::team(const std::string& name) const {
  auto it = teams.find(name);
  return it == teams.end() ? nullptr : &it->second;
}

const Calendar* TriageEnv::calendar_of(const OptString& name) const {
  if (!name) return nullptr;
  const Team* t = team(*name);
  return t && t->calendar ? &*t->calendar : nullptr;
}

bool TriageEnv::is_away(const std::string& agent, TimePoint t) const {
  for (const auto& a : away) {
    if (a.name != agent) continue;
    auto from = parse_time_point(a.from), until = parse_time_point(a.until);
    if (from && until && *from <= t && t < *until) return true;
  }
  return false;
}

Status load_triage_env(TriageEnv& env, const toml::table& root, const std::string& file) {
  if (const auto* teams = root.get("teams")) {
    const auto* table = teams->as_table();
    if (!table) return config_error(toml_where(file, *teams), "\"teams\" must be a table of [teams.NAME]");
    for (const auto& [name, node] : *table)
      if (auto st = load_team(env, std::string(name.str()), node, file); !st) return st;
  }
  if (const auto* sla = root.get("sla"))
    if (auto st = load_sla(env.sla, *sla, file); !st) return st;
  if (const auto* away = root.get("away"))
    if (auto st = load_away(env.away, *away, file); !st) return st;
  // Overrides may only name teams that exist by now.
  for (const auto& [prio, teams] : env.sla.by_team)
    for (const auto& [name, t] : teams)
      if (!env.team(name)) return config_error(t.source, "sla." + prio + ".team." + name + ": unknown team (no [teams." + name + "])");
  return ok_status();
}

Result<TriageEnv> load_triage_env_from_config(const MapConfig& cfg) {
  TriageEnv env;
  for (const auto& file : cfg.files) {
    auto root = parse_toml_file(file);
    if (!root) return root.error();
    if (auto st = load_triage_env(env, *root, file); !st) return st.error();
  }
  return env;
}

const char* const kTeamsSyntax =
    "Teams, SLA policies and away agents live in the config file or in the rules file, in three tables.\n"
    "\n"
    "[teams.NAME] gives a team its business hours: zone = \"Europe/London\" (an IANA time zone; hours follow its "
    "daylight saving changes; default UTC); hours = \"24/7\" for a team that never closes, or a table of days: "
    "hours = { mon-fri = \"09:00-17:00\" }, or one key per day (mon, tue, wed, thu, fri, sat, sun), a range of days "
    "(mon-fri, sat-sun) or daily; a value is HH:MM-HH:MM, several separated by commas (\"09:00-12:00,13:00-17:00\"), "
    "24:00 as a closing time, or \"closed\"; days not named are closed. holidays = [\"2026-12-25\", "
    "\"2026-12-26..2026-12-28\"] closes whole local dates (ranges inclusive). A team without hours keeps no business "
    "time: its business-time clocks run in calendar time. A local opening time that a clock change skips opens at "
    "the moment of the change; an hour that repeats counts twice.\n"
    "\n"
    "[sla.p1] .. [sla.p4] set the targets of a priority: first_response, next_response and resolution, each a "
    "duration (15m, 4h, 1h30m, 2d where a day is 24 hours, 90s); a missing key means no such clock. business_hours = "
    "true measures all three in the team's business time. [sla.default] applies to cases with no priority or one "
    "without its own table. [sla.p1.channel.NAME] and [sla.p1.team.NAME] override single keys for one channel or "
    "one team; a team override wins over a channel override.\n"
    "\n"
    "[[away]] name = \"alice\", from = \"2026-12-24T00:00:00Z\", until = \"2027-01-02T00:00:00Z\" marks an agent away "
    "in [from, until): rules assign no new cases to them and their open cases come first in the queue as needing "
    "a new owner.\n"
    "\n"
    "Any error (unknown key, bad zone, time, duration or date, a team override naming no team) refuses the file "
    "with file:line and exit 78.\n";

}  // namespace socq
