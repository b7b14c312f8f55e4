#include "lib/report/team_duty.h"

#include "lib/triage/sla.h"

namespace socq::report {

TeamDuty::TeamDuty(TriageEnv env) : env_(std::move(env)) {
  for (const auto& [name, team] : env_.teams)
    if (team.calendar) calendars_.push_back(&*team.calendar);
}

std::optional<int64_t> TeamDuty::business_ms(const Case& c, int64_t a_ms, int64_t b_ms) const {
  const Calendar* cal = env_.calendar_of(c.team);
  if (!cal) return std::nullopt;
  if (cal->always_open()) return b_ms - a_ms;
  // The calendar counts whole seconds.
  const TimePoint a{Seconds{a_ms / 1000}}, b{Seconds{b_ms / 1000}};
  return cal->business_between(a, b).count() * 1000;
}

std::optional<bool> TeamDuty::any_team_on_duty(int64_t t_ms) const {
  if (calendars_.empty()) return std::nullopt;
  const TimePoint t{Seconds{t_ms / 1000}};
  for (const Calendar* cal : calendars_)
    if (cal->always_open() || cal->is_open(t)) return true;
  return false;
}

bool TeamDuty::sla_outcomes(const Case& c, const std::string& now, std::vector<SlaOutcome>& out) const {
  out.clear();
  if (env_.sla.empty()) return false;
  for (const ClockRecord& r : sla_clocks(c, env_, now)) {
    if (r.due.empty()) continue;
    const auto kind = !r.met ? SlaOutcome::breached : r.stop.empty() ? SlaOutcome::running : SlaOutcome::met;
    out.push_back({r.clock, kind});
  }
  return true;
}

std::string TeamDuty::single_zone() const { return calendars_.size() == 1 ? calendars_[0]->zone() : ""; }

}  // namespace socq::report
