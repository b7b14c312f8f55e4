// SLA clocks: first response, next response, resolution, each measured in
// calendar time or in the team's business time. Definitions: kSlaDefinitions
// (the man page's text, shared by `socq triage` and `socq report`).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/case.h"
#include "lib/triage/calendar.h"

namespace socq {

struct TriageEnv;

inline constexpr const char* kClockFirstResponse = "first_response";
inline constexpr const char* kClockNextResponse = "next_response";
inline constexpr const char* kClockResolution = "resolution";

// The targets of one priority (or of one override). Unset: no such clock.
struct SlaTargets {
  std::optional<Seconds> first_response, next_response, resolution;
  std::optional<bool> business_hours;  // unset in an override: inherit
  std::string source;                  // file:line
};

// The policy that applies to one case, overrides folded in.
struct SlaPolicy {
  std::optional<Seconds> first_response, next_response, resolution;
  bool business_hours = false;
};

// [sla.p1] first_response = "15m", next_response = "30m", resolution = "4h",
// business_hours = false; overrides [sla.p1.channel.NAME] and
// [sla.p1.team.NAME] (team wins over channel) replace single keys;
// [sla.default] applies to cases with no priority or an unlisted one.
struct SlaPolicies {
  std::map<std::string, SlaTargets> by_priority;  // "p1".."p4", "default"
  std::map<std::string, std::map<std::string, SlaTargets>> by_channel;  // priority -> channel -> targets
  std::map<std::string, std::map<std::string, SlaTargets>> by_team;     // priority -> team -> targets
  bool empty() const { return by_priority.empty(); }
  // The policy for this priority, channel and team; nullopt if none applies.
  std::optional<SlaPolicy> resolve(const OptString& priority, const std::string& channel, const OptString& team) const;
};

// Computes every clock of c from its messages, priority, team and the policies, as of `now`,
// and writes c.sla (first_response_due, next_response_due, resolution_due, first_response_at, breached[]),
// calling c.touched() and adding an event only when something changed. Returns whether c changed.
// A case no policy applies to keeps its sla as it is.
bool apply_sla(Case& c, const TriageEnv& env, const std::string& now, const std::string& by = "triage");

// The clocks of one case as report needs them: for each clock (first_response, next_response (one per
// customer message after our reply), resolution): start, stop (or none), due, met/breached, elapsed in
// calendar seconds and in business seconds (when the team has a calendar).
// A running clock (stop empty) counts as met until now passes due; elapsed runs to now.
struct ClockRecord {
  std::string clock;
  std::string start, stop, due;
  bool met = true;
  int64_t calendar_s = 0;
  std::optional<int64_t> business_s;
};
std::vector<ClockRecord> sla_clocks(const Case& c, const TriageEnv& env, const std::string& now);

// The man page text (plain paragraphs, roff-safe, blank-line separated) defining what starts, pauses and
// stops each clock, with examples.
extern const char* const kSlaDefinitions;

}  // namespace socq
