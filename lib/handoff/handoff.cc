#include "lib/handoff/handoff.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/handoff/followup.h"
#include "lib/handoff/smtp.h"
#include "lib/handoff/transcript.h"
#include "lib/handoff/webhook.h"
#include "lib/outbox.h"
#include "lib/spelling.h"

namespace socq::handoff {
namespace {

using json = nlohmann::json;

constexpr const char* kKeyExtra = "key";  // handoff.extra: the outbox key it came from

std::string quoted(const std::string& s) { return json(s).dump(); }

Result<Case> read_case(Store& store, const std::string& id) {
  auto got = store.get(id);
  if (!got) return got.error();
  if (!got->has_value()) return Error{Exit::data, "no case " + id};
  return std::move(**got);
}

// The owner a handoff gives the case: a person, a team, an address, a system.
OptString new_owner(const Target& t, const std::string& by) {
  if (t.kind == "owner") return t.name;
  if (t.kind == "dm") return by;
  return t.text();
}

const Calendar* calendar_for(const Deps& d, const Case& c, const Target& t) {
  if (t.kind == "team") {
    const Team* team = d.teams.team(t.name);
    return team && team->calendar ? &*team->calendar : nullptr;
  }
  return d.teams.calendar_of(c.team);
}

Record record_for(const Deps& d, const Case& c, const Request& r, const std::string& key) {
  Record rec{r.target, r.by, r.now, r.why, "", key, std::nullopt};
  rec.follow_up_due = follow_up_due(r.now, follow_up_seconds(d.config, r.target.text()), calendar_for(d, c, r.target));
  return rec;
}

json record_json(const Record& r) {
  return {{"to", r.target.text()}, {"by", r.by}, {"at", r.at}, {"why", r.why}, {"follow_up_due", r.follow_up_due}};
}

Result<Record> record_of(const OutboxRow& row, const json& payload) {
  // find(), never const operator[]: a missing key there reads freed memory.
  const json j = payload.is_object() && payload.contains("handoff") ? payload.at("handoff") : json();
  const auto to = j.is_object() ? j.find("to") : j.end();
  if (to == j.end() || !to->is_string())
    return Error{Exit::data, "outbox row " + row.key + " (case " + row.case_id + "): its payload has no handoff record"};
  auto target = parse_target(to->get<std::string>());
  if (!target) return target.error();
  // A member of another type reads as absent (json::value() would throw).
  const auto text = [&](const char* key, const std::string& otherwise) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : otherwise;
  };
  Record r{*target, text("by", ""), text("at", row.created_at), text("why", ""), text("follow_up_due", ""),
           row.key, std::nullopt};
  return r;
}

std::string summary_of(const Case& c, const Record& r) {
  std::string s = "handed off " + c.id + " to " + r.target.text();
  if (r.ref) s += " (ref " + *r.ref + ")";
  return s + ", follow up by " + r.follow_up_due;
}

bool has_message(const Case& c, const std::string& id) {
  return std::any_of(c.messages.begin(), c.messages.end(), [&](const Message& m) { return m.id == id || m.posted_id == id; });
}

// Our post, as the case records it: marked as the handoff's own.
Message own_post(const Case& c, const PostRequest& req, const Posted& p, const std::string& at) {
  Message m;
  m.id = p.id;
  m.dir = Dir::out;
  m.at = at;
  m.author = c.account;
  m.text = req.text;
  m.is_public = req.is_public;
  if (req.is_public) m.visibility = req.visibility;
  m.reply_to = req.in_reply_to;
  m.posted_id = p.id;
  m.extra.emplace_back(kHandoffPostMark, "true");
  return m;
}

// The customer's newest inbound public message: what the pointer answers.
const Message* last_public_inbound(const Case& c) {
  const Message* best = nullptr;
  for (const auto& m : c.messages)
    if (m.dir == Dir::in && m.is_public) best = &m;
  return best;
}

std::string fill_handle(std::string text, const Case& c) {
  const std::string handle = customer_at(c);
  for (size_t p; (p = text.find("{customer.handle}")) != std::string::npos;) text.replace(p, 17, handle);
  return text;
}

// A public post: the customer @mentioned unless the text does already.
std::string with_mention(const std::string& text, const Case& c) {
  if (!c.customer.handle) return text;
  const std::string at = customer_at(c);
  return text.find(at) != std::string::npos ? text : at + " " + text;
}

// A DM's text. Mastodon delivers a direct post only to the accounts it
// mentions, so there the customer must be @mentioned. Bluesky, X and
// Messenger send it to the recipient's id: an @mention would only address
// them like a stranger in public (on Bluesky even "@handle.invalid").
std::string dm_text(const std::string& text, const Case& c) {
  return c.channel == "mastodon" ? with_mention(text, c) : text;
}

Status add_row(Store& store, const OutboxRow& row, std::optional<int64_t> rev) { return store.outbox_add(row, rev); }

OutboxRow new_row(const Case& c, const std::string& kind, const std::string& key, const json& payload, const Request& r) {
  OutboxRow row = pending_row(c.id, kind, payload.dump(), r.now, r.by);
  row.key = key;
  row.exclusive = true;
  return row;
}

// After a send that did not go through: a refusal for good marks the row
// failed; anything that may have reached the far side leaves it for a later run.
Error after_failure(Store& store, const OutboxRow& row, const std::string& now, const Error& e, const std::string& what) {
  const bool for_good = e.code == Exit::data || e.code == Exit::no_perm || e.code == Exit::config;
  auto st = for_good ? mark_failed(store, row, now, e.message) : release_claim(store, row, now);
  std::string msg = e.message;
  if (!st) msg += " (and the outbox: " + st.error().message + ")";
  if (for_good) return Error{e.code, msg + "; the " + what + " was not sent"};
  return Error{Exit::temp_fail, msg + "; the " + what + " stays in the outbox: `socq handoff --resume` sends it again"};
}

template <class R>
Status as_status(const R& r) {
  if (!r) return r.error();
  return ok_status();
}

Status finish_sent(Store& store, const OutboxRow& row, const std::string& now, const json& result, const Record& rec) {
  return as_status(mark_sent(store, row, now, result.dump(), [&](Case& c) { return apply_handoff(c, rec); }));
}

// --- email ---

Result<OutboxRow> email_row(Deps& d, const Case& c, const Request& r) {
  if (!d.config.smtp) return Error{Exit::config, "--to email needs an [smtp] table in the config (url, tls, from, ...)"};
  const auto& smtp = *d.config.smtp;
  if (!is_valid_address(r.target.name)) return Error{Exit::usage, "--to email:ADDR: \"" + r.target.name + "\" is not an e-mail address"};
  if (!smtp.password.empty())  // a source we cannot read fails now, with nothing in flight
    if (auto pw = read_secret(smtp.password, "smtp password", d.env); !pw) return pw.error();
  const std::string key = new_idempotency_key();
  MailHeaders h{smtp.from, r.target.name, rfc5322_date(r.now), message_id_for(key, bare_address(smtp.from)),
                transcript_subject(c)};
  const std::string mail = build_mail(h, transcript_text(c, d.config.case_url, r.why), transcript_html(c, d.config.case_url, r.why));
  Record rec = record_for(d, c, r, key);
  json payload = {{"handoff", record_json(rec)}, {"from", bare_address(smtp.from)}, {"rcpt", {r.target.name}},
                  {"message_id", h.message_id}, {"mail", mail}};
  return new_row(c, "email", key, payload, r);
}

Status send_email_row(Deps& d, const OutboxRow& row, const std::string& now) {
  const json p = json::parse(row.payload, nullptr, false);
  auto rec = record_of(row, p);
  if (!rec) return rec.error();
  if (!d.config.smtp) return Error{Exit::config, "outbox row " + row.key + ": an e-mail, but the config has no [smtp] table"};
  std::string password;
  if (!d.config.smtp->password.empty()) {
    auto pw = read_secret(d.config.smtp->password, "smtp password", d.env);
    if (!pw) return after_failure(d.store, row, now, Error{Exit::unavailable, pw.error().message}, "e-mail");
    password = *pw;
  }
  MailEnvelope env{p.value("from", ""), p.value("rcpt", std::vector<std::string>{})};
  if (d.note) d.note("e-mail " + row.key + " to " + fmt::format("{}", fmt::join(env.rcpt, ", ")) + " via " + d.config.smtp->url);
  if (auto st = send_mail(*d.config.smtp, password, env, p.value("mail", "")); !st)
    return after_failure(d.store, row, now, st.error(), "e-mail");
  rec->ref = p.value("message_id", "");
  return finish_sent(d.store, row, now, json{{"message_id", *rec->ref}}, *rec);
}

// --- webhook ---

Vars template_vars(const Deps& d, const Case& c, const Request& r, const std::string& key) {
  return {{"case.id", c.id},
          {"case.url", case_link(d.config.case_url, c.id)},
          {"case.channel", c.channel},
          {"case.priority", c.priority.value_or("")},
          {"case.category", c.category.value_or("")},
          {"customer.handle", c.customer.handle ? customer_at(c) : ""},
          {"customer.name", c.customer.name.value_or("")},
          {"customer.id", c.customer.id},
          {"subject", transcript_subject(c)},
          {"transcript", transcript_text(c, d.config.case_url, r.why)},
          {"transcript.html", transcript_html(c, d.config.case_url, r.why)},
          {"why", r.why},
          {"by", r.by},
          {"key", key}};
}

const WebhookConfig* webhook_named(const Deps& d, const std::string& name) {
  auto it = d.config.webhooks.find(name);
  return it == d.config.webhooks.end() ? nullptr : &it->second;
}

Error unknown_name(const std::string& what, const std::string& name, const std::vector<std::string>& known) {
  std::string best;
  size_t best_d = 3;
  for (const auto& k : known)
    if (size_t dist = edit_distance(name, k); dist < best_d) best_d = dist, best = k;
  std::string msg = "no " + what + " \"" + name + "\" in the config";
  if (!best.empty()) msg += "; did you mean \"" + best + "\"?";
  else if (!known.empty()) msg += fmt::format(" (known: {})", fmt::join(known, ", "));
  return Error{Exit::usage, msg};
}

Result<OutboxRow> webhook_row(Deps& d, const Case& c, const Request& r) {
  const WebhookConfig* w = webhook_named(d, r.target.name);
  if (!w) {
    std::vector<std::string> known;
    for (const auto& [n, _] : d.config.webhooks) known.push_back(n);
    return unknown_name("webhook", r.target.name, known);
  }
  if (!w->secret.empty())
    if (auto s = read_secret(w->secret, "webhook " + w->name + " secret", d.env); !s) return s.error();
  const std::string key = new_idempotency_key();
  auto body = expand_template(w->body, template_vars(d, c, r, key), "webhook " + w->name + " (" + w->where + ")");
  if (!body) return body.error();
  json payload = {{"handoff", record_json(record_for(d, c, r, key))}, {"webhook", w->name}, {"body", *body}};
  return new_row(c, "webhook", key, payload, r);
}

Status send_webhook_row(Deps& d, const OutboxRow& row, const std::string& now) {
  const json p = json::parse(row.payload, nullptr, false);
  auto rec = record_of(row, p);
  if (!rec) return rec.error();
  const WebhookConfig* w = webhook_named(d, p.value("webhook", ""));
  if (!w) return Error{Exit::config, "outbox row " + row.key + ": webhook \"" + p.value("webhook", "") + "\" is no longer in the config"};
  std::string secret;
  if (!w->secret.empty()) {
    auto s = read_secret(w->secret, "webhook " + w->name + " secret", d.env);
    if (!s) return after_failure(d.store, row, now, Error{Exit::unavailable, s.error().message}, "ticket");
    secret = *s;
  }
  auto http = d.http();
  auto resp = http->send(webhook_request(*w, p.value("body", ""), secret, row.key));
  if (!resp) return after_failure(d.store, row, now, Error{Exit::unavailable, "webhook " + w->name + ": " + resp.error().message}, "ticket");
  auto answer = read_webhook_answer(*w, *resp);
  if (!answer) return after_failure(d.store, row, now, answer.error(), "ticket");
  if (!answer->ref.empty()) rec->ref = answer->ref;
  return finish_sent(d.store, row, now, json{{"status", answer->status}, {"ref", answer->ref}}, *rec);
}

// --- dm and its public pointer ---

Result<OutboxRow> dm_row(Deps& d, const Case& c, const Request& r) {
  if (!c.customer.handle && c.customer.id.empty()) return Error{Exit::data, "case " + c.id + " names no customer to message"};
  PostRequest req;
  req.text = dm_text(fill_handle(r.message.empty() ? d.config.dm_text : r.message, c), c);
  req.is_public = false;
  // X, Facebook and Bluesky send a DM to the customer's platform id;
  // Messenger's 24-hour window runs from the customer's last private message.
  if (!c.customer.id.empty()) req.recipient = c.customer.id;
  for (const auto& m : c.messages)
    if (m.dir == Dir::in && !m.is_public && (!req.customer_last_at || m.at > *req.customer_last_at))
      req.customer_last_at = m.at;
  // No private message from the customer yet: the DM answers their latest
  // public one (on Facebook a private reply to the comment; elsewhere the
  // recipient's id is enough).
  if (!req.customer_last_at)
    for (const auto& m : c.messages)
      if (m.dir == Dir::in && m.is_public && (!req.customer_last_at || m.at >= *req.customer_last_at))
        req.customer_last_at = m.at, req.private_reply_to = m.id;
  const std::string key = new_idempotency_key();
  json payload = {{"post", post_to_json(req)}, {"handoff", record_json(record_for(d, c, r, key))}};
  return new_row(c, kDmKind, key, payload, r);
}

Status send_pointer_row(Deps& d, const OutboxRow& row, const std::string& now) {
  auto c = read_case(d.store, row.case_id);
  if (!c) return c.error();
  auto ch = d.channel_for(*c);
  if (!ch) return after_failure(d.store, row, now, Error{Exit::unavailable, ch.error().message}, "public pointer");
  auto req = post_of_payload(row);
  if (!req) return req.error();
  auto sent = send_through_outbox(d.store, *ch->channel, row, now, [&](Case& k, const Posted& p) -> Result<bool> {
    if (has_message(k, p.id)) return false;
    k.messages.push_back(own_post(k, *req, p, now));
    k.updated_at = now;
    k.touched();
    return true;
  });
  if (!sent) return Error{sent.error().code, "the DM was sent, but the public pointer was not: " + sent.error().message};
  return ok_status();
}

// Records (if not yet) and sends the pointer of an accepted DM. A case with
// no public message from the customer needs none.
Status post_pointer(Deps& d, const OutboxRow& dm, const std::string& now) {
  const std::string key = dm.key + "-pointer";
  auto existing = d.store.outbox_get(key);
  if (!existing) return existing.error();
  if (*existing) return ok_status();  // recorded: sent, or a later resume finishes it
  auto c = read_case(d.store, dm.case_id);
  if (!c) return c.error();
  const Message* to = last_public_inbound(*c);
  if (!to) {
    if (d.note) d.note("case " + c->id + " has no public message from the customer: no public pointer needed");
    return ok_status();
  }
  PostRequest req;
  req.text = with_mention(fill_handle(d.config.dm_pointer, *c), *c);
  req.in_reply_to = to->posted_id.value_or(to->id);
  req.visibility = to->visibility;  // a followers-only post gets a followers-only pointer
  OutboxRow row = pending_row(c->id, kPointerKind, json{{"post", post_to_json(req)}, {"pointer_of", dm.key}}.dump(), now, dm.author);
  row.key = key;
  if (auto st = add_row(d.store, row, std::nullopt); !st) return st;
  return send_pointer_row(d, row, now);
}

Status send_dm_row(Deps& d, const OutboxRow& row, const std::string& now) {
  const json p = json::parse(row.payload, nullptr, false);
  auto rec = record_of(row, p);
  if (!rec) return rec.error();
  auto c = read_case(d.store, row.case_id);
  if (!c) return c.error();
  auto ch = d.channel_for(*c);
  if (!ch) return after_failure(d.store, row, now, Error{Exit::unavailable, ch.error().message}, "DM");
  auto req = post_of_payload(row);
  if (!req) return req.error();
  auto sent = send_through_outbox(d.store, *ch->channel, row, now, [&](Case& k, const Posted& posted) -> Result<bool> {
    bool changed = false;
    if (!has_message(k, posted.id)) {
      k.messages.push_back(own_post(k, *req, posted, now));
      changed = true;
    }
    Record r = *rec;
    r.ref = posted.id;
    auto applied = apply_handoff(k, r);
    if (!applied) return applied.error();
    if (changed && !*applied) k.touched();
    return changed || *applied;
  });
  if (!sent) {
    auto now_row = d.store.outbox_get(row.key);
    const bool refused = now_row && *now_row && (*now_row)->state == "failed";
    if (refused)
      return Error{sent.error().code, "the DM was refused: " + sent.error().message + "; nothing was posted in public"};
    return Error{Exit::temp_fail, "the DM may not have reached " + c->channel + ": " + sent.error().message +
                                      "; nothing was posted in public; `socq handoff --resume` sends it again with the same key"};
  }
  return post_pointer(d, row, now);
}

Status send_row(Deps& d, const OutboxRow& row, const std::string& now) {
  if (row.kind == "email") return send_email_row(d, row, now);
  if (row.kind == "webhook") return send_webhook_row(d, row, now);
  if (row.kind == kDmKind) return send_dm_row(d, row, now);
  if (row.kind == kPointerKind) return send_pointer_row(d, row, now);
  return Error{Exit::internal, "outbox row " + row.key + ": not a handoff kind: " + row.kind};
}

Result<Outcome> outcome_of(Store& store, const std::string& case_id, const Target& t) {
  auto c = read_case(store, case_id);
  if (!c) return c.error();
  std::string s = "handed off " + c->id + " to " + t.text();
  if (c->handoff) {
    if (c->handoff->ref) s += " (ref " + *c->handoff->ref + ")";
    if (c->handoff->follow_up_due) s += ", follow up by " + *c->handoff->follow_up_due;
  }
  return Outcome{std::move(*c), s};
}

Result<Outcome> hand_off_in_socq(Deps& d, Case c, const Request& r) {
  if (r.target.kind == "team" && !d.teams.team(r.target.name)) {
    std::vector<std::string> known;
    for (const auto& [n, _] : d.teams.teams) known.push_back(n);
    return unknown_name("team", r.target.name, known);
  }
  Record rec = record_for(d, c, r, "");
  if (auto applied = apply_handoff(c, rec); !applied) return applied.error();
  if (auto st = d.store.update(c); !st) return st.error();
  return Outcome{c, summary_of(c, rec)};
}

}  // namespace

