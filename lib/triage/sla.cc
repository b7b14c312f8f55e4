#include "lib/triage/sla.h"

#include <algorithm>

#include "lib/triage/teams.h"

namespace socq {
namespace {

// A message as the clocks see it: time and direction (auto ones dropped).
struct Beat {
  TimePoint at;
  Dir dir;
};

// One run of a clock, before it is written out.
struct Run {
  const char* clock;
  TimePoint start;
  std::optional<TimePoint> stop;
  bool stopped_by_reply = false;
};

void fold(SlaPolicy& p, const SlaTargets& t) {
  if (t.first_response) p.first_response = t.first_response;
  if (t.next_response) p.next_response = t.next_response;
  if (t.resolution) p.resolution = t.resolution;
  if (t.business_hours) p.business_hours = *t.business_hours;
}

std::vector<Beat> beats_of(const Case& c) {
  std::vector<Beat> out;
  for (const auto& m : c.messages) {
    if (m.is_auto) continue;  // bots and auto-replies start and stop nothing
    if (auto t = parse_time_point(m.at)) out.push_back({*t, m.dir});
  }
  std::stable_sort(out.begin(), out.end(), [](const Beat& a, const Beat& b) { return a.at < b.at; });
  return out;
}

// When the case entered and left pending_customer, from its status events
// ("status open -> pending_customer"). A case imported already pending, with
// no such event, counts as pending since our last reply.
std::vector<std::pair<TimePoint, bool>> pending_moves(const Case& c, const std::vector<Beat>& beats) {
  std::vector<std::pair<TimePoint, bool>> moves;
  const std::string pending(to_string(CaseStatus::pending_customer));
  for (const auto& e : c.events) {
    if (e.what.rfind("status ", 0) != 0) continue;
    const size_t arrow = e.what.find(" -> ");
    if (arrow == std::string::npos) continue;
    const std::string to = e.what.substr(arrow + 4, e.what.find(':', arrow) - (arrow + 4));
    if (auto t = parse_time_point(e.at)) moves.emplace_back(*t, to == pending);
  }
  if (moves.empty() && c.status == CaseStatus::pending_customer)
    for (auto it = beats.rbegin(); it != beats.rend(); ++it)
      if (it->dir == Dir::out) {
        moves.emplace_back(it->at, true);
        break;
      }
  std::stable_sort(moves.begin(), moves.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return moves;
}

// The move into pending_customer in effect at t, if the case is pending then.
std::optional<TimePoint> pending_since(const std::vector<std::pair<TimePoint, bool>>& moves, TimePoint t) {
  std::optional<TimePoint> since;
  for (const auto& [at, to_pending] : moves) {
    if (at > t) break;
    since = to_pending ? std::optional<TimePoint>(at) : std::nullopt;
  }
  return since;
}

// The first move into pending_customer in (from, to], if any.
std::optional<TimePoint> entered_pending(const std::vector<std::pair<TimePoint, bool>>& moves, TimePoint from, TimePoint to) {
  for (const auto& [at, to_pending] : moves)
    if (to_pending && at > from && at <= to) return at;
  return std::nullopt;
}

std::optional<TimePoint> resolved_at(const Case& c) {
  if (!c.resolution || (c.status != CaseStatus::resolved && c.status != CaseStatus::closed)) return std::nullopt;
  return parse_time_point(c.resolution->at);
}

// Every run of every clock the policy defines, as of `now`.
std::vector<Run> runs_of(const Case& c, const SlaPolicy& policy, TimePoint now) {
  std::vector<Run> runs;
  const auto beats = beats_of(c);
  auto first_in = std::find_if(beats.begin(), beats.end(), [](const Beat& b) { return b.dir == Dir::in; });
  if (first_in == beats.end()) return runs;
  const TimePoint start = first_in->at;
  const auto resolved = resolved_at(c);
  const TimePoint end = std::min(now, resolved.value_or(TimePoint::max()));
  const auto moves = pending_moves(c, beats);

  // First response: the first customer message to our first reply after it.
  std::optional<TimePoint> first_reply;
  for (auto it = first_in; it != beats.end(); ++it)
    if (it->dir == Dir::out && it->at <= end) {
      first_reply = it->at;
      break;
    }
  if (policy.first_response) {
    Run r{kClockFirstResponse, start, first_reply, first_reply.has_value()};
    if (!r.stop && resolved) r.stop = resolved;  // nothing is owed once resolved
    runs.push_back(r);
  }

  // Next response: from the first customer message after our reply (or any
  // customer message while pending_customer, which restarts it) to our next
  // reply; moving to pending_customer stops it too.
  if (policy.next_response) {
    std::optional<Run> running;
    std::optional<TimePoint> used_pending;  // the pending period a restart already answered
    bool replied = false;
    auto close = [&](TimePoint at, bool by_reply) {
      running->stop = at;
      running->stopped_by_reply = by_reply;
      runs.push_back(*running);
      running.reset();
    };
    for (auto it = first_in; it != beats.end() && it->at <= end; ++it) {
      if (running)
        if (auto p = entered_pending(moves, running->start, it->at)) close(*p, false);
      if (it->dir == Dir::out) {
        replied = true;
        if (running) close(it->at, true);
        continue;
      }
      const auto pending = pending_since(moves, it->at);
      if (pending && pending != used_pending) {
        running.reset();  // restart: the clock runs from this message
        used_pending = pending;
      } else if (!replied || running) {
        continue;  // before our first reply, or the clock already runs
      }
      if (!running) running = Run{kClockNextResponse, it->at, std::nullopt, false};
    }
    if (running)
      if (auto p = entered_pending(moves, running->start, end)) close(*p, false);
    if (running) {
      if (resolved) running->stop = resolved;
      runs.push_back(*running);
    }
  }

  if (policy.resolution) runs.push_back(Run{kClockResolution, start, resolved, false});
  return runs;
}

Seconds target_of(const SlaPolicy& p, const char* clock) {
  if (clock == kClockFirstResponse) return *p.first_response;
  if (clock == kClockNextResponse) return *p.next_response;
  return *p.resolution;
}

// A run with its due moment. due is nullopt when the calendar never opens.
struct Timed {
  Run run;
  std::optional<TimePoint> due;
  TimePoint until;  // stop, or now for a running clock
  bool met = true;
};

std::vector<Timed> timed_runs(const Case& c, const Calendar* cal, const SlaPolicy& policy, TimePoint now) {
  std::vector<Timed> out;
  const bool business = policy.business_hours && cal;
  for (const Run& r : runs_of(c, policy, now)) {
    const Seconds target = target_of(policy, r.clock);
    const TimePoint due = business ? cal->add_business(r.start, target) : r.start + target;
    Timed t{r, due == TimePoint::max() ? std::nullopt : std::optional<TimePoint>(due), r.stop.value_or(std::max(now, r.start))};
    t.met = t.until <= due;
    out.push_back(t);
  }
  return out;
}

// The sla fields apply_sla owns, as times.
struct Want {
  std::optional<TimePoint> first_response_due, first_response_at, next_response_due, resolution_due;
  std::vector<std::string> breached;
};

Want want_of(const std::vector<Timed>& runs) {
  Want w;
  bool breached[3] = {false, false, false};
  for (const Timed& t : runs) {
    const char* clock = t.run.clock;
    if (clock == kClockFirstResponse) {
      w.first_response_due = t.due;
      if (t.run.stopped_by_reply) w.first_response_at = t.run.stop;
    } else if (clock == kClockNextResponse) {
      if (!t.run.stop) w.next_response_due = t.due;
    } else {
      w.resolution_due = t.due;
    }
    if (!t.met) breached[clock == kClockFirstResponse ? 0 : clock == kClockNextResponse ? 1 : 2] = true;
  }
  const char* names[3] = {kClockFirstResponse, kClockNextResponse, kClockResolution};
  for (int i = 0; i < 3; ++i)
    if (breached[i]) w.breached.emplace_back(names[i]);
  return w;
}

// Compared as times, so an equal time written another way is no change.
bool same_time(const OptString& have, const std::optional<TimePoint>& want) {
  if (!have || !want) return !have && !want;
  return parse_time_point(*have) == want;
}

void note_change(std::string& what, const char* field, OptString& have, const std::optional<TimePoint>& want) {
  if (same_time(have, want)) return;
  have = want ? OptString(format_time_point(*want)) : std::nullopt;
  what += what.empty() ? "sla: " : "; ";
  what += std::string(field) + " " + (have ? *have : "cleared");
}

}  // namespace

std::optional<SlaPolicy> SlaPolicies::resolve(const OptString& priority, const std::string& channel,
                                              const OptString& team) const {
  std::string key = priority && by_priority.count(*priority) ? *priority : "default";
  auto base = by_priority.find(key);
  if (base == by_priority.end()) return std::nullopt;
  SlaPolicy p;
  fold(p, base->second);
  if (auto group = by_channel.find(key); group != by_channel.end())
    if (auto it = group->second.find(channel); it != group->second.end()) fold(p, it->second);
  if (team)
    if (auto group = by_team.find(key); group != by_team.end())
      if (auto it = group->second.find(*team); it != group->second.end()) fold(p, it->second);
  return p;
}

bool apply_sla(Case& c, const TriageEnv& env, const std::string& now, const std::string& by) {
  const auto policy = env.sla.resolve(c.priority, c.channel, c.team);
  const auto now_t = parse_time_point(now);
  if (!policy || !now_t) return false;
  const Want want = want_of(timed_runs(c, env.calendar_of(c.team), *policy, *now_t));
  std::string what;
  Sla sla = c.sla;
  note_change(what, "first_response_due", sla.first_response_due, want.first_response_due);
  note_change(what, "first_response_at", sla.first_response_at, want.first_response_at);
  note_change(what, "next_response_due", sla.next_response_due, want.next_response_due);
  note_change(what, "resolution_due", sla.resolution_due, want.resolution_due);
  if (sla.breached != want.breached) {
    std::string list;
    for (const auto& b : want.breached) list += (list.empty() ? "" : ",") + b;
    what += (what.empty() ? "sla: " : "; ") + std::string("breached ") + (list.empty() ? "none" : list);
    sla.breached = want.breached;
  }
  if (what.empty()) return false;
  c.sla = std::move(sla);
  c.events.push_back(Event{format_time_point(*now_t), by, what, {}});
  c.touched();
  return true;
}

std::vector<ClockRecord> sla_clocks(const Case& c, const TriageEnv& env, const std::string& now) {
  const auto policy = env.sla.resolve(c.priority, c.channel, c.team);
  const auto now_t = parse_time_point(now);
  if (!policy || !now_t) return {};
  const Calendar* cal = env.calendar_of(c.team);
  std::vector<ClockRecord> out;
  for (const Timed& t : timed_runs(c, cal, *policy, *now_t)) {
    ClockRecord rec;
    rec.clock = t.run.clock;
    rec.start = format_time_point(t.run.start);
    rec.stop = t.run.stop ? format_time_point(*t.run.stop) : "";
    rec.due = t.due ? format_time_point(*t.due) : "";
    rec.met = t.met;
    rec.calendar_s = (t.until - t.run.start).count();
    if (cal) rec.business_s = cal->business_between(t.run.start, t.until).count();
    out.push_back(std::move(rec));
  }
  return out;
}

const char* const kSlaDefinitions =
    "Three clocks measure how a case is served. Each policy target is a duration; the due moment of a clock is its "
    "start plus that duration in calendar time, or, with business_hours = true and a team that keeps hours, the "
    "moment that much of the team's business time has passed after the start (outside hours and on holidays the "
    "clock does not advance). A clock is met when it stops at or before its due moment, and breached when it stops "
    "later or is still running after it. Messages flagged auto (bots, auto-replies) start and stop no clock, in "
    "either direction.\n"
    "\n"
    "first_response starts at the first message from the customer and stops at our first reply after it "
    "(first_response_at). Example: policy first_response = \"15m\"; the customer posts at 08:00:00Z, an "
    "auto-reply goes out at 08:00:05Z and an agent answers at 08:12Z: due 08:15Z, first_response_at 08:12Z, met.\n"
    "\n"
    "next_response starts at each customer message that follows our reply (the first such message: further "
    "messages before we answer do not move it) and stops at our next reply. Moving the case to pending_customer "
    "(waiting on the customer) stops it; the first customer message while the case is pending_customer starts it "
    "afresh from that message, even if no reply of ours came between (later messages in the same pending spell do "
    "not move it). Only the running clock has a due time (next_response_due). Example: next_response = \"30m\"; "
    "we reply at 09:00Z, the customer answers at 09:10Z and again at 09:20Z: due 09:40Z. Example with "
    "pending_customer: the customer writes at 08:10Z, an agent sets pending_customer at 08:20Z (the clock stops, "
    "met), the customer answers at 09:00Z: a new clock, due 09:30Z.\n"
    "\n"
    "resolution starts at the first customer message and stops when the case is resolved (resolution.at). "
    "Resolving a case also stops any response clock still running: nothing is owed once it is resolved. "
    "Example with business time: a Mon-Fri 09:00-17:00 Australia/Sydney team, resolution = \"4h\", business_hours "
    "= true; a message at 16:59 local on a Friday is due at 12:59 local on Monday (1 minute on Friday, 3 hours 59 "
    "minutes on Monday); one at 03:00 local on a Sunday is due at 13:00 local on Monday.\n"
    "\n"
    "triage writes first_response_due, first_response_at, next_response_due, resolution_due and breached (the names "
    "of the clocks that breached) into the case's sla, and an event saying what changed; triaging again at the same "
    "moment changes nothing. No clock pauses except outside business hours. The queue's due time is the earliest "
    "due of a clock still running; socq case due calls a case breached once that time has passed and at risk while "
    "it falls within the window.\n";

}  // namespace socq
