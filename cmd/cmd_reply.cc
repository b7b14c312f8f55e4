// socq reply: a checked, approved, exactly-once reply to a case's customer
// (lib/reply/reply.h has the flow; this file parses arguments and prints).
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "lib/http_policy.h"
#include "lib/reply/input.h"
#include "lib/reply/reply.h"
#include "lib/term.h"

namespace socq {
namespace {

using json = nlohmann::json;
using reply::ReplyOutcome;

struct ReplyCli {
  std::string id, text, template_name, from;
  bool is_private = false, force = false, dry_run = false;
  bool allow_style = false, allow_pii = false, allow_repeat = false;
  int64_t rev = -1;
  bool pending = false, resume = false;
  std::string approve;
  std::string format = "text";
};

std::set<std::string> overrides_of(const ReplyCli& o) {
  std::set<std::string> s;
  if (o.allow_style) s.insert(reply::kAllowStyle);
  if (o.allow_pii) s.insert(reply::kAllowPii);
  if (o.allow_repeat) s.insert(reply::kAllowRepeat);
  return s;
}

std::string case_label(const ReplyOutcome& r) { return r.number ? "#" + std::to_string(r.number) + " " + r.case_id : r.case_id; }

json verdicts_json(const ReplyOutcome& r) {
  json a = json::array();
  for (const auto& v : r.verdicts)
    a.push_back({{"check", v.check}, {"passed", v.passed}, {"warn_only", v.warn_only}, {"overridden", v.overridden},
                 {"message", v.message}, {"override", v.override_flag}});
  return a;
}

json outcome_json(const ReplyOutcome& r) {
  static const char* kWhat[] = {"posted", "draft", "dry_run", "refused"};
  json j = {{"result", kWhat[static_cast<int>(r.what)]}, {"case", r.case_id}, {"text", r.text}, {"public", r.is_public},
            {"checks", verdicts_json(r)}};
  if (r.number) j["number"] = r.number;
  if (r.visibility) j["visibility"] = *r.visibility;
  if (r.in_reply_to) j["in_reply_to"] = *r.in_reply_to;
  if (!r.key.empty()) j["outbox_key"] = r.key;
  if (r.author) j["written_by"] = *r.author;
  if (r.approved_by) j["approved_by"] = *r.approved_by;
  if (r.approval) j["approvers"] = r.approval->approvers;
  if (r.posted) {
    j["posted_id"] = r.posted->id;
    if (r.posted->url) j["url"] = *r.posted->url;
  }
  if (!r.finished.empty()) j["finished_first"] = r.finished;
  return j;
}

void print_verdicts(Context& ctx, const ReplyOutcome& r, std::FILE* to) {
  for (const auto& v : r.verdicts) {
    const char* mark = v.passed ? "ok" : v.overridden ? "overridden" : v.warn_only ? "warn" : "FAIL";
    std::string line = fmt::format("  {:<10} {:<10} {}", v.check, mark, terminal_safe_line(v.message));
    if (!v.passed && !v.overridden && !v.override_flag.empty()) line += " (override: " + v.override_flag + ")";
    fmt::print(to, "{}\n", line);
  }
  (void)ctx;
}

// Who will see the reply. Mastodon's "private" is followers only, not a
// private message: said so, not to be read as one.
std::string audience(const ReplyOutcome& r) {
  if (!r.is_public) return "private";
  if (r.visibility == "private") return "followers only";
  if (r.visibility == "unlisted") return "unlisted";
  return "public";
}

// Prints one outcome; returns its exit code.
int report(Context& ctx, const ReplyCli& o, const ReplyOutcome& r) {
  for (const auto& key : r.finished) ctx.note("finished reply " + key + " that an earlier run left in flight");
  if (o.format == "json") {
    fmt::print(ctx.out, "{}\n", outcome_json(r).dump());
    return r.what == ReplyOutcome::What::refused || (r.what == ReplyOutcome::What::dry_run && !reply::may_post(r.verdicts)) ? as_int(Exit::data) : 0;
  }
  switch (r.what) {
    case ReplyOutcome::What::dry_run: {
      fmt::print(ctx.out, "dry run: reply to {} ({}{}), nothing posted:\n", terminal_safe_line(case_label(r)),
                 audience(r), r.in_reply_to ? ", in reply to " + *r.in_reply_to : "");
      fmt::print(ctx.out, "{}\n\nchecks:\n", terminal_safe(r.text));
      print_verdicts(ctx, r, ctx.out);
      if (r.approval)
        fmt::print(ctx.out, "approval: {}\n", r.approved_by ? "given by the writer (" + *r.approved_by + ")"
                                                           : "needed by " + reply::join_names(r.approval->approvers) + " (" + r.approval->why + ")");
      return reply::may_post(r.verdicts) ? 0 : as_int(Exit::data);
    }
    case ReplyOutcome::What::refused:
      fmt::print(ctx.err, "socq: reply to {} not posted: a check failed\n", terminal_safe_line(case_label(r)));
      print_verdicts(ctx, r, ctx.err);
      return as_int(Exit::data);
    case ReplyOutcome::What::draft:
      for (const auto& v : r.verdicts)
        if (!v.passed) ctx.note(fmt::format("{}: {}", v.check, terminal_safe_line(v.message)));
      if (!ctx.global.quiet)
        fmt::print(ctx.out, "draft stored, needs approval by {}: {} (socq reply --approve {})\n",
                   reply::join_names(r.approval->approvers), terminal_safe_line(case_label(r)), r.key);
      return 0;
    case ReplyOutcome::What::posted:
      for (const auto& v : r.verdicts)
        if (!v.passed) ctx.note(fmt::format("{} ({}): {}", v.check, v.overridden ? "overridden" : "warning", terminal_safe_line(v.message)));
      if (!ctx.global.quiet)
        fmt::print(ctx.out, "posted reply to {} ({})\n", terminal_safe_line(case_label(r)),
                   terminal_safe_line(r.posted && r.posted->url ? *r.posted->url : r.posted ? r.posted->id : ""));
      return 0;
  }
  return 0;
}

int list_pending(Context& ctx, reply::Replier& replier, const ReplyCli& o) {
  auto drafts = replier.drafts();
  if (!drafts) return ctx.fail(drafts.error());
  if (o.format == "json") {
    for (const auto& d : *drafts) {
      json p = json::parse(d.payload, nullptr, false);
      json j = {{"key", d.key}, {"case", d.case_id}, {"written_by", d.author.value_or("")}, {"at", d.created_at}};
      if (p.is_object()) {
        if (p.contains("post")) j["text"] = p["post"].value("text", "");
        if (p.contains("approvers")) j["approvers"] = p["approvers"];
      }
      fmt::print(ctx.out, "{}\n", j.dump());
    }
    return 0;
  }
  Table t{{"KEY", "CASE", "BY", "AT", "APPROVERS", "TEXT"}, {}, {0, 40, 0, 0, 24, 50}, terminal_columns(ctx.out)};
  for (const auto& d : *drafts) {
    json p = json::parse(d.payload, nullptr, false);
    std::string text, approvers;
    if (p.is_object() && p.contains("post") && p["post"].is_object()) text = p["post"].value("text", "");
    if (p.is_object() && p.contains("approvers") && p["approvers"].is_array())
      for (const auto& a : p["approvers"]) approvers += (approvers.empty() ? "" : ", ") + a.get<std::string>();
    t.rows.push_back({d.key, d.case_id, d.author.value_or(""), d.created_at, approvers, text});
  }
  fmt::print(ctx.out, "{}", render_table(t, use_colour(ctx.out)));
  ctx.note(fmt::format("{} draft{} awaiting approval", drafts->size(), drafts->size() == 1 ? "" : "s"));
  return 0;
}

Result<reply::PosterSettings> poster_settings(Context& ctx) {
  reply::PosterSettings s;
  for (const auto& [key, target] : {std::pair<const char*, int64_t*>{"max_wait", &s.policy.max_wait_ms}}) {
    if (auto v = ctx.config().get(key)) {
      auto ms = parse_duration_ms(v->value);
      if (!ms || *ms <= 0) return Error{Exit::config, v->source + ": " + key + ": \"" + v->value + "\" is not a duration (like 90s, 5m)"};
      *target = *ms;
    }
  }
  if (auto v = ctx.config().get("http_timeout")) {
    auto ms = parse_duration_ms(v->value);
    if (!ms || *ms <= 0) return Error{Exit::config, v->source + ": http_timeout: \"" + v->value + "\" is not a duration (like 30s)"};
    s.timeout_ms = static_cast<int>(std::min<int64_t>(*ms, 3'600'000));
    s.connect_timeout_ms = std::min(s.connect_timeout_ms, s.timeout_ms);
  }
  if (ctx.global.verbose && !ctx.global.quiet)
    s.log = [&ctx](const std::string& line) { fmt::print(ctx.err, "socq: {}\n", line); };
  return s;
}

// Text from the argument, the template, the editor (on a terminal) or nothing.
Result<std::string> text_of(Context& ctx, Store& store, const ReplyCli& o) {
  if (!o.text.empty() || !o.template_name.empty()) return o.text;
  if (!isatty(STDIN_FILENO))
    return Error{Exit::usage, "no reply text: give it as an argument, --template NAME, --from FILE, or run on a terminal for $EDITOR"};
  std::string intro = "Reply to case " + o.id + ". Lines starting with # are left out; an empty text posts nothing.";
  if (auto c = store.get(o.id); c && c->has_value()) {
    for (const auto& m : (*c)->messages)
      if (m.dir == Dir::in) intro = "Reply to case " + (*c)->id + ". Lines starting with # are left out; an empty text posts nothing.\n" +
                                    m.author + " wrote (" + m.at + "):\n" + terminal_safe(m.text);
  }
  (void)ctx;
  return reply::text_from_editor(intro);
}

int run_bulk(Context& ctx, reply::Replier& replier, const ReplyCli& o, reply::ReplyOptions base) {
  auto rows = reply::read_bulk(o.from);
  if (!rows) return ctx.fail(rows.error());
  int code = 0;
  size_t posted = 0, drafts = 0, failed = 0;
  for (const auto& row : *rows) {
    reply::ReplyOptions opt = base;
    opt.text = row.text;
    opt.template_name = row.template_name;
    auto r = replier.reply(row.case_ref, opt);
    int c = 0;
    if (!r) {
      c = ctx.fail(Error{r.error().code, row.where + ": case " + row.case_ref + ": " + r.error().message});
    } else {
      c = report(ctx, o, *r);
      if (r->what == ReplyOutcome::What::posted) ++posted;
      if (r->what == ReplyOutcome::What::draft) ++drafts;
    }
    if (c) {
      ++failed;
      if (!code) code = c;
    }
  }
  ctx.note(fmt::format("{}: {} posted, {} drafts, {} not posted", o.from, posted, drafts, failed));
  return code;
}

int run_reply(Context& ctx, const ReplyCli& o) {
  const int modes = !o.id.empty() + !o.from.empty() + o.pending + o.resume + !o.approve.empty();
  if (modes != 1)
    return ctx.fail(Error{Exit::usage, "say what to do: socq reply ID [TEXT], --from FILE, --pending, --approve ID or --resume (one of them)"});
  auto setup = reply::load_setup(ctx.config());
  if (!setup) return ctx.fail(setup.error());
  auto store = ctx.open_store(true);
  if (!store) return ctx.fail(store.error());
  auto settings = poster_settings(ctx);
  if (!settings) return ctx.fail(settings.error());
  settings->store_path = ctx.store_path();
  auto poster = reply::make_config_poster(ctx.config(), *settings);
  reply::Replier replier(**store, *poster, *setup);
  if (o.pending) return list_pending(ctx, replier, o);
  if (o.resume) {
    std::vector<OutboxRow> busy;
    auto done = replier.resume(ctx.now(), std::nullopt, &busy);
    if (!done) return ctx.fail(done.error());
    for (const auto& b : busy) ctx.note("still being sent by a running process: " + outbox_busy_message(b));
    for (const auto& r : *done) report(ctx, o, r);
    if (done->empty() && busy.empty()) ctx.note("nothing in flight");
    return 0;
  }
  if (!o.approve.empty()) {
    auto r = replier.approve(o.approve, ctx.user(), ctx.now(), o.force);
    if (!r) return ctx.fail(r.error());
    return report(ctx, o, *r);
  }
  reply::ReplyOptions opt;
  opt.is_private = o.is_private;
  if (o.rev >= 0) opt.seen_rev = o.rev;
  opt.force = o.force;
  opt.dry_run = o.dry_run;
  opt.overrides = overrides_of(o);
  opt.user = ctx.user();
  opt.now = ctx.now();
  if (!o.from.empty()) return run_bulk(ctx, replier, o, opt);
  auto text = text_of(ctx, **store, o);
  if (!text) return ctx.fail(text.error());
  opt.text = *text;
  opt.template_name = o.template_name;
  auto r = replier.reply(o.id, opt);
  if (!r) return ctx.fail(r.error());
  return report(ctx, o, *r);
}

}  // namespace

Runner setup_reply(CLI::App* sub, Context& ctx) {
  auto o = std::make_shared<ReplyCli>();
  sub->add_option("id", o->id, "the case: its id or its number (42 or #42)")->type_name("ID");
  sub->add_option("text", o->text, "the reply; none: --template, or $EDITOR on a terminal")->type_name("TEXT");
  sub->add_option("--template", o->template_name, "start from [reply.templates] NAME, filled from the case")->type_name("NAME");
  sub->add_option("--from", o->from, "replies in bulk from a JSON Lines or CSV file of (case, text)")->type_name("FILE");
  sub->add_flag("--private", o->is_private, "a private message instead of a public threaded reply (on Facebook, to a comment: Messenger's one private reply, within 7 days)");
  sub->add_option("--rev", o->rev, "the rev at which you read the case (case show prints it); exit 3 if it changed since")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--force", o->force, "post even if the case changed since you read it");
  sub->add_flag("--dry-run", o->dry_run, "show the text and each check's verdict; post nothing");
  sub->add_flag(reply::kAllowStyle, o->allow_style, "post despite the house-style check");
  sub->add_flag(reply::kAllowPii, o->allow_pii, "post despite personal data in a public reply");
  sub->add_flag(reply::kAllowRepeat, o->allow_repeat, "post despite a near-identical reply to other customers");
  sub->add_flag("--pending", o->pending, "list the drafts awaiting approval");
  sub->add_option("--approve", o->approve, "approve and post a draft: its key, or its case")->type_name("ID");
  sub->add_flag("--resume", o->resume, "finish every reply an earlier run left in flight");
  sub->add_option("--format", o->format, "text (default) or json: one JSON object per reply or draft")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  sub->footer(std::string(
      "A reply goes to the case's customer on the case's channel, with the account whose handle is the\n"
      "case's account ([accounts.NAME] in the config). Public by default, threaded under the customer's\n"
      "latest message; --private sends a direct message (Mastodon: visibility direct). On Mastodon every\n"
      "reply @mentions the customer first unless its text does: Mastodon notifies only the accounts a post\n"
      "mentions. A private conversation is always answered privately, and a public reply is never wider\n"
      "than the post it answers (Mastodon: followers-only gets a followers-only reply, unlisted an unlisted one).\n"
      "\n"
      "Text: the TEXT argument, --template NAME ([reply.templates] NAME = \"Hi {customer.name}, ...\"; variables\n"
      "{customer.name} {customer.handle} {agent} {reference} {case.id}; {{ and }} for braces), $VISUAL or $EDITOR\n"
      "when neither is given and stdin is a terminal, or --from FILE: JSON Lines {\"case\": ID, \"text\": \"...\"}\n"
      "(or \"template\": NAME), or CSV with a header naming columns case and text (or template). Each row is\n"
      "one reply with all the checks; a failed row is reported and the others go on (exit: the first failure).\n"
      "\n"
      "Exactly once: every reply is recorded in the store's outbox with an idempotency key BEFORE it is sent\n"
      "and marked after, in one transaction with the case. Retries (5xx, timeouts, 429) send the same\n"
      "Idempotency-Key, so the platform answers with the first post instead of making a second. A run that\n"
      "dies mid-post leaves the row in flight; the next `socq reply` on that case, or `socq reply --resume`,\n"
      "sends it again with its key (the platform returns the post it made) and records it on the case.\n"
      "\n"
      "Collisions: the rev you saw is --rev N (socq case show prints it), else the rev read at start. If the case\n"
      "changed since (a new message, another reply, another owner) the reply stops with exit 3 and shows what\n"
      "changed; --force posts anyway. While one reply to a case is in flight no other is started (exit 3).\n"
      "\n"
      "Approval: [[reply.approval]] rules with conditions category, priority, team (a string or a list; all\n"
      "given must match) and approvers = [\"name\", ...]. A reply to a matching case is stored as a draft\n"
      "(\"draft stored, needs approval by ...\"); socq reply --pending lists drafts; socq reply --approve KEY\n"
      "(or the case) by one of the approvers posts it (anyone else: exit 77). An approver's own reply posts\n"
      "directly. Who wrote and who approved a reply is kept in the outbound message (written_by,\n"
      "approved_by), its event and the outbox row.\n"
      "\n"
      "After posting, the case holds the outbound message (posted_id, author our handle, reply_to), status\n"
      "pending_customer, sla.first_response_at if it was the first reply, an owner (the writer) if it had\n"
      "none, and an event \"reply by X, approved by Y\"; its rev goes up by one.\n"
      "Output: \"posted reply to CASE (URL)\" on stdout; -q prints nothing on success (for cron);\n"
      "--format json prints one object per reply. Exit codes: 65 a check failed (nothing posted) or bad\n"
      "input, 3 the case changed or another reply is in flight, 77 not an approver or the token was\n"
      "refused, 69/75 the platform failed or rate-limited after the retries (the reply stays in flight for\n"
      "--resume), 78 bad config.\n\n") + reply::kReplyChecks);
  return [&ctx, o] {
    if (auto st = ctx.load_config(); !st) return ctx.fail(st.error());
    return run_reply(ctx, *o);
  };
}

}  // namespace socq