Result<Target> parse_target(const std::string& s) {
  if (s == "dm") return Target{"dm", ""};
  const auto colon = s.find(':');
  const std::string kind = s.substr(0, colon);
  const std::string name = colon == std::string::npos ? "" : s.substr(colon + 1);
  const bool known = kind == "team" || kind == "owner" || kind == "email" || kind == "webhook";
  if (!known || name.empty())
    return Error{Exit::usage, "--to wants team:NAME, owner:NAME, dm, email:ADDR or webhook:NAME, not \"" + s + "\""};
  for (unsigned char ch : name)
    if (ch < 0x20 || ch == 0x7f) return Error{Exit::usage, "--to: the name holds a control character"};
  return Target{kind, name};
}

bool is_handoff_kind(const std::string& kind) {
  return kind == kDmKind || kind == "email" || kind == "webhook" || kind == kPointerKind;
}

Result<bool> apply_handoff(Case& c, const Record& r) {
  if (!r.key.empty() && c.handoff)
    for (const auto& [k, v] : c.handoff->extra)
      if (k == kKeyExtra && v == quoted(r.key)) return false;
  if (c.status != CaseStatus::handed_off)
    if (auto st = move_status(c, CaseStatus::handed_off, r.at, r.by, "handoff to " + r.target.text()); !st) return st.error();
  Handoff h;
  h.to = r.target.text();
  h.at = r.at;
  h.by = r.by;
  if (!r.why.empty()) h.why = r.why;
  h.ref = r.ref;
  h.owner = new_owner(r.target, r.by);
  h.follow_up_due = r.follow_up_due;
  if (!r.key.empty()) h.extra.emplace_back(kKeyExtra, quoted(r.key));
  c.handoff = std::move(h);
  if (r.target.kind == "owner") c.owner = r.target.name;
  if (r.target.kind == "team") {
    c.team = r.target.name;
    c.owner.reset();
  }
  if (r.target.kind == "dm" && !c.owner) c.owner = r.by;
  if (r.target.kind == "webhook" && r.ref) c.links.push_back(Link{"ticket", r.target.name + ":" + *r.ref, {}});
  std::string what = "handed off to " + r.target.text();
  if (r.ref) what += " (ref " + *r.ref + ")";
  if (!r.why.empty()) what += ": " + r.why;
  what += "; follow up by " + r.follow_up_due;
  c.events.push_back(Event{r.at, r.by, what, {}});
  c.updated_at = r.at;
  c.touched();
  return true;
}

