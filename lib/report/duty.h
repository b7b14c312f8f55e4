// Business time and on-duty hours as a report sees them. The team calendars
// (lib/triage) sit behind this interface, so a report without calendars says
// "no calendar configured" instead of inventing business time.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/case.h"

namespace socq::report {

// One SLA clock of a case as the team's policies judge it.
struct SlaOutcome {
  std::string clock;  // first_response, next_response, resolution
  enum Kind { met, breached, running } kind = running;
};

class DutyHours {
 public:
  virtual ~DutyHours() = default;
  // Whether any team has a calendar at all.
  virtual bool configured() const = 0;
  // Business time between a and b on the calendar of the case's team, or
  // nullopt when that team has no calendar.
  virtual std::optional<int64_t> business_ms(const Case& c, int64_t a_ms, int64_t b_ms) const = 0;
  // Whether any team with a calendar is on duty at t; nullopt when no team
  // has a calendar.
  virtual std::optional<bool> any_team_on_duty(int64_t t_ms) const = 0;
  // The case's SLA clocks judged by the configured policies as of now;
  // false when no policy is configured (the case's own sla fields count).
  virtual bool sla_outcomes(const Case& c, const std::string& now, std::vector<SlaOutcome>& out) const = 0;
};

// No calendars configured: no business time, no duty hours.
class NoCalendars final : public DutyHours {
 public:
  bool configured() const override { return false; }
  std::optional<int64_t> business_ms(const Case&, int64_t, int64_t) const override { return std::nullopt; }
  std::optional<bool> any_team_on_duty(int64_t) const override { return std::nullopt; }
  bool sla_outcomes(const Case&, const std::string&, std::vector<SlaOutcome>&) const override { return false; }
};

}  // namespace socq::report
