#include "lib/threads.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "lib/timefmt.h"

namespace socq {
namespace {

using Index = std::unordered_map<std::string, size_t>;

// The @handles in a text, in order.
std::vector<std::string> mentions(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '@' || (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_')))
      continue;
    size_t j = i + 1;
    while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
    if (j > i + 1) out.push_back(text.substr(i + 1, j - i - 1));
    i = j - 1;
  }
  return out;
}

class Threads {
 public:
  Threads(std::vector<ImportMessage>& msgs, const Index& index, const std::set<std::string>* brands)
      : m_(msgs), index_(index), brands_(brands ? *brands : own_brands_) {
    if (!brands)
      for (const auto& m : m_)
        if (!m.inbound) own_brands_.insert(m.brand.empty() ? m.author : m.brand);
    parent_.assign(m_.size(), npos);
    for (size_t i = 0; i < m_.size(); ++i)
      if (m_[i].reply_to)
        if (auto it = index_.find(*m_[i].reply_to); it != index_.end() && it->second != i) parent_[i] = it->second;
    roots_.assign(m_.size(), npos);
    at_ms_.reserve(m_.size());
    for (const auto& m : m_) at_ms_.push_back(parse_rfc3339_utc(m.at).value_or(0));
    for (size_t i = 0; i < m_.size(); ++i) root(i);
    for (size_t i = 0; i < m_.size(); ++i) members_[roots_[i]].push_back(i);
  }

  static constexpr size_t npos = static_cast<size_t>(-1);
  size_t parent(size_t i) const { return parent_[i]; }

  // The thread root: follow parents up; a cycle is cut where it closes.
  size_t root(size_t i) {
    if (roots_[i] != npos) return roots_[i];
    std::vector<size_t> path;
    std::unordered_set<size_t> seen;
    size_t cur = i;
    while (roots_[cur] == npos && parent_[cur] != npos && seen.insert(cur).second) {
      path.push_back(cur);
      cur = parent_[cur];
    }
    const size_t r = roots_[cur] != npos ? roots_[cur] : cur;
    roots_[cur] = r;
    for (size_t p : path) roots_[p] = r;
    return r;
  }

  // The brand account a message belongs to.
  std::string brand(size_t i) {
    const ImportMessage& m = m_[i];
    if (!m.brand.empty()) return m.brand;
    if (!m.inbound) return m.author;
    size_t steps = 0;  // bounded: bad data may hold reply cycles
    for (size_t p = parent_[i]; p != npos && steps++ < m_.size(); p = parent_[p])
      if (!m_[p].inbound) return m_[p].brand.empty() ? m_[p].author : m_[p].brand;
    return thread_brand(root(i));
  }

  // The customer a message belongs to (the conversation partner).
  std::string customer(size_t i) {
    size_t cur = i, steps = 0;
    while (!m_[cur].inbound && parent_[cur] != npos && steps++ < m_.size()) cur = parent_[cur];
    const ImportMessage& m = m_[cur];
    if (m.inbound) return m.author;
    for (const auto& h : mentions(m.text))
      if (!brands_.count(h)) return h;
    const size_t first_in = earliest(root(i), [&](size_t k) { return m_[k].inbound; });
    return first_in != npos ? m_[first_in].author : "unknown";
  }

  const std::map<size_t, std::vector<size_t>>& members() const { return members_; }
  int64_t at_ms(size_t i) const { return at_ms_[i]; }

 private:
  template <class Pred>
  size_t earliest(size_t root_index, Pred pred) {
    size_t best = npos;
    for (size_t k : members_[root_index])
      if (pred(k) && (best == npos || at_ms_[k] < at_ms_[best])) best = k;
    return best;
  }

  // A thread's main brand: the first to answer in it; else the first brand
  // the root mentions; else its first mention.
  std::string thread_brand(size_t r) {
    if (auto it = thread_brand_.find(r); it != thread_brand_.end()) return it->second;
    std::string b;
    const size_t first_out = earliest(r, [&](size_t k) { return !m_[k].inbound; });
    if (first_out != npos) {
      b = m_[first_out].brand.empty() ? m_[first_out].author : m_[first_out].brand;
    } else {
      const auto ms = mentions(m_[r].text);
      for (const auto& h : ms)
        if (brands_.count(h) && b.empty()) b = h;
      if (b.empty()) b = ms.empty() ? "unknown" : ms.front();
    }
    return thread_brand_[r] = b;
  }

