#include "lib/triage/queue.h"

#include <algorithm>
#include <cstdio>

#include "lib/handoff/followup.h"
#include "lib/timefmt.h"

namespace socq {
namespace {

constexpr int64_t kHourMs = 3600 * 1000, kDayMs = 24 * kHourMs;

bool is_done(CaseStatus s) { return s == CaseStatus::resolved || s == CaseStatus::closed; }

// Needing an owner, from what the store keeps in columns as well: the owner
// is away, or nobody owns the case past half its clock (`start` is only
// read then).
OwnerNeed owner_need(bool done, const OptString& owner, std::optional<int64_t> due_ms,
                     const std::function<std::optional<int64_t>()>& start_of, const TriageEnv& env, int64_t now_ms) {
  if (done) return OwnerNeed::none;
  if (owner) {
    const auto now = std::chrono::sys_seconds(std::chrono::seconds(now_ms / 1000));
    return env.is_away(*owner, now) ? OwnerNeed::owner_away : OwnerNeed::none;
  }
  if (!due_ms) return OwnerNeed::none;
  const auto start = start_of();
  if (!start || *start > *due_ms) return OwnerNeed::none;
  return now_ms - *start >= (*due_ms - *start) / 2 ? OwnerNeed::unowned_past_half : OwnerNeed::none;
}

int rank_of(bool stalled, OwnerNeed need) { return stalled ? 0 : need != OwnerNeed::none ? 1 : 2; }

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

// When the clock behind the case's due time started, read from the case
// itself (so stored due times from any source work): first response and
// resolution at the first customer message, next response at the first
// customer message after our last reply, a handoff follow-up at the handoff.
std::optional<int64_t> clock_start_ms(const Case& c, std::optional<int64_t> due_ms) {
  if (!due_ms) return std::nullopt;
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

// handoff::is_stalled(c, now) is `stalls_after_ms(c) < now` (a unit test
// holds them together).
std::optional<int64_t> stalls_after_ms(const Case& c) {
  if (!c.handoff || !c.handoff->follow_up_due || handoff::handoff_completed(c) || is_done(c.status)) return std::nullopt;
  return parse_rfc3339_utc(*c.handoff->follow_up_due);
}

int queue_group(const CaseColumns& col, const TriageEnv& env, int64_t now_ms) {
  const DueBand band = due_band(col.next_due_ms, now_ms);
  if (band >= DueBand::later) return 9 + static_cast<int>(band) - static_cast<int>(DueBand::later);
  const bool done = col.status == "resolved" || col.status == "closed";
  const bool stalled = col.stalls_after_ms && *col.stalls_after_ms < now_ms;
  const auto need = owner_need(done, col.owner, col.next_due_ms, [&] { return col.clock_start_ms; }, env, now_ms);
  return static_cast<int>(band) * 3 + rank_of(stalled, need);
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
  item.need = owner_need(is_done(c.status), c.owner, item.due_ms, [&] { return clock_start_ms(c, item.due_ms); }, env, now_ms);
  const auto stalls = stalls_after_ms(c);
  item.stalled = stalls && *stalls < now_ms;
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
  auto rank = [](const QueueItem& i) { return rank_of(i.stalled, i.need); };
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
