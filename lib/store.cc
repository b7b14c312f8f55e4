#include "lib/store.h"

#include "lib/timefmt.h"

namespace socq {

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
  return col;
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