Result<Outcome> hand_off(Deps& d, const Request& r) {
  auto got = read_case(d.store, r.case_id);
  if (!got) return got.error();
  Case c = std::move(*got);
  if (r.if_rev && *r.if_rev != c.rev)
    return Error{Exit::conflict, fmt::format("case {} is at rev {}, not {}: it changed since you read it (socq case show {})", c.id,
                                             c.rev, *r.if_rev, c.id)};
  if (c.status == CaseStatus::resolved || c.status == CaseStatus::closed)
    return Error{Exit::data, "case " + c.id + " is " + std::string(to_string(c.status)) + ": there is nothing to hand off"};
  if (r.target.kind == "team" || r.target.kind == "owner") return hand_off_in_socq(d, std::move(c), r);
  Result<OutboxRow> row = r.target.kind == "email"     ? email_row(d, c, r)
                          : r.target.kind == "webhook" ? webhook_row(d, c, r)
                                                       : dm_row(d, c, r);
  if (!row) return row.error();
  if (r.target.kind == "dm") {
    auto ch = d.channel_for(c);  // before recording: a channel we cannot reach is a config error, nothing in flight
    if (!ch) return ch.error();
  }
  if (auto st = add_row(d.store, *row, c.rev); !st) return st.error();
  if (auto st = send_row(d, *row, r.now); !st) return st.error();
  return outcome_of(d.store, c.id, r.target);
}

