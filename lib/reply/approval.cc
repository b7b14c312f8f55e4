#include "lib/reply/approval.h"

#include <algorithm>

#include "lib/toml_file.h"

namespace socq::reply {
namespace {

Status string_list(const toml::node& value, const std::string& where, const std::string& key, std::vector<std::string>& out) {
  if (const auto* s = value.as_string()) {
    out.push_back(s->get());
    return ok_status();
  }
  const auto* arr = value.as_array();
  if (!arr) return Error{Exit::config, where + ": reply.approval." + key + ": must be a string or a list of strings"};
  for (const auto& item : *arr) {
    const auto* s = item.as_string();
    if (!s) return Error{Exit::config, toml_where(where.substr(0, where.rfind(':')), item) + ": reply.approval." + key + ": must be a list of strings"};
    out.push_back(s->get());
  }
  return ok_status();
}

Result<ApprovalRule> load_rule(const toml::table& t, const std::string& file) {
  ApprovalRule r;
  r.source = toml_where(file, t);
  for (const auto& [k, value] : t) {
    const std::string key(k.str());
    const std::string where = toml_where(file, value);
    std::vector<std::string>* into = key == "category"    ? &r.categories
                                     : key == "priority"  ? &r.priorities
                                     : key == "team"      ? &r.teams
                                     : key == "approvers" ? &r.approvers
                                                          : nullptr;
    if (!into) return Error{Exit::config, where + ": reply.approval: unknown key \"" + key + "\" (category, priority, team, approvers)"};
    if (auto st = string_list(value, where, key, *into); !st) return st.error();
  }
  for (const auto& p : r.priorities)
    if (!is_valid_priority(p)) return Error{Exit::config, r.source + ": reply.approval.priority: \"" + p + "\" is not p1..p4"};
  if (r.approvers.empty()) return Error{Exit::config, r.source + ": reply.approval: approvers = [\"name\", ...] is required"};
  return r;
}

bool matches(const std::vector<std::string>& allowed, const OptString& value) {
  return allowed.empty() || (value && std::find(allowed.begin(), allowed.end(), *value) != allowed.end());
}

}  // namespace

Result<std::vector<ApprovalRule>> load_approval_rules(const MapConfig& cfg) {
  std::vector<ApprovalRule> rules;
  for (const auto& file : cfg.files) {
    auto root = parse_toml_file(file);
    if (!root) return root.error();
    const auto* reply = root->get("reply");
    if (!reply || !reply->is_table()) continue;
    const auto* approval = reply->as_table()->get("approval");
    if (!approval) continue;
    const auto* list = approval->as_array();
    if (!list) return Error{Exit::config, toml_where(file, *approval) + ": reply.approval must be an array of tables: [[reply.approval]]"};
    for (const auto& item : *list) {
      const auto* t = item.as_table();
      if (!t) return Error{Exit::config, toml_where(file, item) + ": reply.approval: each entry must be a table"};
      auto rule = load_rule(*t, file);
      if (!rule) return rule.error();
      rules.push_back(std::move(rule).value());
    }
  }
  return rules;
}

std::optional<ApprovalNeed> approval_needed(const std::vector<ApprovalRule>& rules, const Case& c) {
  std::optional<ApprovalNeed> need;
  for (const auto& r : rules) {
    if (!matches(r.categories, c.category) || !matches(r.priorities, c.priority) || !matches(r.teams, c.team)) continue;
    if (!need) need = ApprovalNeed{};
    for (const auto& a : r.approvers)
      if (std::find(need->approvers.begin(), need->approvers.end(), a) == need->approvers.end()) need->approvers.push_back(a);
    std::string cond;
    if (!r.categories.empty()) cond += "category " + *c.category;
    if (!r.priorities.empty()) cond += (cond.empty() ? "" : ", ") + std::string("priority ") + *c.priority;
    if (!r.teams.empty()) cond += (cond.empty() ? "" : ", ") + std::string("team ") + *c.team;
    if (cond.empty()) cond = "every case";
    need->why += (need->why.empty() ? "" : "; ") + cond + " (" + r.source + ")";
  }
  return need;
}

bool may_approve(const ApprovalNeed& need, const std::string& user) {
  return std::find(need.approvers.begin(), need.approvers.end(), user) != need.approvers.end();
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

}  // namespace socq::reply
