// Where cases live between commands. The embedded default is SQLite
// (store_sqlite.cc); MemoryStore is the test double. Behind this interface a
// shared server-backed store can come later without touching commands.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/case.h"
#include "lib/merge.h"

namespace socq {

struct CaseFilter {
  OptString status, channel, account, owner, team;
  size_t limit = 0;  // 0: no limit
  std::optional<int64_t> due_by_ms;  // only cases with a clock due at or before this time
  bool unowned = false;              // only cases nobody owns (the queue's owner check)
};

struct MergeStats {
  size_t created = 0, updated = 0, unchanged = 0;
  size_t new_messages = 0;  // messages the store did not hold before
  void count(MergeOutcome o) {
    if (o == MergeOutcome::created) ++created;
    else if (o == MergeOutcome::updated) ++updated;
    else ++unchanged;
  }
};

// One all-or-nothing batch of merges (one transaction). Destroying it
// without commit() rolls everything back.
class MergeBatch {
 public:
  virtual ~MergeBatch() = default;
  virtual Status add(Case&& incoming) = 0;
  // A fetch cursor, committed with the cases it covers (same transaction).
  virtual Status set_cursor(const std::string& channel, const std::string& account, const std::string& cursor) = 0;
  virtual Result<MergeStats> commit() = 0;
};

// The indexed columns of a case, derived in exactly one place.
struct CaseColumns {
  std::string id, channel, account, status, updated_at;
  OptString team, owner, priority;
  std::optional<int64_t> next_due_ms;
  int64_t rev = 0;
  // For the queue order (lib/triage/queue.h): when the due clock started,
  // and when a handoff stalls.
  std::optional<int64_t> clock_start_ms, stalls_after_ms;
};
CaseColumns columns_of(const Case& c);
// Store::list's order: a before b?
bool list_order_before(const CaseColumns& a, const CaseColumns& b);
// Whether a case passes the filter (limit aside): for stores that scan and
// for cases read from files.
bool case_matches(const CaseFilter& f, const Case& c);

// An agent marked away with `socq case away`: RFC 3339 UTC, [from, until).
struct AwayMark {
  std::string name, from, until;
};

// A short case number as a person types it: "42" or "#42". Case ids are
// "channel:account:key" and never all digits, so this is unambiguous.
std::optional<int64_t> parse_case_number(std::string_view id);

// One row of the outbox: every post socq makes (a reply, a DM, an e-mail, a
// webhook call), recorded before it is sent and marked after (lib/outbox.h).
struct OutboxRow {
  std::string key;      // the idempotency key, sent with every attempt
  std::string case_id;  // the case's full id
  std::string kind;     // reply, dm, email, webhook
  std::string payload;  // JSON text: what to send (the caller's shape)
  std::string state;    // draft, pending, sent, failed, discarded
  std::string created_at, updated_at;
  OptString sent_at;
  OptString result;      // JSON text: what the far side answered, or why it failed
  OptString author;      // who wrote it
  OptString approver;    // who approved it (drafts needing approval)
  OptString claimed_by;  // "host:pid" of the process sending it (pending rows)
  bool exclusive = false;  // at most one pending exclusive row per case and kind
};

struct OutboxFilter {
  OptString case_id, kind, state;
  OptString since;  // created_at at or after this time
};

// What a row must still be for outbox_update to change it.
struct OutboxExpect {
  std::string state;
  bool check_claim = false;  // also require claimed_by == claimed_by
  OptString claimed_by;
};

enum class OutboxUpdated { done, row_moved, case_changed };

class Store {
 public:
  virtual ~Store() = default;
  // By full id, or by the case's short number ("42" or "#42", see
  // parse_case_number). The case read carries its number (Case::number).
  virtual Result<std::optional<Case>> get(const std::string& id) = 0;
  // Calls on_case for each matching case in queue order (list_order_before):
  // soonest due first, then cases with no clock, newest updated first; ties by id.
  virtual Status list(const CaseFilter& filter, const std::function<Status(Case&&)>& on_case) = 0;
  // The stored JSON text (as case_to_json writes it) and short number of
  // each matching case, in list order stably sorted by `group` (lower
  // first), the limit applied after: a whole-store read in queue order
  // (queue_group) without a Case built. `group` sees the columns status,
  // owner, next_due_ms, clock_start_ms and stalls_after_ms.
  virtual Status list_json(const CaseFilter& filter, const std::function<int(const CaseColumns&)>& group,
                           const std::function<Status(std::string_view json, int64_t number)>& on_json) = 0;
  virtual Result<std::unique_ptr<MergeBatch>> begin_merge(const std::string& now, const std::string& by) = 0;
  // A rev-checked edit: `c.rev` is the rev it was read at. Stores the case
  // with rev + 1 (and updates c), or fails with Exit::conflict if the case
  // changed meanwhile, saying what changed.
  virtual Status update(Case& c) = 0;
  virtual Result<std::optional<std::string>> cursor(const std::string& channel, const std::string& account) = 0;
  virtual Status set_cursor(const std::string& channel, const std::string& account, const std::string& cursor) = 0;

  // The outbox (lib/outbox.h). outbox_add records a new row; with
  // expect_rev the case must still be at that rev, and an exclusive pending
  // row needs no other pending exclusive row of its kind on the case:
  // either failing is Exit::conflict saying which (nothing is written).
  virtual Status outbox_add(const OutboxRow& row, std::optional<int64_t> expect_rev) = 0;
  virtual Result<std::optional<OutboxRow>> outbox_get(const std::string& key) = 0;
  // Matching rows, oldest first.
  virtual Status outbox_list(const OutboxFilter& filter, const std::function<Status(OutboxRow&&)>& on_row) = 0;
  // Replaces the row with `row` (same key) if it is still as `expect` says,
  // and with `c` stores that case rev-checked as update() does, in the same
  // transaction; row_moved or case_changed (nothing written) otherwise.
  virtual Result<OutboxUpdated> outbox_update(const OutboxRow& row, const OutboxExpect& expect, Case* c) = 0;

  // Incremental triage: the ids of cases changed since triage last saw
  // them (never triaged, or stored at a higher rev than triage recorded).
  virtual Result<std::vector<std::string>> untriaged() = 0;
  // Saves a batch of triaged cases in one transaction: each touched case is
  // rev-checked and stored as update() stores it, and every case's rev is
  // recorded as triaged. A case changed meanwhile is left out (unrecorded)
  // and its id returned, for the caller to re-read and triage again.
  virtual Result<std::vector<std::string>> save_triaged(std::vector<Case>& batch) = 0;

  // Away agents kept in the store (`socq case away`), merged by triage and
  // the queue with the config's [[away]]. A mark with the same name and
  // from replaces the earlier one; clear_away removes all of a name's marks
  // and says how many there were.
  virtual Result<std::vector<AwayMark>> away_marks() = 0;
  virtual Status set_away(const AwayMark& mark) = 0;
  virtual Result<size_t> clear_away(const std::string& name) = 0;
};

// Opens (creating if needed) the SQLite store at `path`. A file that is not
// a socq store, or is from a newer schema, is refused and left untouched.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, int busy_timeout_ms = 5000);
std::unique_ptr<Store> make_memory_store();

// The conflict message for a second exclusive row in flight (stores share it).
std::string outbox_busy_message(const OutboxRow& in_flight);

// The conflict message shared by stores.
Error conflict_error(const Case& mine, const Case& theirs);

}  // namespace socq
