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

using CaseLookup = std::function<Result<std::optional<Case>>(const std::string& id)>;

// Plans the merge of `incoming` given what `lookup` finds in the store.
// A case that is closed does not reopen: new inbound messages go to a new
// case "<id>#N" linked both ways (and later merges follow that link).
Result<MergePlan> plan_merge(Case incoming, const CaseLookup& lookup, const std::string& now,
                             const std::string& by);

// Merges incoming into stored (same id) in place; true if stored changed.
bool merge_into(Case& stored, const Case& incoming, const std::string& now, const std::string& by);

}  // namespace socq
