// merge(): how a fetched or imported case joins what the store already has
// (DESIGN.md "The store"): messages united by id, events appended, status
// moved by the status table, other stored fields kept, rev + 1 on change.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lib/case.h"

namespace socq {

enum class MergeOutcome { created, updated, unchanged };

struct MergePlan {
  MergeOutcome outcome = MergeOutcome::unchanged;
  std::vector<Case> writes;  // cases to put, in order (empty if unchanged)
};

// What plan_merge may ask of the store.
class MergeView {
 public:
  virtual ~MergeView() = default;
  virtual Result<std::optional<Case>> get(const std::string& id) = 0;
  // The id of the case holding this message on this channel, if any.
  virtual Result<std::optional<std::string>> case_of_message(const std::string& channel,
                                                             const std::string& message_id) = 0;
};

// Plans the merge of `incoming` given what the store holds. A case new by
// id whose messages (or whose first message's parent, for the same
// customer) the store already holds joins that case, so a thread fetched
// or imported in pieces stays one case. A case that is closed does not
// reopen: new inbound messages go to a new case "<id>#N" linked both ways
// (and later merges follow that link).
Result<MergePlan> plan_merge(Case incoming, MergeView& store, const std::string& now, const std::string& by);

// Merges incoming into stored (same id) in place; true if stored changed.
bool merge_into(Case& stored, const Case& incoming, const std::string& now, const std::string& by);

}  // namespace socq
