#include "lib/store.h"

#include "lib/timefmt.h"
#include "lib/triage/queue.h"

namespace socq {

bool list_order_before(const CaseColumns& a, const CaseColumns& b) {
  if (a.next_due_ms.has_value() != b.next_due_ms.has_value()) return a.next_due_ms.has_value();
  if (a.next_due_ms != b.next_due_ms) return *a.next_due_ms < *b.next_due_ms;
  if (a.updated_at != b.updated_at) return a.updated_at > b.updated_at;
  return a.id < b.id;
}

CaseColumns columns_of(const Case& c) {
  CaseColumns col;
  col.id = c.id;
  col.rev = c.rev;
  col.channel = c.channel;
  col.account = c.account;
  col.status = std::string(to_string(c.status));
  col.team = c.team;
  col.owner = c.owner;
  col.priority = c.priority;
  col.updated_at = c.updated_at;
  if (auto due = next_due(c); !due.empty()) col.next_due_ms = parse_rfc3339_utc(due);
  col.clock_start_ms = clock_start_ms(c, col.next_due_ms);
  col.stalls_after_ms = stalls_after_ms(c);
  return col;
}

bool case_matches(const CaseFilter& f, const Case& c) {
  const auto col = columns_of(c);
  return (!f.status || *f.status == col.status) && (!f.channel || *f.channel == col.channel) &&
         (!f.account || *f.account == col.account) && (!f.owner || f.owner == col.owner) &&
         (!f.team || f.team == col.team) && (!f.due_by_ms || (col.next_due_ms && *col.next_due_ms <= *f.due_by_ms)) &&
         (!f.unowned || !col.owner);
}

std::optional<int64_t> parse_case_number(std::string_view id) {
  if (!id.empty() && id.front() == '#') id.remove_prefix(1);
  if (id.empty() || id.size() > 18) return std::nullopt;  // 18 digits always fit int64
  int64_t n = 0;
  for (char ch : id) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  return n;
}

std::string outbox_busy_message(const OutboxRow& r) {
  std::string msg = "a " + r.kind + " to case " + r.case_id + " is already being sent";
  if (r.author) msg += " (written by " + *r.author + ")";
  msg += ", since " + r.created_at;
  if (r.claimed_by) msg += " by process " + *r.claimed_by;
  return msg + "; it finishes, or `socq reply --resume` finishes it if that run died";
}

Error conflict_error(const Case& mine, const Case& theirs) {
  std::string msg = "case " + mine.id + " changed since it was read (rev " + std::to_string(mine.rev) +
                    ", now rev " + std::to_string(theirs.rev) + ")";
  if (!theirs.events.empty()) {
    const auto& e = theirs.events.back();
    msg += "; last change: " + e.what + " (by " + e.by + " at " + e.at + ")";
  }
  return Error{Exit::conflict, msg + "; read it again and retry"};
}

}  // namespace socq
