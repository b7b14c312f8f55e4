// Follow-up after a handoff: when it falls due (business time where the
// team keeps hours), and whether a handoff is complete or stalled.
// Stalled is computed, never stored (DESIGN.md): a handoff past its
// follow-up, not completed, with no reply to the customer since.
#pragma once
#include <cstdint>
#include <string>

#include "lib/case.h"
#include "lib/triage/calendar.h"

namespace socq::handoff {

// Marks the messages a handoff itself posted (the DM, the public pointer):
// they do not count as a reply that completes the handoff.
inline constexpr const char* kHandoffPostMark = "handoff_post";

// `seconds` after `at` (RFC 3339), in business time when `cal` is given.
std::string follow_up_due(const std::string& at, int64_t seconds, const Calendar* cal);

// An outbound message to the customer after the handoff (not the handoff's own posts).
bool replied_since_handoff(const Case& c);
// Completed by `socq handoff --complete` or by a reply since.
bool handoff_completed(const Case& c);
// Past its follow-up, not completed, no reply since.
bool is_stalled(const Case& c, int64_t now_ms);

}  // namespace socq::handoff
