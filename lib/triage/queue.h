// The fair queue: soonest SLA due time first, and within their due band the
// cases that need a new owner first (their owner is away, or nobody owns
// them past half their clock). Follower counts play no part.
//
// Stalled handoffs (past their follow-up, no reply to the customer since)
// go first of all within their band (always the overdue one).
//
// "Within their due time" means within the same band of the queue: overdue,
// due within the next hour, due within the next day. A case that needs an
// owner moves ahead of the cases of its own band only, so it never jumps a
// case that is more urgent by a band; beyond a day, and for cases with no
// clock, the order is plain due order.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/case.h"
#include "lib/result.h"
#include "lib/store.h"
#include "lib/triage/teams.h"

namespace socq {

enum class DueBand { overdue = 0, within_hour = 1, within_day = 2, later = 3, no_clock = 4 };

// Why a case needs a new owner, if it does.
enum class OwnerNeed { none, owner_away, unowned_past_half };

struct QueueItem {
  Case c;
  std::optional<int64_t> due_ms;  // next_due(c)
  DueBand band = DueBand::no_clock;
  OwnerNeed need = OwnerNeed::none;
  bool stalled = false;  // a handoff past its follow-up with no reply since (lib/handoff/followup.h)
};

QueueItem queue_item(Case&& c, const TriageEnv& env, int64_t now_ms);

// What the order reads of a case besides its store columns (lib/store.h's
// CaseColumns), fixed until the case changes: a store keeps them in columns
// and orders a whole-store list without parsing a case.
// When the clock behind `due_ms` (the case's next due time) started: the
// half-clock check of unowned cases.
std::optional<int64_t> clock_start_ms(const Case& c, std::optional<int64_t> due_ms);
// When the case's handoff stalls unless someone replies (its follow-up due),
// while it can (not completed, case not resolved or closed).
std::optional<int64_t> stalls_after_ms(const Case& c);
// The case's place among the groups the order emits one after the other
// (a due band, and within the urgent bands stalled / needing an owner /
// the rest), from its columns (next_due_ms, status, owner, clock_start_ms,
// stalls_after_ms). The queue order is the store's list order stably
// sorted by this group.
int queue_group(const CaseColumns& col, const TriageEnv& env, int64_t now_ms);
DueBand due_band(std::optional<int64_t> due_ms, int64_t now_ms);
// The first moment after which a case is no longer in `band` (for bands up
// to within_day), so a store can be asked for the whole band.
std::optional<int64_t> band_end_ms(DueBand band, int64_t now_ms);

// Reorders a due-ordered stream: holds the cases of the urgent bands until
// their band ends, then passes on those needing an owner first, in due order
// within each group. Later bands pass straight through. At most `limit`
// cases (0: all) reach `emit`.
class QueueOrder {
 public:
  QueueOrder(const TriageEnv& env, int64_t now_ms, size_t limit, std::function<Status(QueueItem&&)> emit)
      : env_(env), now_ms_(now_ms), limit_(limit), emit_(std::move(emit)) {}
  Status push(Case&& c);
  Status finish();
  size_t emitted() const { return emitted_; }
  bool full() const { return limit_ && emitted_ >= limit_; }

 private:
  Status flush();
  Status pass(QueueItem&& item);
  const TriageEnv& env_;
  int64_t now_ms_;
  size_t limit_;
  std::function<Status(QueueItem&&)> emit_;
  std::vector<QueueItem> held_;
  size_t emitted_ = 0;
};

// "in 25m", "overdue by 2h 5m", or "-" without a clock.
std::string due_in_text(std::optional<int64_t> due_ms, int64_t now_ms);
// The owner cell: "alice", "alice (away)", "- (unowned, past half)", "-".
std::string owner_text(const QueueItem& item);

// `case due`: breached (past due) and at-risk (due within the window)
// cases per team ("" for cases without a team).
struct DueCounts {
  struct Counts {
    size_t breached = 0, at_risk = 0;
    size_t stalled = 0;  // of the breached: stalled handoffs
  };
  std::map<std::string, Counts> by_team;
  void add(const QueueItem& item, int64_t now_ms);
  // "service: 1 breached, 2 at risk" lines (", 1 stalled" when any), teams in
  // name order, "(no team)" last.
  std::vector<std::string> lines() const;
};

}  // namespace socq
