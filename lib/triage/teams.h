// Teams (with their business-hours calendars), SLA policies and away agents:
// the tables `teams`, `sla` and `away` of the config or of a rules file.
// Syntax: kTeamsSyntax (man page text) and examples/teams.toml.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/tomlpp.h"

#include "lib/config.h"
#include "lib/result.h"
#include "lib/triage/calendar.h"
#include "lib/triage/sla.h"

namespace socq {

struct Team {
  std::string name;
  std::optional<Calendar> calendar;  // none: the team keeps no hours (calendar time)
  std::string source;                // file:line
};

struct AwayAgent {
  std::string name;
  std::string from, until;  // RFC 3339 UTC, [from, until)
  std::string source;       // file:line, or "store" for `socq case away`
};

// Everything triage and report need besides the rules.
struct TriageEnv {
  std::map<std::string, Team> teams;
  SlaPolicies sla;
  std::vector<AwayAgent> away;
  const Team* team(const std::string& name) const;  // nullptr if unknown
  // The calendar of a case's team, or nullptr (no team, unknown, or no hours).
  const Calendar* calendar_of(const OptString& team) const;
  bool is_away(const std::string& agent, TimePoint t) const;
};

// Reads the tables `teams`, `sla` and `away` of a parsed TOML document (config or rules file) into env,
// leaving other top-level keys to the caller. Later definitions of the same team or SLA replace earlier
// ones; away entries add up. Any error -> Error{Exit::config, "file:line: what is wrong"}.
Status load_triage_env(TriageEnv& env, const toml::table& root, const std::string& file);
// The env from the config files the user has (system, user/--config; see MapConfig::files).
Result<TriageEnv> load_triage_env_from_config(const MapConfig& cfg);

// The man page text for the [teams], [sla] and [[away]] tables.
extern const char* const kTeamsSyntax;

}  // namespace socq