Result<Outcome> complete(Store& store, const std::string& case_id, const std::string& by, const std::string& now) {
  auto got = read_case(store, case_id);
  if (!got) return got.error();
  Case c = std::move(*got);
  if (!c.handoff) return Error{Exit::data, "case " + c.id + " has no handoff to complete"};
  if (c.handoff->completed_at)
    return Outcome{c, "handoff of " + c.id + " to " + c.handoff->to + " was already completed at " + *c.handoff->completed_at};
  c.handoff->completed_at = now;
  c.events.push_back(Event{now, by, "handoff to " + c.handoff->to + " completed", {}});
  c.updated_at = now;
  c.touched();
  if (auto st = store.update(c); !st) return st.error();
  return Outcome{c, "completed the handoff of " + c.id + " to " + c.handoff->to};
}

Result<ResumeReport> resume(Deps& d, const std::string& now) {
  ResumeReport rep;
  for (const char* kind : {kDmKind, "email", "webhook", kPointerKind}) {
    std::vector<OutboxRow> busy;
    OutboxFilter f;
    f.kind = kind;
    auto claimed = claim_orphans(d.store, f, now, &busy);
    if (!claimed) return claimed.error();
    rep.busy += busy.size();
    for (const auto& row : *claimed) {
      if (auto st = send_row(d, row, now); !st) rep.errors.push_back(st.error());
      else ++rep.finished;
    }
  }
  // Accepted DMs whose pointer a crash left unrecorded.
  std::vector<OutboxRow> sent_dms;
  OutboxFilter f;
  f.kind = kDmKind;
  f.state = "sent";
  auto listed = d.store.outbox_list(f, [&](OutboxRow&& r) {
    sent_dms.push_back(std::move(r));
    return ok_status();
  });
  if (!listed) return listed.error();
  for (const auto& dm : sent_dms) {
    auto existing = d.store.outbox_get(dm.key + "-pointer");
    if (!existing) return existing.error();
    if (*existing) continue;
    if (auto st = post_pointer(d, dm, now); !st) rep.errors.push_back(st.error());
    else ++rep.finished;
  }
  return rep;
}

}  // namespace socq::handoff
