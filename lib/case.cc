#include "lib/case.h"

#include <algorithm>
#include <array>

#include "lib/timefmt.h"

namespace socq {
namespace {

struct StatusName {
  CaseStatus status;
  std::string_view name;
};
constexpr std::array<StatusName, 6> kStatusNames{{
    {CaseStatus::new_, "new"},
    {CaseStatus::open, "open"},
    {CaseStatus::pending_customer, "pending_customer"},
    {CaseStatus::handed_off, "handed_off"},
    {CaseStatus::resolved, "resolved"},
    {CaseStatus::closed, "closed"},
}};

// DESIGN.md's status table. A new inbound message moves pending_customer,
// handed_off and resolved back to open; closed is final (a new inbound
// message opens a new, linked case instead).
struct Move {
  CaseStatus from, to;
};
constexpr std::array<Move, 15> kMoves{{
    {CaseStatus::new_, CaseStatus::open},
    {CaseStatus::new_, CaseStatus::pending_customer},
    {CaseStatus::new_, CaseStatus::handed_off},
    {CaseStatus::new_, CaseStatus::resolved},
    {CaseStatus::open, CaseStatus::pending_customer},
    {CaseStatus::open, CaseStatus::handed_off},
    {CaseStatus::open, CaseStatus::resolved},
    {CaseStatus::pending_customer, CaseStatus::open},
    {CaseStatus::pending_customer, CaseStatus::handed_off},
    {CaseStatus::pending_customer, CaseStatus::resolved},
    {CaseStatus::handed_off, CaseStatus::open},
    {CaseStatus::handed_off, CaseStatus::resolved},
    {CaseStatus::resolved, CaseStatus::open},
    {CaseStatus::resolved, CaseStatus::closed},
    {CaseStatus::pending_customer, CaseStatus::closed},
}};

constexpr std::array<std::string_view, 4> kResolutionReasons{"answered", "no_reply_needed", "spam",
                                                             "duplicate"};

}  // namespace

std::string_view to_string(CaseStatus s) {
  for (const auto& n : kStatusNames)
    if (n.status == s) return n.name;
  return "?";
}

std::optional<CaseStatus> parse_status(std::string_view s) {
  for (const auto& n : kStatusNames)
    if (n.name == s) return n.status;
  return std::nullopt;
}

std::string_view to_string(Dir d) { return d == Dir::in ? "in" : "out"; }

bool status_move_allowed(CaseStatus from, CaseStatus to) {
  return std::any_of(kMoves.begin(), kMoves.end(),
                     [&](const Move& m) { return m.from == from && m.to == to; });
}

bool is_valid_resolution_reason(std::string_view r) {
  return std::find(kResolutionReasons.begin(), kResolutionReasons.end(), r) != kResolutionReasons.end();
}

bool is_valid_priority(std::string_view p) {
  return p.size() == 2 && p[0] == 'p' && p[1] >= '1' && p[1] <= '4';
}

Status move_status(Case& c, CaseStatus to, const std::string& at, const std::string& by,
                   const std::string& why, OptString resolve_reason) {
  if (!status_move_allowed(c.status, to))
    return Error{Exit::data, "case " + c.id + ": cannot move from " + std::string(to_string(c.status)) +
                                 " to " + std::string(to_string(to))};
  if (to == CaseStatus::resolved) {
    if (!resolve_reason || !is_valid_resolution_reason(*resolve_reason))
      return Error{Exit::data, "case " + c.id +
                                   ": resolving needs a reason: answered, no_reply_needed, spam or duplicate"};
    c.resolution = Resolution{*resolve_reason, at, by, {}};
  } else if (to == CaseStatus::open) {
    c.resolution.reset();
  }
  std::string what = "status " + std::string(to_string(c.status)) + " -> " + std::string(to_string(to));
  if (!why.empty()) what += ": " + why;
  c.events.push_back(Event{at, by, what, {}});
  c.status = to;
  c.updated_at = at;
  c.touched();
  return ok_status();
}

std::string_view thread_key(const Case& c) {
  const size_t prefix = c.channel.size() + 1 + c.account.size() + 1;
  return c.id.size() > prefix ? std::string_view(c.id).substr(prefix) : std::string_view{};
}

std::string last_message_at(const Case& c) {
  std::string best;
  int64_t best_ms = INT64_MIN;
  for (const auto& m : c.messages) {
    auto ms = parse_rfc3339_utc(m.at);
    if (ms && *ms >= best_ms) {
      best_ms = *ms;
      best = m.at;
    }
  }
  return best;
}

std::string next_due(const Case& c) {
  std::string best;
  int64_t best_ms = INT64_MAX;
  auto consider = [&](const OptString& due) {
    if (!due) return;
    auto ms = parse_rfc3339_utc(*due);
    if (ms && *ms < best_ms) {
      best_ms = *ms;
      best = *due;
    }
  };
  if (c.status == CaseStatus::resolved || c.status == CaseStatus::closed) return {};
  if (!c.sla.first_response_at) consider(c.sla.first_response_due);
  consider(c.sla.next_response_due);
  consider(c.sla.resolution_due);
  if (c.handoff && !c.handoff->completed_at) consider(c.handoff->follow_up_due);
  return best;
}

}  // namespace socq
