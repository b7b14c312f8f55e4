// The in-memory Store: a test double with the same merge and rev rules.
#include <algorithm>
#include <map>

#include "lib/case_json.h"
#include "lib/store.h"

namespace socq {
namespace {

using MessageIndex = std::map<std::string, std::string>;  // "channel\nmessage id" -> case id

// Short case numbers, as the SQLite store gives them: the next one to each
// new case, never reused.
struct Numbers {
  std::map<std::string, int64_t> of;  // case id -> number
  int64_t last = 0;
};

class MemoryBatch final : public MergeBatch, private MergeView {
 public:
  MemoryBatch(std::map<std::string, Case>& live, MessageIndex& live_index, std::map<std::string, std::string>& live_cursors,
              Numbers& live_numbers, std::string now, std::string by)
      : live_(live), live_index_(live_index), live_cursors_(live_cursors), live_numbers_(live_numbers), work_(live),
        index_(live_index), cursors_(live_cursors), numbers_(live_numbers), now_(std::move(now)), by_(std::move(by)) {}
  Status add(Case&& incoming) override {
    for (const auto& m : incoming.messages) stats_.new_messages += !index_.count(incoming.channel + "\n" + m.id);
    auto plan = plan_merge(std::move(incoming), *this, now_, by_);
    if (!plan) return plan.error();
    stats_.count(plan->outcome);
    for (auto& c : plan->writes) {
      for (const auto& m : c.messages) index_.emplace(c.channel + "\n" + m.id, c.id);
      if (!numbers_.of.count(c.id)) numbers_.of[c.id] = ++numbers_.last;
      work_[c.id] = std::move(c);
    }
    return ok_status();
  }
  Status set_cursor(const std::string& channel, const std::string& account, const std::string& cursor) override {
    cursors_[channel + "\n" + account] = cursor;
    return ok_status();
  }
  Result<MergeStats> commit() override {
    live_ = std::move(work_);
    live_index_ = std::move(index_);
    live_cursors_ = std::move(cursors_);
    live_numbers_ = std::move(numbers_);
    return stats_;
  }

 private:
  Result<std::optional<Case>> get(const std::string& id) override {
    auto it = work_.find(id);
    if (it == work_.end()) return std::optional<Case>{};
    return std::optional<Case>{it->second};
  }
  Result<std::optional<std::string>> case_of_message(const std::string& channel, const std::string& id) override {
    auto it = index_.find(channel + "\n" + id);
    if (it == index_.end()) return std::optional<std::string>{};
    return std::optional<std::string>{it->second};
  }

