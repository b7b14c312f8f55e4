#include "lib/handoff/followup.h"

#include <algorithm>

#include "lib/timefmt.h"

namespace socq::handoff {

std::string follow_up_due(const std::string& at, int64_t seconds, const Calendar* cal) {
  auto start = parse_time_point(at);
  if (!start) return at;
  const Seconds d{seconds};
  return format_time_point(cal ? cal->add_business(*start, d) : *start + d);
}

bool replied_since_handoff(const Case& c) {
  if (!c.handoff) return false;
  const auto since = parse_rfc3339_utc(c.handoff->at);
  if (!since) return false;
  return std::any_of(c.messages.begin(), c.messages.end(), [&](const Message& m) {
    if (m.dir != Dir::out || m.is_auto) return false;
    const bool own_post = std::any_of(m.extra.begin(), m.extra.end(), [](const auto& kv) { return kv.first == kHandoffPostMark; });
    const auto at = parse_rfc3339_utc(m.at);
    return !own_post && at && *at > *since;
  });
}

bool handoff_completed(const Case& c) { return c.handoff && (c.handoff->completed_at || replied_since_handoff(c)); }

bool is_stalled(const Case& c, int64_t now_ms) {
  if (!c.handoff || !c.handoff->follow_up_due || handoff_completed(c)) return false;
  if (c.status == CaseStatus::resolved || c.status == CaseStatus::closed) return false;
  const auto due = parse_rfc3339_utc(*c.handoff->follow_up_due);
  return due && *due < now_ms;
}

}  // namespace socq::handoff
