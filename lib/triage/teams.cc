#include "lib/triage/teams.h"

namespace socq {

const Team* TriageEnv::team(const std::string& name) const {
  auto it = teams.find(name);
  return it == teams.end() ? nullptr : &it->second;
}

const Calendar* TriageEnv::calendar_of(const OptString& name) const {
  if (!name) return nullptr;
  const Team* t = team(*name);
  return t && t->calendar ? &*t->calendar : nullptr;
}

bool TriageEnv::is_away(const std::string&, TimePoint) const { return false; }

Status load_triage_env(TriageEnv&, const toml::table&, const std::string&) { return ok_status(); }

Result<TriageEnv> load_triage_env_from_config(const MapConfig&) { return TriageEnv{}; }

const char* const kTeamsSyntax = "Teams are not built yet.";

}  // namespace socq