  std::map<std::string, Case>& live_;
  MessageIndex& live_index_;
  std::map<std::string, std::string>& live_cursors_;
  Numbers& live_numbers_;
  std::map<std::string, Case> work_;  // the transaction: a copy, swapped in on commit
  MessageIndex index_;
  std::map<std::string, std::string> cursors_;
  Numbers numbers_;
  std::string now_, by_;
  MergeStats stats_;
};

class MemoryStore final : public Store {
 public:
  Result<std::optional<Case>> get(const std::string& id) override {
    std::string key = id;
    if (auto n = parse_case_number(id)) {
      auto byn = std::find_if(numbers_.of.begin(), numbers_.of.end(), [&](const auto& e) { return e.second == *n; });
      if (byn == numbers_.of.end()) return std::optional<Case>{};
      key = byn->first;
    }
    auto it = cases_.find(key);
    if (it == cases_.end()) return std::optional<Case>{};
    return std::optional<Case>{numbered(it->second)};
  }
  Status list(const CaseFilter& f, const std::function<Status(Case&&)>& on_case) override {
    // The Store contract's order, as the SQLite store's queue query has it.
    std::vector<std::pair<CaseColumns, const Case*>> found;
    for (const auto& [id, c] : cases_)
      if (case_matches(f, c)) found.emplace_back(columns_of(c), &c);
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return list_order_before(a.first, b.first); });
    if (f.limit && found.size() > f.limit) found.resize(f.limit);
    for (const auto& [cols, c] : found) {
      Case copy = numbered(*c);
      if (auto st = on_case(std::move(copy)); !st) return st;
    }
    return ok_status();
  }
  Status list_json(const CaseFilter& f, const std::function<int(const CaseColumns&)>& group,
                   const std::function<Status(std::string_view, int64_t)>& on_json) override {
    struct Listed {
      int group;
      std::string json;
      int64_t number;
    };
    std::vector<Listed> found;
    CaseFilter all = f;
    all.limit = 0;  // cut after the grouping
    auto st = list(all, [&](Case&& c) {
      found.push_back(Listed{group(columns_of(c)), case_to_json(c), c.number});
      return ok_status();
    });
    if (!st) return st;
    std::stable_sort(found.begin(), found.end(), [](const Listed& a, const Listed& b) { return a.group < b.group; });
    if (f.limit && found.size() > f.limit) found.resize(f.limit);
    for (const auto& l : found)
      if (auto s = on_json(l.json, l.number); !s) return s;
    return ok_status();
  }
  Result<std::unique_ptr<MergeBatch>> begin_merge(const std::string& now, const std::string& by) override {
    return std::unique_ptr<MergeBatch>(std::make_unique<MemoryBatch>(cases_, index_, cursors_, numbers_, now, by));
  }
  Status update(Case& c) override {
    auto it = cases_.find(c.id);
    if (it == cases_.end()) return Error{Exit::data, "no case " + c.id};
    if (it->second.rev != c.rev) return conflict_error(c, it->second);
    c.rev = next_rev(c.rev);
    c.touched();
    it->second = c;
    it->second.number = 0;  // kept in numbers_, as SQLite keeps it in its column
    // What socq posted (a reply, a handoff DM) is found by a later fetch
    // that brings it back, as merged messages are.
    for (const auto& m : c.messages)
      if (m.posted_id) index_.emplace(c.channel + "\n" + m.id, c.id);
    return ok_status();
  }
  Result<std::optional<std::string>> cursor(const std::string& channel, const std::string& account) override {
    auto it = cursors_.find(channel + "\n" + account);
    if (it == cursors_.end()) return std::optional<std::string>{};
    return std::optional<std::string>{it->second};
  }
  Status set_cursor(const std::string& channel, const std::string& account, const std::string& cursor) override {
    cursors_[channel + "\n" + account] = cursor;
    return ok_status();
  }
  Status outbox_add(const OutboxRow& row, std::optional<int64_t> expect_rev) override {
    auto c = cases_.find(row.case_id);
    if (c == cases_.end()) return Error{Exit::data, "no case " + row.case_id + " for the outbox"};
    if (expect_rev && c->second.rev != *expect_rev) {
      Case mine = c->second;
      mine.rev = *expect_rev;
      return conflict_error(mine, c->second);
    }
    if (outbox_.count(row.key)) return Error{Exit::conflict, "outbox: key " + row.key + " is already recorded"};
    if (row.exclusive && row.state == "pending")
      for (const auto& [key, r] : outbox_)
        if (r.exclusive && r.state == "pending" && r.case_id == row.case_id && r.kind == row.kind)
          return Error{Exit::conflict, outbox_busy_message(r)};
    outbox_[row.key] = row;
    outbox_order_.push_back(row.key);
    return ok_status();
  }
  Result<std::optional<OutboxRow>> outbox_get(const std::string& key) override {
    auto it = outbox_.find(key);
    if (it == outbox_.end()) return std::optional<OutboxRow>{};
    return std::optional<OutboxRow>{it->second};
  }
  Status outbox_list(const OutboxFilter& f, const std::function<Status(OutboxRow&&)>& on_row) override {
    for (const auto& key : outbox_order_) {
      const OutboxRow& r = outbox_.at(key);
      if ((f.case_id && r.case_id != *f.case_id) || (f.kind && r.kind != *f.kind) || (f.state && r.state != *f.state) ||
          (f.since && r.created_at < *f.since))
        continue;
      OutboxRow copy = r;
      if (auto st = on_row(std::move(copy)); !st) return st;
    }
    return ok_status();
  }
  Result<OutboxUpdated> outbox_update(const OutboxRow& row, const OutboxExpect& expect, Case* c) override {
    auto it = outbox_.find(row.key);
    if (it == outbox_.end() || it->second.state != expect.state ||
        (expect.check_claim && it->second.claimed_by != expect.claimed_by))
      return OutboxUpdated::row_moved;
    if (c) {
      auto stored = cases_.find(c->id);
      if (stored == cases_.end() || stored->second.rev != c->rev) return OutboxUpdated::case_changed;
    }
    const bool exclusive = it->second.exclusive;
    if (exclusive && row.state == "pending" && it->second.state != "pending")
      for (const auto& [key, r] : outbox_)
        if (key != row.key && r.exclusive && r.state == "pending" && r.case_id == row.case_id && r.kind == row.kind)
          return OutboxUpdated::row_moved;  // another exclusive row went in flight first
    it->second = row;
    it->second.exclusive = exclusive;
    if (c) {
      auto st = update(*c);
      if (!st) return st.error();
    }
    return OutboxUpdated::done;
  }

  Result<std::vector<std::string>> untriaged() override {
    std::vector<std::string> ids;
    for (const auto& [id, c] : cases_) {
      auto t = triaged_.find(id);
      if (t == triaged_.end() || t->second < c.rev) ids.push_back(id);
    }
    return ids;
  }
  Result<std::vector<std::string>> save_triaged(std::vector<Case>& batch) override {
    std::vector<std::string> conflicts;
    for (auto& c : batch) {
      const bool touched = c.source.empty();
      if (touched && !update(c)) {
        conflicts.push_back(c.id);
        continue;
      }
      auto it = cases_.find(c.id);
      if (it == cases_.end() || it->second.rev != c.rev) {
        conflicts.push_back(c.id);
        continue;
      }
      triaged_[c.id] = c.rev;
    }
    return conflicts;
  }
  Result<std::vector<AwayMark>> away_marks() override {
    std::vector<AwayMark> marks;
    for (const auto& [key, m] : away_) marks.push_back(m);
    return marks;
  }
  Status set_away(const AwayMark& m) override {
    away_[{m.name, m.from}] = m;
    return ok_status();
  }
  Result<size_t> clear_away(const std::string& name) override {
    size_t n = 0;
    for (auto it = away_.begin(); it != away_.end();)
      if (it->first.first == name) it = away_.erase(it), ++n;
      else ++it;
    return n;
  }

 private:
  Case numbered(const Case& c) const {
    Case copy = c;
    auto n = numbers_.of.find(c.id);
    copy.number = n == numbers_.of.end() ? 0 : n->second;
    return copy;
  }
  std::map<std::pair<std::string, std::string>, AwayMark> away_;  // (name, from) -> mark
  Numbers numbers_;
  std::map<std::string, OutboxRow> outbox_;  // key -> row
  std::vector<std::string> outbox_order_;     // keys, oldest first
  std::map<std::string, int64_t> triaged_;  // id -> the rev triage last saw
  std::map<std::string, Case> cases_;
  MessageIndex index_;
  std::map<std::string, std::string> cursors_;
};

}  // namespace

std::unique_ptr<Store> make_memory_store() { return std::make_unique<MemoryStore>(); }

}  // namespace socq
