#include "lib/reply/reply.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/fetch.h"
#include "lib/http_curl.h"
#include "lib/http_log.h"
#include "lib/term.h"
#include "lib/timefmt.h"

namespace socq::reply {
namespace {

using json = nlohmann::json;
constexpr const char* kKind = "reply";

std::string snippet(const std::string& text) {
  std::string s = text.size() > 60 ? text.substr(0, 57) + "..." : text;
  return terminal_safe_line(s);
}

// The customer's latest message: of the case's own customer where the
// case names their handle (an X conversation may hold another customer's
// posts too, and a reply goes under the one it answers), else any.
const Message* latest_inbound(const Case& c) {
  const Message *best = nullptr, *theirs = nullptr;
  const std::string handle = c.customer.handle.value_or("");
  for (const auto& m : c.messages) {
    if (m.dir != Dir::in) continue;
    if (!best || m.at >= best->at) best = &m;
    if (!handle.empty() && m.author == handle && (!theirs || m.at >= theirs->at)) theirs = &m;
  }
  return theirs ? theirs : best;
}

bool has_outbound(const Case& c) {
  return std::any_of(c.messages.begin(), c.messages.end(), [](const Message& m) { return m.dir == Dir::out; });
}

std::vector<std::string> customer_names(const Case& c) {
  std::vector<std::string> names;
  if (c.customer.handle) {
    std::string h = *c.customer.handle;
    if (!h.empty() && h.front() == '@') h.erase(0, 1);
    names.push_back(h.substr(0, h.find('@')));
  }
  if (c.customer.name) {
    names.push_back(*c.customer.name);
    names.push_back(c.customer.name->substr(0, c.customer.name->find(' ')));
  }
  return names;
}

// The instance's post limits fetch stored; none known: the platform's default.
Limits stored_limits(Store& store, const Case& c) {
  Limits l;
  auto stored = store.cursor(c.channel, c.account + "/limits");
  if (!stored || !stored->has_value()) return l;
  const json j = json::parse(**stored, nullptr, false);
  if (!j.is_object()) return l;
  if (j.contains("max_chars") && j["max_chars"].is_number_integer()) l.max_chars = j["max_chars"].get<int64_t>();
  if (j.contains("chars_per_url") && j["chars_per_url"].is_number_integer()) l.chars_per_url = j["chars_per_url"].get<int64_t>();
  if (j.contains("unit") && j["unit"].is_string()) l.unit = j["unit"].get<std::string>();
  return l;
}

Error changed_error(const std::string& id, const std::string& since, const std::vector<std::string>& lines,
                    const std::string& hint) {
  std::string msg = "case " + id + " changed since " + since + ":";
  for (const auto& l : lines) msg += "\n  " + l;
  return Error{Exit::conflict, msg + "\n" + hint};
}

// The latest events of a case that moved from rev `seen` to its rev now:
// the store keeps no history, so these stand for what changed.
std::vector<std::string> recent_events(const Case& now, int64_t seen) {
  std::vector<std::string> lines;
  const size_t n = static_cast<size_t>(std::clamp<int64_t>(now.rev - seen, 1, 5));
  const size_t from = now.events.size() > n ? now.events.size() - n : 0;
  for (size_t i = from; i < now.events.size(); ++i)
    lines.push_back(terminal_safe_line(now.events[i].at + " " + now.events[i].by + ": " + now.events[i].what));
  if (lines.empty()) lines.push_back("rev " + std::to_string(seen) + " -> " + std::to_string(now.rev));
  return lines;
}

json payload_of(const OutboxRow& row) {
  json j = json::parse(row.payload, nullptr, false);
  return j.is_object() ? j : json::object();
}

std::string str_or(const json& j, const char* key, const std::string& fallback = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::optional<ApprovalNeed> need_of(const json& p) {
  auto it = p.find("approvers");
  if (it == p.end() || !it->is_array() || it->empty()) return std::nullopt;
  ApprovalNeed need;
  for (const auto& a : *it)
    if (a.is_string()) need.approvers.push_back(a.get<std::string>());
  need.why = str_or(p, "approval_why");
  return need;
}

class ConfigPoster final : public Poster {
 public:
  ConfigPoster(const Config& cfg, PosterSettings s, EnvFn env) : cfg_(cfg), s_(std::move(s)), env_(env) {}

  Result<Channel*> channel_for(const std::string& channel, const std::string& account) override {
    const std::string key = channel + "\n" + account;
    if (auto it = open_.find(key); it != open_.end()) return it->second->channel.get();
    std::vector<const AccountConfig*> maybe;
    for (const auto& a : cfg_.accounts()) {
      if (a.channel != channel) continue;
      if (a.handle == account) maybe.insert(maybe.begin(), &a);
      else if (a.handle.empty()) maybe.push_back(&a);
    }
    if (maybe.empty())
      return Error{Exit::config, "no account configured for " + channel + " " + account +
                                     ": add [accounts.NAME] with channel = \"" + channel + "\" and handle = \"" + account + "\""};
    std::optional<Error> last;
    for (const AccountConfig* a : maybe) {
      auto opened = open(*a);
      if (!opened) return opened.error();
      auto me = (*opened)->channel->whoami();
      if (!me) return me.error();
      if (me->handle == account || a->handle == account) {
        Channel* ch = (*opened)->channel.get();
        open_[key] = std::move(opened).value();
        return ch;
      }
    }
    return Error{Exit::config, "no configured " + channel + " account is " + account + " (asked each account without a handle)"};
  }

 private:
  struct Open {
    std::unique_ptr<HttpClient> transport;
    std::unique_ptr<PolicyClient> http;
    std::unique_ptr<Channel> channel;
    std::string token;
  };

  Result<std::unique_ptr<Open>> open(const AccountConfig& a) {
    if (a.base_url.empty()) return Error{Exit::config, a.source + ": accounts." + a.name + ": base_url is needed to post"};
    auto token = read_token(a, env_);
    if (!token) return token.error();
    auto o = std::make_unique<Open>();
    o->token = *token;
    auto log = [this, secret = *token, name = a.name](const std::string& line) {
      if (s_.log) s_.log(name + ": " + mask_secrets(line, {secret}));
    };
    o->transport = make_curl_client(CurlOptions{s_.connect_timeout_ms, log});
    o->http = std::make_unique<PolicyClient>(*o->transport, clock_, sleeper_, s_.policy, log);
    auto ch = make_channel(a, *o->http, o->token, s_.timeout_ms, log, s_.store_path);
    if (!ch) return ch.error();
    o->channel = std::move(ch).value();
    return o;
  }

  const Config& cfg_;
  PosterSettings s_;
  EnvFn env_;
  SystemClock clock_;
  ThreadSleeper sleeper_;
  std::map<std::string, std::unique_ptr<Open>> open_;
};

}  // namespace

Result<ReplySetup> load_setup(const MapConfig& cfg) {
  ReplySetup s;
  auto policy = load_reply_policy(cfg);
  if (!policy) return policy.error();
  s.policy = std::move(policy).value();
  auto templates = load_templates(cfg);
  if (!templates) return templates.error();
  s.templates = std::move(templates).value();
  auto rules = load_approval_rules(cfg);
  if (!rules) return rules.error();
  s.approval = std::move(rules).value();
  return s;
}

std::unique_ptr<Poster> make_config_poster(const Config& cfg, PosterSettings settings, EnvFn env) {
  return std::make_unique<ConfigPoster>(cfg, std::move(settings), env);
}

namespace {
// Whether text mentions `mention` (@user or @user@domain) as a whole
// handle, not as the start of a longer one.
bool mentions(const std::string& text, const std::string& mention) {
  const auto handle_char = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '@' || ch == '.' || ch == '-';
  };
  for (size_t at = text.find(mention); at != std::string::npos; at = text.find(mention, at + 1)) {
    const size_t end = at + mention.size();
    const bool starts = at == 0 || !handle_char(text[at - 1]);
    // A handle may end a sentence: "@ann@example.org." still mentions.
    const bool ends = end == text.size() || !handle_char(text[end]) ||
                      (text[end] == '.' && (end + 1 == text.size() || !handle_char(text[end + 1])));
    if (starts && ends) return true;
  }
  return false;
}
}  // namespace

Result<PostRequest> plan_post(const Case& c, const std::string& text, bool is_private) {
  const Message* last = latest_inbound(c);
  if (!last) return Error{Exit::data, "case " + c.id + " has no message from the customer to reply to"};
  PostRequest req;
  // A private conversation is answered privately: never in public.
  req.is_public = !is_private && last->is_public;
  req.text = text;
  if (req.is_public) req.visibility = last->visibility;  // no wider than the customer's post
  if (req.is_public || !last->is_public) req.in_reply_to = last->id;
  else req.private_reply_to = last->id;  // a private answer to a public message
  req.recipient = c.customer.id;
  req.customer_last_at = last->at;
  if (c.channel == "mastodon" && c.customer.handle && !c.customer.handle->empty()) {
    // Mastodon notifies the accounts a post mentions (it has no reply
    // notification), and delivers a direct post to them alone: a reply,
    // public or private, mentions the customer unless its text does.
    std::string mention = *c.customer.handle;
    if (mention.front() != '@') mention = "@" + mention;
    if (!mentions(req.text, mention)) req.text = mention + " " + req.text;
  }
  return req;
}

Result<bool> record_reply(Case& c, const PostRequest& req, const Posted& posted, const std::string& author,
                          const OptString& approver, const std::string& now) {
  auto held = std::find_if(c.messages.begin(), c.messages.end(), [&](const Message& m) { return m.id == posted.id; });
  if (held != c.messages.end() && held->posted_id) return false;  // recorded already
  Message m;
  m.id = posted.id;
  m.dir = Dir::out;
  m.at = now;
  m.author = "@" + c.account;
  m.text = req.text;
  m.is_public = req.is_public;
  if (req.is_public) m.visibility = req.visibility;
  m.reply_to = req.in_reply_to;
  m.posted_id = posted.id;
  m.extra.emplace_back("written_by", json(author).dump());
  if (approver) m.extra.emplace_back("approved_by", json(*approver).dump());
  if (held != c.messages.end()) {  // a fetch saw our post before this run recorded it
    held->posted_id = posted.id;
    held->extra = m.extra;
  } else {
    c.messages.push_back(std::move(m));
  }
  if (c.status != CaseStatus::pending_customer && status_move_allowed(c.status, CaseStatus::pending_customer))
    if (auto st = move_status(c, CaseStatus::pending_customer, now, author, "replied"); !st) return st.error();
  if (!c.sla.first_response_at) c.sla.first_response_at = now;
  std::string what = "reply by " + author;
  if (approver) what += ", approved by " + *approver;
  if (!c.owner) {
    c.owner = author;
    what += "; assigned to " + author;
  }
  what += ": posted " + posted.id + (posted.url ? " " + *posted.url : "");
  c.events.push_back(Event{now, author, what, {}});
  c.updated_at = now;
  c.touched();
  return true;
}

std::vector<std::string> describe_changes(const Case& seen, const Case& now) {
  std::vector<std::string> lines;
  for (const auto& m : now.messages) {
    const bool known = std::any_of(seen.messages.begin(), seen.messages.end(), [&](const Message& s) { return s.id == m.id; });
    if (known) continue;
    lines.push_back(terminal_safe_line(fmt::format("{} {} {}: \"{}\"", m.at, m.dir == Dir::in ? "new message from" : "reply by",
                                                   m.author, snippet(m.text))));
  }
  if (seen.owner != now.owner)
    lines.push_back(terminal_safe_line("owner " + seen.owner.value_or("(none)") + " -> " + now.owner.value_or("(none)")));
  if (seen.status != now.status)
    lines.push_back("status " + std::string(to_string(seen.status)) + " -> " + std::string(to_string(now.status)));
  if (lines.empty()) return recent_events(now, seen.rev);
  return lines;
}

std::string reply_payload(const Case& c, const PostRequest& req, const std::optional<ApprovalNeed>& need) {
  json p = {{"post", post_to_json(req)}, {"channel", c.channel}, {"account", c.account},
            {"customer_id", c.customer.id}, {"customer_names", customer_names(c)}, {"case_rev", c.rev}};
  if (need) {
    p["approvers"] = need->approvers;
    p["approval_why"] = need->why;
  }
  return p.dump();
}

Result<Case> Replier::read_case(const std::string& ref) {
  auto got = store_.get(ref);
  if (!got) return got.error();
  if (!got->has_value()) return Error{Exit::data, "no case " + ref + " in the store"};
  return std::move(**got);
}

Result<const RecentIndex*> Replier::recent(const std::string& now) {
  if (recent_) return recent_.get();
  const auto now_ms = parse_rfc3339_utc(now);
  OutboxFilter f;
  f.kind = kKind;
  f.state = "sent";
  if (now_ms) f.since = format_rfc3339_utc(*now_ms - int64_t{setup_.policy.repetition_days} * 86'400'000);
  std::vector<RecentReply> replies;
  auto st = store_.outbox_list(f, [&](OutboxRow&& r) {
    const json p = payload_of(r);
    RecentReply rr{r.case_id, str_or(p, "customer_id"), r.sent_at.value_or(r.created_at), "", {}};
    if (p.contains("post") && p["post"].is_object()) rr.text = str_or(p["post"], "text");
    if (p.contains("customer_names") && p["customer_names"].is_array())
      for (const auto& n : p["customer_names"])
        if (n.is_string()) rr.customer_names.push_back(n.get<std::string>());
    replies.push_back(std::move(rr));
    return ok_status();
  });
  if (!st) return st.error();
  recent_ = std::make_unique<RecentIndex>(replies);
  return recent_.get();
}

Result<ReplyOutcome> Replier::reply(const std::string& case_ref, const ReplyOptions& o) {
  auto first = read_case(case_ref);
  if (!first) return first.error();
  ReplyOutcome out;
  // A reply an earlier run left in flight goes first (or blocks this one).
  std::vector<OutboxRow> busy;
  if (!o.dry_run) {
    auto done = resume(o.now, first->id, &busy);
    if (!done) return done.error();
    for (const auto& d : *done) out.finished.push_back(d.key);
    if (!busy.empty()) return Error{Exit::conflict, outbox_busy_message(busy.front())};
  }
  auto c = read_case(first->id);
  if (!c) return c.error();
  const int64_t seen = o.seen_rev.value_or(first->rev);
  if (c->rev != seen && !o.force) {
    auto lines = o.seen_rev ? recent_events(*c, seen) : describe_changes(*first, *c);
    for (const auto& key : out.finished) lines.push_back("finished reply " + key + " that an earlier run left in flight");
    return changed_error(c->id, "rev " + std::to_string(seen) + " (now rev " + std::to_string(c->rev) + ")", lines,
                         "Read it again (socq case show " + c->id + "), or --force to reply anyway.");
  }
  std::string text = o.text;
  if (!o.template_name.empty()) {
    auto t = find_template(setup_.templates, o.template_name);
    if (!t) return t.error();
    auto filled = render_template(*t, template_values(*c, o.user));
    if (!filled) return filled.error();
    text = *filled;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return Error{Exit::usage, "the reply is empty: nothing to post"};
  auto req = plan_post(*c, text, o.is_private);
  if (!req) return req.error();
  out.case_id = c->id;
  out.number = c->number;
  out.text = req->text;
  out.is_public = req->is_public;
  out.visibility = req->visibility;
  out.in_reply_to = req->in_reply_to;
  out.author = o.user;

  ReplyDraft draft{req->text, c->channel, req->is_public, !has_outbound(*c), stored_limits(store_, *c), c->id, c->customer.id,
                   customer_names(*c), {}};
  for (const auto& m : c->messages)
    if (m.dir == Dir::out) draft.sent_on_case.emplace_back(m.text, m.at);
  auto index = recent(o.now);
  if (!index) return index.error();
  out.verdicts = run_checks(draft, setup_.policy, **index, o.overrides);
  out.approval = approval_needed(setup_.approval, *c);
  if (out.approval && may_approve(*out.approval, o.user)) out.approved_by = o.user;
  if (o.dry_run) {
    out.what = ReplyOutcome::What::dry_run;
    return out;
  }
  if (!may_post(out.verdicts)) {
    out.what = ReplyOutcome::What::refused;
    return out;
  }
  OutboxRow row = pending_row(c->id, kKind, reply_payload(*c, *req, out.approval), o.now, o.user);
  row.exclusive = true;
  const bool needs_draft = out.approval && !out.approved_by;
  if (needs_draft) {
    row.state = "draft";
    row.claimed_by.reset();
  } else if (out.approved_by) {
    row.approver = out.approved_by;
  }
  if (auto added = store_.outbox_add(row, c->rev); !added) {
    // The case changed between reading and recording: say how.
    auto now_case = read_case(c->id);
    if (added.error().code != Exit::conflict || !now_case || now_case->rev == c->rev) return added.error();
    return changed_error(c->id, "rev " + std::to_string(c->rev) + " (now rev " + std::to_string(now_case->rev) + ")",
                         describe_changes(*c, *now_case), "Read it again (socq case show " + c->id + "), or --force to reply anyway.");
  }
  out.key = row.key;
  recent_.reset();  // this reply counts against the next one (a bulk run)
  if (needs_draft) {
    out.what = ReplyOutcome::What::draft;
    return out;
  }
  auto posted = post_row(row, o.now);
  if (!posted) return posted.error();
  posted->verdicts = out.verdicts;
  posted->finished = out.finished;
  posted->approval = out.approval;
  posted->number = out.number;
  return posted;
}

Result<ReplyOutcome> Replier::post_row(const OutboxRow& row, const std::string& now) {
  const json p = payload_of(row);
  auto req = post_of_payload(row);
  if (!req) return req.error();
  auto channel = poster_.channel_for(str_or(p, "channel"), str_or(p, "account"));
  if (!channel) {
    (void)release_claim(store_, row, now);
    return channel.error();
  }
  const std::string author = row.author.value_or("socq");
  auto sent = send_through_outbox(store_, **channel, row, now, [&](Case& c, const Posted& posted) {
    return record_reply(c, *req, posted, author, row.approver, now);
  });
  if (!sent) return sent.error();
  ReplyOutcome out;
  out.what = ReplyOutcome::What::posted;
  out.case_id = row.case_id;
  out.text = req->text;
  out.is_public = req->is_public;
  out.visibility = req->visibility;
  out.in_reply_to = req->in_reply_to;
  out.posted = sent->posted;
  out.key = row.key;
  out.author = row.author;
  out.approved_by = row.approver;
  return out;
}

Result<std::vector<OutboxRow>> Replier::drafts() {
  std::vector<OutboxRow> rows;
  OutboxFilter f;
  f.kind = kKind;
  f.state = "draft";
  auto st = store_.outbox_list(f, [&](OutboxRow&& r) {
    rows.push_back(std::move(r));
    return ok_status();
  });
  if (!st) return st.error();
  return rows;
}

Result<ReplyOutcome> Replier::approve(const std::string& ref, const std::string& user, const std::string& now, bool force) {
  std::optional<OutboxRow> row;
  if (ref.rfind("socq-", 0) == 0) {
    auto got = store_.outbox_get(ref);
    if (!got) return got.error();
    if (!got->has_value() || (*got)->kind != kKind) return Error{Exit::data, "no reply draft " + ref + " in the store"};
    row = **got;
  } else {
    auto c = read_case(ref);
    if (!c) return c.error();
    OutboxFilter f;
    f.case_id = c->id;
    f.kind = kKind;
    f.state = "draft";
    std::vector<OutboxRow> found;
    auto st = store_.outbox_list(f, [&](OutboxRow&& r) {
      found.push_back(std::move(r));
      return ok_status();
    });
    if (!st) return st.error();
    if (found.empty()) return Error{Exit::data, "no reply draft awaits approval on case " + c->id};
    if (found.size() > 1) {
      std::string keys;
      for (const auto& r : found) keys += " " + r.key;
      return Error{Exit::usage, "case " + c->id + " has " + std::to_string(found.size()) + " drafts; name one:" + keys};
    }
    row = found.front();
  }
  if (row->state != "draft")
    return Error{Exit::conflict, "reply " + row->key + " is " + row->state + ", not a draft awaiting approval" +
                                     (row->approver ? " (approved by " + *row->approver + ")" : "")};
  const json p = payload_of(*row);
  auto need = need_of(p);
  if (need && !may_approve(*need, user))
    return Error{Exit::no_perm, user + " may not approve this reply: it needs approval by " + join_names(need->approvers) +
                                    (need->why.empty() ? "" : " (" + need->why + ")")};
  auto c = read_case(row->case_id);
  if (!c) return c.error();
  const int64_t drafted_at = p.contains("case_rev") && p["case_rev"].is_number_integer() ? p["case_rev"].get<int64_t>() : c->rev;
  if (c->rev != drafted_at && !force)
    return changed_error(c->id, "the draft was written at rev " + std::to_string(drafted_at) + " (now rev " + std::to_string(c->rev) + ")",
                         recent_events(*c, drafted_at), "Read it again, or --force to approve and post it anyway.");
  OutboxRow pending = *row;
  pending.state = "pending";
  pending.approver = user;
  pending.claimed_by = this_process();
  pending.updated_at = now;
  c->events.push_back(Event{now, user, "approved reply " + row->key + " by " + row->author.value_or("?"), {}});
  c->updated_at = now;
  c->touched();
  auto up = store_.outbox_update(pending, OutboxExpect{"draft", false, {}}, &*c);
  if (!up) return up.error();
  if (*up == OutboxUpdated::case_changed)
    return Error{Exit::conflict, "case " + c->id + " changed while approving; run --approve again"};
  if (*up == OutboxUpdated::row_moved) {
    auto again = store_.outbox_get(row->key);
    if (again && *again && (*again)->state == "draft")
      return Error{Exit::conflict, "another reply to case " + c->id + " is being sent; approve once it is out"};
    return Error{Exit::conflict, "reply " + row->key + " was approved or discarded meanwhile"};
  }
  auto posted = post_row(pending, now);
  if (!posted) return posted.error();
  posted->approval = need;
  posted->number = c->number;
  return posted;
}

Result<std::vector<ReplyOutcome>> Replier::resume(const std::string& now, const OptString& only_case,
                                                  std::vector<OutboxRow>* busy) {
  OutboxFilter f;
  f.case_id = only_case;
  f.kind = kKind;
  auto claimed = claim_orphans(store_, f, now, busy);
  if (!claimed) return claimed.error();
  std::vector<ReplyOutcome> done;
  for (const auto& row : *claimed) {
    auto posted = post_row(row, now);
    if (!posted) return Error{posted.error().code, "finishing reply " + row.key + " to case " + row.case_id + ": " + posted.error().message};
    done.push_back(std::move(posted).value());
  }
  return done;
}

}  // namespace socq::reply
