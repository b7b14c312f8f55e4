// DutyHours over the teams, calendars and SLA policies of socq triage
// (lib/triage/teams.h): business time on the case's team calendar, duty
// when any team with a calendar is open, SLA outcomes from sla_clocks().
#pragma once
#include "lib/report/duty.h"
#include "lib/triage/teams.h"

namespace socq::report {

class TeamDuty final : public DutyHours {
 public:
  explicit TeamDuty(TriageEnv env);
  bool configured() const override { return !calendars_.empty(); }
  std::optional<int64_t> business_ms(const Case& c, int64_t a_ms, int64_t b_ms) const override;
  std::optional<bool> any_team_on_duty(int64_t t_ms) const override;
  bool sla_outcomes(const Case& c, const std::string& now, std::vector<SlaOutcome>& out) const override;
  // The zone of the only team with a calendar, or "" (then UTC).
  std::string single_zone() const;

 private:
  TriageEnv env_;
  std::vector<const Calendar*> calendars_;
};

}  // namespace socq::report
