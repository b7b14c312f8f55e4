#include "lib/triage/sla.h"

#include "lib/triage/teams.h"

namespace socq {

std::optional<SlaPolicy> SlaPolicies::resolve(const OptString&, const std::string&, const OptString&) const {
  return std::nullopt;  // minimal slice: filled in next
}

bool apply_sla(Case&, const TriageEnv&, const std::string&, const std::string&) { return false; }

std::vector<ClockRecord> sla_clocks(const Case&, const TriageEnv&, const std::string&) { return {}; }

const char* const kSlaDefinitions = "SLA clocks are not built yet.";

}  // namespace socq
