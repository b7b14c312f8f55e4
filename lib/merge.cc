#include "lib/merge.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "lib/timefmt.h"

namespace socq {
namespace {

// The ids of a case's messages, for O(1) membership tests: merging a
// case of n messages stays O(n log n) however many it holds.
std::unordered_set<std::string_view> message_ids(const Case& c) {
  std::unordered_set<std::string_view> ids;
  ids.reserve(c.messages.size());
  for (const auto& m : c.messages) ids.insert(m.id);
  return ids;
}

// An event as one key (at, by, what) for set lookups.
std::string event_key(const Event& e) { return e.at + '\0' + e.by + '\0' + e.what; }

// Stable by time; each time parsed once, not once per comparison.
void sort_messages(Case& c) {
  std::vector<std::pair<int64_t, size_t>> order;
  order.reserve(c.messages.size());
  for (size_t i = 0; i < c.messages.size(); ++i) order.emplace_back(parse_rfc3339_utc(c.messages[i].at).value_or(0), i);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Message> sorted;
  sorted.reserve(c.messages.size());
  for (const auto& [at, i] : order) sorted.push_back(std::move(c.messages[i]));
  c.messages = std::move(sorted);
}

template <class T>
bool fill_if_missing(std::optional<T>& stored, const std::optional<T>& incoming) {
  if (stored || !incoming) return false;
  stored = incoming;
  return true;
}

bool merge_extras(Extras& stored, const Extras& incoming) {
  bool changed = false;
  for (const auto& kv : incoming) {
    auto found = std::find_if(stored.begin(), stored.end(), [&](const auto& s) { return s.first == kv.first; });
    if (found == stored.end()) stored.push_back(kv), changed = true;
  }
  return changed;
}

// "x:acct:123#3" -> ("x:acct:123", 3); "x:acct:123" -> ("x:acct:123", 1).
std::pair<std::string, int> split_generation(const std::string& id) {
  const auto hash = id.rfind('#');
  if (hash == std::string::npos) return {id, 1};
  const std::string n = id.substr(hash + 1);
  if (n.empty() || n.size() > 9 || !std::all_of(n.begin(), n.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return {id, 1};
  return {id.substr(0, hash), std::atoi(n.c_str())};  // at most 9 digits: fits
}

std::optional<std::string> link_ref(const Case& c, const std::string& rel) {
  for (const auto& l : c.links)
    if (l.rel == rel) return l.ref;
  return std::nullopt;
}

}  // namespace

bool merge_into(Case& stored, const Case& incoming, const std::string& now, const std::string& by) {
  size_t added = 0, added_inbound = 0;
  bool filled = false;
  {
    // id -> index in stored.messages (owns its keys: the vector may reallocate)
    std::unordered_map<std::string, size_t> seen;
    seen.reserve(stored.messages.size() + incoming.messages.size());
    for (size_t i = 0; i < stored.messages.size(); ++i) seen.emplace(stored.messages[i].id, i);
    for (const auto& m : incoming.messages) {
      const auto [at, fresh] = seen.emplace(m.id, stored.messages.size());
      if (!fresh) {
        // A message stored before its audience was kept gets it now: a
        // reply must never be wider than the post it answers.
        filled |= fill_if_missing(stored.messages[at->second].visibility, m.visibility);
        continue;
      }
      stored.messages.push_back(m);
      ++added;
      if (m.dir == Dir::in && !m.is_auto) ++added_inbound;
    }
  }
  bool changed = added > 0 || filled;
  if (added) sort_messages(stored);
  if (!incoming.events.empty()) {
    std::unordered_set<std::string> events;
    for (const auto& e : stored.events) events.insert(event_key(e));
    for (const auto& e : incoming.events) {
      if (!events.insert(event_key(e)).second) continue;
      stored.events.push_back(e);
      changed = true;
    }
  }
  changed |= fill_if_missing(stored.customer.handle, incoming.customer.handle);
  changed |= fill_if_missing(stored.customer.name, incoming.customer.name);
  changed |= fill_if_missing(stored.customer.followers, incoming.customer.followers);
  changed |= merge_extras(stored.extra, incoming.extra);
  if (!changed) return false;
  if (added)
    stored.events.push_back(Event{now, by, "merged " + std::to_string(added) + " new message" + (added == 1 ? "" : "s"), {}});
  const bool reopen = added_inbound > 0 && (stored.status == CaseStatus::pending_customer ||
                                            stored.status == CaseStatus::handed_off ||
                                            stored.status == CaseStatus::resolved);
  if (reopen) (void)move_status(stored, CaseStatus::open, now, by, "new message from the customer");
  stored.rev = next_rev(stored.rev);
  stored.updated_at = now;
  stored.touched();
  return true;
}

namespace {

// The stored case this new one continues, if any: a case of the same
// account holding any of its messages, or holding its first message's
// parent and the same customer.
Result<std::optional<std::string>> continued_case(const Case& incoming, MergeView& store) {
  const std::string prefix = incoming.channel + ":" + incoming.account + ":";
  const auto same_account = [&](const std::string& id) { return id.rfind(prefix, 0) == 0; };
  for (const auto& m : incoming.messages) {
    auto holder = store.case_of_message(incoming.channel, m.id);
    if (!holder) return holder;
    if (holder->has_value() && same_account(**holder)) return holder;
  }
  if (incoming.messages.empty() || !incoming.messages.front().reply_to) return std::optional<std::string>{};
  auto parent_case = store.case_of_message(incoming.channel, *incoming.messages.front().reply_to);
  if (!parent_case) return parent_case;
  if (!parent_case->has_value() || !same_account(**parent_case)) return std::optional<std::string>{};
  auto stored = store.get(**parent_case);
  if (!stored) return stored.error();
  if (stored->has_value() && (*stored)->customer.id == incoming.customer.id) return parent_case;
  return std::optional<std::string>{};
}

}  // namespace

Result<MergePlan> plan_merge(Case incoming, MergeView& store, const std::string& now, const std::string& by) {
  auto found = store.get(incoming.id);
  if (!found) return found.error();
  if (!found->has_value()) {
    auto continued = continued_case(incoming, store);
    if (!continued) return continued.error();
    if (continued->has_value()) {
      found = store.get(**continued);
      if (!found) return found.error();
    }
  }
  if (!found->has_value()) {
    if (incoming.rev < 1) incoming.rev = 1, incoming.touched();
    MergePlan plan{MergeOutcome::created, {}};
    plan.writes.push_back(std::move(incoming));
    return plan;
  }
  Case stored = std::move(**found);
  if (stored.status != CaseStatus::closed) {
    MergePlan plan;
    if (merge_into(stored, incoming, now, by)) {
      plan.outcome = MergeOutcome::updated;
      plan.writes.push_back(std::move(stored));
    }
    return plan;
  }
  // Closed: messages it already holds stay there; the rest belong to the
  // follow-up case, which is created or found through the "next" link.
  const auto held = message_ids(stored);
  std::erase_if(incoming.messages, [&](const Message& m) { return held.count(m.id) > 0; });
  const bool any_new_inbound = std::any_of(incoming.messages.begin(), incoming.messages.end(),
                                           [](const Message& m) { return m.dir == Dir::in; });
  if (auto next = link_ref(stored, "next")) {
    if (incoming.messages.empty()) return MergePlan{};
    incoming.id = *next;
    incoming.events.clear();
    return plan_merge(std::move(incoming), store, now, by);
  }
  if (!any_new_inbound) return MergePlan{};
  auto [base, generation] = split_generation(stored.id);
  Case follow = std::move(incoming);
  follow.id = base + "#" + std::to_string(generation + 1);
  follow.rev = 1;
  follow.status = CaseStatus::new_;
  follow.resolution.reset();
  follow.handoff.reset();
  follow.owner.reset();
  follow.sla = Sla{};
  follow.events = {Event{now, by, "new conversation after " + stored.id + " was closed", {}}};
  follow.links.push_back(Link{"previous", stored.id, {}});
  follow.updated_at = now;
  follow.touched();
  stored.links.push_back(Link{"next", follow.id, {}});
  stored.events.push_back(Event{now, by, "customer wrote again: continued in " + follow.id, {}});
  stored.rev = next_rev(stored.rev);
  stored.updated_at = now;
  stored.touched();
  MergePlan plan{MergeOutcome::created, {}};
  plan.writes.push_back(std::move(stored));
  plan.writes.push_back(std::move(follow));
  return plan;
}

}  // namespace socq
