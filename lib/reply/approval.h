// Comms oversight: [[reply.approval]] rules in the config say which cases
// need a reply approved before it is posted, and who may approve it.
//   [[reply.approval]]
//   category = "media"            # each condition a string or a list; all given must match
//   priority = ["p1"]
//   team = "press"
//   approvers = ["carla", "dev"]  # required
// A rule with no condition covers every case. The approvers of all matching
// rules may approve; one of them writing the reply posts it directly (they
// are the oversight) and is recorded as its approver.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "lib/case.h"
#include "lib/config.h"
#include "lib/result.h"

namespace socq::reply {

struct ApprovalRule {
  std::vector<std::string> categories, priorities, teams;  // empty: any
  std::vector<std::string> approvers;
  std::string source;  // file:line
};

Result<std::vector<ApprovalRule>> load_approval_rules(const MapConfig& cfg);

struct ApprovalNeed {
  std::vector<std::string> approvers;  // of every matching rule, in order, once each
  std::string why;                     // "category media (config.toml:12)"
};
std::optional<ApprovalNeed> approval_needed(const std::vector<ApprovalRule>& rules, const Case& c);

bool may_approve(const ApprovalNeed& need, const std::string& user);
std::string join_names(const std::vector<std::string>& names);  // "carla or dev"

}  // namespace socq::reply
