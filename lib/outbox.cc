#include "lib/outbox.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <random>

#include <fmt/format.h>

namespace socq {
namespace {

using json = nlohmann::json;

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// A zombie (killed, not yet reaped) still answers kill(pid, 0).
bool is_zombie(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

// Refusals that sending again cannot change: the platform said no (4xx but
// 429). Anything else (no answer, 5xx, an answer we could not read) may
// have been posted, so the row stays pending for the same key.
bool refused_for_good(const Error& e) {
  if (e.code == Exit::no_perm) return true;
  // A channel's own refusal before sending (a window closed): sending again
  // cannot succeed, and a pending row would block the case's next reply.
  if (e.message.find(kNothingSent) != std::string::npos) return true;
  const auto at = e.message.find("HTTP 4");
  return at != std::string::npos && e.message.compare(at, 8, "HTTP 429") != 0 && e.code != Exit::temp_fail;
}

OutboxExpect claimed_by_me(const OutboxRow& row) { return OutboxExpect{"pending", true, row.claimed_by}; }

}  // namespace

std::string new_idempotency_key() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  return fmt::format("socq-{:016x}{:016x}", rng(), rng());
}

std::string this_process() { return host_name() + ":" + std::to_string(getpid()); }

bool claim_alive(const std::string& claimed_by) {
  const auto colon = claimed_by.rfind(':');
  if (colon == std::string::npos) return false;
  if (claimed_by.substr(0, colon) != host_name()) return true;
  long pid = 0;
  try {
    pid = std::stol(claimed_by.substr(colon + 1));
  } catch (...) {
    return false;
  }
  if (pid <= 0) return false;
  if (pid == getpid()) return true;
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  return !is_zombie(pid);
}

OutboxRow pending_row(const std::string& case_id, const std::string& kind, const std::string& payload,
                      const std::string& now, const OptString& author) {
  OutboxRow r;
  r.key = new_idempotency_key();
  r.case_id = case_id;
  r.kind = kind;
  r.payload = payload;
  r.state = "pending";
  r.created_at = r.updated_at = now;
  r.author = author;
  r.claimed_by = this_process();
  return r;
}

json post_to_json(const PostRequest& req) {
  json j = {{"text", req.text}, {"public", req.is_public}};
  if (req.visibility) j["visibility"] = *req.visibility;
  if (req.in_reply_to) j["in_reply_to"] = *req.in_reply_to;
  if (req.recipient) j["recipient"] = *req.recipient;
  if (req.customer_last_at) j["customer_last_at"] = *req.customer_last_at;
  if (req.private_reply_to) j["private_reply_to"] = *req.private_reply_to;
  return j;
}

Result<PostRequest> post_of_payload(const OutboxRow& row) {
  const json j = json::parse(row.payload, nullptr, false);
  // find(), never const operator[]: a missing key there reads freed memory.
  const auto post = j.is_object() ? j.find("post") : j.end();
  const json* p = post != j.end() && post->is_object() ? &*post : nullptr;
  const auto text = p ? p->find("text") : j.end();
  const auto is_public = p ? p->find("public") : j.end();
  if (!p || text == p->end() || !text->is_string() || is_public == p->end() || !is_public->is_boolean())
    return Error{Exit::data, "outbox row " + row.key + " (case " + row.case_id + "): its payload has no post {text, public}"};
  PostRequest req;
  req.text = text->get<std::string>();
  req.is_public = is_public->get<bool>();
  if (auto it = p->find("visibility"); it != p->end() && it->is_string()) req.visibility = it->get<std::string>();
  if (auto it = p->find("in_reply_to"); it != p->end() && it->is_string()) req.in_reply_to = it->get<std::string>();
  if (auto it = p->find("recipient"); it != p->end() && it->is_string()) req.recipient = it->get<std::string>();
  if (auto it = p->find("customer_last_at"); it != p->end() && it->is_string()) req.customer_last_at = it->get<std::string>();
  if (auto it = p->find("private_reply_to"); it != p->end() && it->is_string()) req.private_reply_to = it->get<std::string>();
  req.idempotency_key = row.key;
  return req;
}

Result<bool> mark_sent(Store& store, const OutboxRow& row, const std::string& now, const std::string& result_json,
                       const std::function<Result<bool>(Case&)>& record) {
  OutboxRow done = row;
  done.state = "sent";
  done.sent_at = now;
  done.updated_at = now;
  done.result = result_json;
  // A case changed meanwhile (a fetch, a triage) is read again: the post is
  // out, so the case must show it whatever else happened.
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::optional<Case> c;
    if (record) {
      auto got = store.get(row.case_id);
      if (!got) return got.error();
      if (!got->has_value()) return Error{Exit::data, "outbox row " + row.key + ": no case " + row.case_id};
      c = std::move(**got);
      auto changed = record(*c);
      if (!changed) return changed.error();
      if (!*changed) c.reset();
    }
    auto up = store.outbox_update(done, claimed_by_me(row), c ? &*c : nullptr);
    if (!up) return up.error();
    if (*up == OutboxUpdated::done) return true;
    if (*up == OutboxUpdated::row_moved) {
      auto now_row = store.outbox_get(row.key);
      if (!now_row) return now_row.error();
      if (*now_row && (*now_row)->state == "sent") return false;  // another run finished it
      return Error{Exit::conflict, "outbox row " + row.key + " was taken over by another run (" +
                                       ((*now_row) ? (*now_row)->state : std::string("gone")) + ")"};
    }
  }
  return Error{Exit::temp_fail, "case " + row.case_id + " kept changing while recording post " + row.key +
                                    "; `socq reply --resume` records it"};
}

