#include "lib/triage/queue.h"

#include <algorithm>
#include <cstdio>

#include "lib/handoff/followup.h"
#include "lib/timefmt.h"

namespace socq {
namespace {

constexpr int64_t kHourMs = 3600 * 1000, kDayMs = 24 * kHourMs;

// When the clock behind the case's due time started, read from the case
// itself (so stored due times from any source work): first response and
// resolution at the first customer message, next response at the first
// customer message after our last reply, a handoff follow-up at the handoff.
std::optional<int64_t> clock_start_ms(const Case& c, int64_t due_ms) {
  auto is_due = [&](const OptString& d) { return d && parse_rfc3339_utc(*d) == due_ms; };
  auto first_in_after = [&](int64_t after) -> std::optional<int64_t> {
    std::optional<int64_t> best;
    for (const auto& m : c.messages) {
      if (m.dir != Dir::in || m.is_auto) continue;
      auto t = parse_rfc3339_utc(m.at);
      if (t && *t >= after && (!best || *t < *best)) best = t;
    }
    return best;
  };
  if (is_due(c.sla.next_response_due)) {
    int64_t last_out = INT64_MIN;
    for (const auto& m : c.messages)
      if (m.dir == Dir::out && !m.is_auto)
        if (auto t = parse_rfc3339_utc(m.at)) last_out = std::max(last_out, *t);
    return first_in_after(last_out);
  }
  if ((is_due(c.sla.first_response_due) && !c.sla.first_response_at) || is_due(c.sla.resolution_due))
    return first_in_after(INT64_MIN);
  if (c.handoff && c.handoff->follow_up_due && is_due(c.handoff->follow_up_due)) return parse_rfc3339_utc(c.handoff->at);
  return std::nullopt;
}

OwnerNeed owner_need(const Case& c, const TriageEnv& env, int64_t now_ms, std::optional<int64_t> due_ms) {
  if (c.status == CaseStatus::resolved || c.status == CaseStatus::closed) return OwnerNeed::none;
  if (c.owner) {
    const auto now = std::chrono::sys_seconds(std::chrono::seconds(now_ms / 1000));
    return env.is_away(*c.owner, now) ? OwnerNeed::owner_away : OwnerNeed::none;
  }
  if (!due_ms) return OwnerNeed::none;
  const auto start = clock_start_ms(c, *due_ms);
  if (!start || *start > *due_ms) return OwnerNeed::none;
  return now_ms - *start >= (*due_ms - *start) / 2 ? OwnerNeed::unowned_past_half : OwnerNeed::none;
}

std::string humanize(int64_t ms) {
  const int64_t minutes = ms / 60000, hours = minutes / 60, days = hours / 24;
  if (days > 0) return std::to_string(days) + "d " + std::to_string(hours % 24) + "h";
  if (hours > 0) return std::to_string(hours) + "h " + std::to_string(minutes % 60) + "m";
  return std::to_string(minutes) + "m";
}

}  // namespace

DueBand due_band(std::optional<int64_t> due_ms, int64_t now_ms) {
  if (!due_ms) return DueBand::no_clock;
  if (*due_ms < now_ms) return DueBand::overdue;
  if (*due_ms < now_ms + kHourMs) return DueBand::within_hour;
  if (*due_ms < now_ms + kDayMs) return DueBand::within_day;
  return DueBand::later;
}

std::optional<int64_t> band_end_ms(DueBand band, int64_t now_ms) {
  switch (band) {
    case DueBand::overdue: return now_ms;
    case DueBand::within_hour: return now_ms + kHourMs;
    case DueBand::within_day: return now_ms + kDayMs;
    default: return std::nullopt;
  }
}

QueueItem queue_item(Case&& c, const TriageEnv& env, int64_t now_ms) {
  QueueItem item;
  if (auto due = next_due(c); !due.empty()) item.due_ms = parse_rfc3339_utc(due);
  item.band = due_band(item.due_ms, now_ms);
  item.need = owner_need(c, env, now_ms, item.due_ms);
  item.stalled = handoff::is_stalled(c, now_ms);
  item.c = std::move(c);
  return item;
}

Status QueueOrder::pass(QueueItem&& item) {
  if (full()) return ok_status();
  ++emitted_;
  return emit_(std::move(item));
}

Status QueueOrder::flush() {
  // Stalled handoffs first, then cases needing an owner; otherwise the due
  // order the cases came in.
  // One pass per rank rather than a sort: no case is moved but to be emitted
  // (a band can hold every case of a large store).
  auto rank = [](const QueueItem& i) { return i.stalled ? 0 : i.need != OwnerNeed::none ? 1 : 2; };
  for (int r = 0; r < 3; ++r)
    for (auto& item : held_)
      if (rank(item) == r)
        if (auto st = pass(std::move(item)); !st) return st;
  held_.clear();
  return ok_status();
}

Status QueueOrder::push(Case&& c) {
  if (full()) return ok_status();
  QueueItem item = queue_item(std::move(c), env_, now_ms_);
  if (!held_.empty() && held_.front().band != item.band)
    if (auto st = flush(); !st) return st;
  if (item.band >= DueBand::later) return pass(std::move(item));
  held_.push_back(std::move(item));
  return ok_status();
}

Status QueueOrder::finish() { return flush(); }

std::string due_in_text(std::optional<int64_t> due_ms, int64_t now_ms) {
  if (!due_ms) return "-";
  return *due_ms < now_ms ? "overdue by " + humanize(now_ms - *due_ms) : "in " + humanize(*due_ms - now_ms);
}

std::string owner_text(const QueueItem& item) {
  switch (item.need) {
    case OwnerNeed::owner_away: return *item.c.owner + " (away)";
    case OwnerNeed::unowned_past_half: return "- (unowned, past half)";
    default: return item.c.owner.value_or("-");
  }
}

void DueCounts::add(const QueueItem& item, int64_t now_ms) {
  if (!item.due_ms) return;
  auto& n = by_team[item.c.team.value_or("")];
  if (*item.due_ms < now_ms) ++n.breached;
  else ++n.at_risk;
  if (item.stalled) ++n.stalled;
}

// Team names may come from case files: no control character reaches a terminal.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (ch < 0x20 || ch == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out;
}

std::vector<std::string> DueCounts::lines() const {
  std::vector<std::string> out;
  auto line = [](const std::string& team, const Counts& n) {
    return printable(team) + ": " + std::to_string(n.breached) + " breached, " + std::to_string(n.at_risk) + " at risk" +
           (n.stalled ? ", " + std::to_string(n.stalled) + " stalled" : "");
  };
  for (const auto& [team, n] : by_team)
    if (!team.empty()) out.push_back(line(team, n));
  if (auto it = by_team.find(""); it != by_team.end()) out.push_back(line("(no team)", it->second));
  return out;
}

}  // namespace socq