  std::vector<ImportMessage>& m_;
  const Index& index_;
  std::set<std::string> own_brands_;
  const std::set<std::string>& brands_;
  std::vector<size_t> parent_, roots_;
  std::vector<int64_t> at_ms_;
  std::map<size_t, std::vector<size_t>> members_;
  std::map<size_t, std::string> thread_brand_;
};

}  // namespace

// new until someone answers the customer: a brand post that came before the
// customer's first message (which the customer then answered) is no answer,
// as the report's first response sees it.
void derive_status(Case& c) {
  const auto first_in = std::find_if(c.messages.begin(), c.messages.end(), [](const Message& m) { return m.dir == Dir::in; });
  const bool answered = std::any_of(first_in, c.messages.end(), [](const Message& m) { return m.dir == Dir::out && !m.is_auto; });
  if (c.messages.back().dir == Dir::out) c.status = CaseStatus::pending_customer;
  else c.status = answered ? CaseStatus::open : CaseStatus::new_;
}

Status build_cases(std::vector<ImportMessage> msgs, const std::string& channel, ThreadStats& stats,
                   const std::function<Status(Case&&)>& emit, const std::set<std::string>* brands) {
  // Keep the first of repeated ids.
  Index index;
  std::vector<ImportMessage> unique;
  unique.reserve(msgs.size());
  for (auto& m : msgs) {
    if (index.emplace(m.id, unique.size()).second) unique.push_back(std::move(m));
    else ++stats.duplicates;
  }
  msgs = {};
  Threads threads(unique, index, brands);
  for (size_t i = 0; i < unique.size(); ++i)
    if (unique[i].reply_to && threads.parent(i) == Threads::npos) ++stats.orphan_replies;

  // Thread by thread, so only one thread's cases exist at a time. Each
  // message's case is (brand, root, customer), the root's own customer
  // keeping the plain id; all are placed before any message is moved.
  for (const auto& [root, members] : threads.members()) {
    const std::string root_customer = threads.customer(root);
    std::vector<std::pair<size_t, std::string>> placed;  // message, case id
    placed.reserve(members.size());
    std::map<std::string, Case> cases;
    for (size_t i : members) {
      const std::string brand = threads.brand(i), customer = threads.customer(i);
      std::string id = channel + ":" + brand + ":" + unique[root].id;
      if (customer != root_customer) id += "+" + customer;
      Case& c = cases[id];
      if (c.id.empty()) {
        c.id = id;
        c.rev = 1;
        c.channel = channel;
        c.account = brand;
        c.customer.id = customer;
        c.customer.handle = "@" + customer;
      }
      placed.emplace_back(i, std::move(id));
    }
    std::stable_sort(placed.begin(), placed.end(),
                     [&](const auto& a, const auto& b) { return threads.at_ms(a.first) < threads.at_ms(b.first); });
    for (auto& [i, id] : placed) {
      Case& c = cases[id];
      ImportMessage& m = unique[i];
      if (m.inbound && m.author == c.customer.id && m.name && !c.customer.name) c.customer.name = m.name;
      Message msg;
      msg.id = std::move(m.id);
      msg.dir = m.inbound ? Dir::in : Dir::out;
      msg.at = std::move(m.at);
      msg.author = "@" + m.author;
      msg.text = std::move(m.text);
      msg.is_public = m.is_public;
      msg.visibility = std::move(m.visibility);
      msg.reply_to = std::move(m.reply_to);
      c.messages.push_back(std::move(msg));
      ++stats.messages;
    }
    for (auto& [id, c] : cases) {
      derive_status(c);
      c.updated_at = last_message_at(c);
      if (auto st = emit(std::move(c)); !st) return st;
    }
  }
  return ok_status();
}

std::vector<Case> build_cases(std::vector<ImportMessage> msgs, const std::string& channel, ThreadStats& stats) {
  std::vector<Case> out;
  (void)build_cases(std::move(msgs), channel, stats, [&](Case&& c) {
    out.push_back(std::move(c));
    return ok_status();
  });
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
  return out;
}

}  // namespace socq