Status mark_failed(Store& store, const OutboxRow& row, const std::string& now, const std::string& why) {
  OutboxRow failed = row;
  failed.state = "failed";
  failed.updated_at = now;
  failed.result = json{{"error", why}}.dump();
  failed.claimed_by.reset();
  auto up = store.outbox_update(failed, claimed_by_me(row), nullptr);
  if (!up) return up.error();
  return ok_status();
}

Status release_claim(Store& store, const OutboxRow& row, const std::string& now) {
  OutboxRow left = row;
  left.updated_at = now;
  left.claimed_by.reset();
  auto up = store.outbox_update(left, claimed_by_me(row), nullptr);
  if (!up) return up.error();
  return ok_status();
}

Result<SendResult> send_through_outbox(Store& store, Channel& channel, const OutboxRow& row, const std::string& now,
                                       const RecordPost& record) {
  auto req = post_of_payload(row);
  if (!req) return req.error();
  auto posted = channel.post(*req);
  if (!posted) {
    const Error e = posted.error();
    auto st = refused_for_good(e) ? mark_failed(store, row, now, e.message) : release_claim(store, row, now);
    if (!st) return Error{e.code, e.message + " (and the outbox: " + st.error().message + ")"};
    return e;
  }
  json result = {{"id", posted->id}};
  if (posted->url) result["url"] = *posted->url;
  SendResult out{*posted, false};
  auto marked = mark_sent(store, row, now, result.dump(),
                          record ? std::function<Result<bool>(Case&)>([&](Case& c) { return record(c, out.posted); })
                                 : std::function<Result<bool>(Case&)>{});
  if (!marked) return marked.error();
  out.already_done = !*marked;
  return out;
}

Result<std::vector<OutboxRow>> claim_orphans(Store& store, OutboxFilter filter, const std::string& now,
                                             std::vector<OutboxRow>* busy) {
  filter.state = "pending";
  std::vector<OutboxRow> pending;
  auto listed = store.outbox_list(filter, [&](OutboxRow&& r) {
    pending.push_back(std::move(r));
    return ok_status();
  });
  if (!listed) return listed.error();
  std::vector<OutboxRow> claimed;
  const std::string me = this_process();
  for (auto& r : pending) {
    if (r.claimed_by && (*r.claimed_by == me || claim_alive(*r.claimed_by))) {
      if (busy) busy->push_back(r);
      continue;
    }
    OutboxRow mine = r;
    mine.claimed_by = me;
    mine.updated_at = now;
    auto up = store.outbox_update(mine, OutboxExpect{"pending", true, r.claimed_by}, nullptr);
    if (!up) return up.error();
    if (*up == OutboxUpdated::done) claimed.push_back(std::move(mine));  // else another run claimed it first
  }
  return claimed;
}

}  // namespace socq
