// socq handoff: hand a case to a team or owner, to the customer's private
// messages, to an e-mail address or to a ticketing system (lib/handoff/).
#include <fmt/format.h>

#include "cmd/commands.h"
#include "lib/handoff/channel_for.h"
#include "lib/handoff/handoff.h"
#include "lib/http_curl.h"
#include "lib/term.h"

namespace socq {
namespace {

struct HandoffOptions {
  std::string id, to, why, message;
  std::optional<int64_t> if_rev;
  bool complete = false, resume = false;
};

// Lines from the finished resume, for the agent; errors keep the worst code.
int report_resume(Context& ctx, const handoff::ResumeReport& rep, bool alone) {
  if (rep.finished) ctx.note(fmt::format("finished {} handoff send{} left in flight", rep.finished, rep.finished == 1 ? "" : "s"));
  if (rep.busy) ctx.note(fmt::format("{} handoff send{} still in flight in another process", rep.busy, rep.busy == 1 ? "" : "s"));
  if (alone && !rep.finished && !rep.busy && rep.errors.empty()) ctx.note("nothing in flight");
  int rc = 0;
  for (const auto& e : rep.errors) rc = ctx.fail(e);
  return rc;
}

int run_handoff(Context& ctx, const HandoffOptions& o) {
  if (o.resume && (o.complete || !o.to.empty()))
    return ctx.fail(Error{Exit::usage, "--resume works alone (it finishes every handoff left in flight)"});
  if (!o.resume && o.id.empty()) return ctx.fail(Error{Exit::usage, "name the case: socq handoff ID --to TARGET"});
  if (o.complete && !o.to.empty()) return ctx.fail(Error{Exit::usage, "--complete and --to do not mix"});
  if (!o.resume && !o.complete && o.to.empty())
    return ctx.fail(Error{Exit::usage, "say where to: --to team:NAME, owner:NAME, dm, email:ADDR or webhook:NAME"});
  std::optional<handoff::Target> target;
  if (!o.to.empty()) {
    auto t = handoff::parse_target(o.to);
    if (!t) return ctx.fail(t.error());
    target = *t;
  }
  if (!o.message.empty() && (!target || target->kind != "dm")) return ctx.fail(Error{Exit::usage, "--message is the DM's text: only with --to dm"});
  if (auto st = ctx.load_config(); !st) return ctx.fail(st.error());
  auto store = ctx.open_store(true);
  if (!store) return ctx.fail(store.error());
  if (o.complete) {
    auto done = handoff::complete(**store, o.id, ctx.user(), ctx.now());
    if (!done) return ctx.fail(done.error());
    ctx.note(terminal_safe_line(done->summary));
    return 0;
  }
  auto hc = handoff::load_handoff_config(ctx.config());
  if (!hc) return ctx.fail(hc.error());
  auto teams = load_triage_env_from_config(ctx.config());
  if (!teams) return ctx.fail(teams.error());
  std::function<void(const std::string&)> log;
  if (ctx.global.verbose && !ctx.global.quiet) log = [&ctx](const std::string& line) { ctx.note(terminal_safe_line(line)); };
  const std::string store_path = ctx.store_path();
  handoff::Deps deps{**store, *hc, *teams,
                     [&](const Case& c) { return handoff::open_channel(ctx.config(), c, store_path, log); },
                     [&] { return make_curl_client(CurlOptions{10000, log}); }, process_env, log};
  // Whatever an earlier run left in flight goes out first, with its own key.
  auto resumed = handoff::resume(deps, ctx.now());
  if (!resumed) return ctx.fail(resumed.error());
  const int resume_rc = report_resume(ctx, *resumed, o.resume);
  if (o.resume) return resume_rc;
  handoff::Request r{o.id, *target, o.why, ctx.user(), ctx.now(), o.message, o.if_rev};
  auto done = handoff::hand_off(deps, r);
  if (!done) return ctx.fail(done.error());
  ctx.note(terminal_safe_line(done->summary));
  return 0;
}

}  // namespace

Runner setup_handoff(CLI::App* sub, Context& ctx) {
  auto o = std::make_shared<HandoffOptions>();
  sub->add_option("id", o->id, "the case id, or its number (42 or #42)");
  sub->add_option("--to", o->to, "team:NAME, owner:NAME, dm, email:ADDR or webhook:NAME")->type_name("TARGET");
  sub->add_option("--why", o->why, "why it is handed off (kept in the case and sent along)")->type_name("TEXT");
  sub->add_option("--message", o->message, "--to dm: the private message (default: the config's dm_text)")->type_name("TEXT");
  sub->add_option("--if-rev", o->if_rev, "fail with exit 3 unless the case is still at this rev")->type_name("REV");
  sub->add_flag("--complete", o->complete, "the handoff of ID is done: record completed_at");
  sub->add_flag("--resume", o->resume, "finish every e-mail, ticket or DM an earlier run left in flight, and stop");
  sub->footer(
      "Every handoff records who, when, to where, why, the reference (Message-ID, ticket id, DM id), the new owner and "
      "a follow-up deadline in the case (handoff), adds an event and moves the case to handed_off. A handoff past its "
      "follow-up with no reply to the customer since is stalled: `socq case list --stalled`, `socq case due`, the "
      "queue and `socq report` show it. A reply to the customer, or `socq handoff --complete ID`, completes it.\n\n"
      "dm: the private message first (Mastodon: visibility direct, the customer @mentioned); only once it is accepted "
      "the short public pointer (dm_pointer). A refused DM posts nothing in public and exits non-zero.\n\n"
      "email and webhook go through the outbox: recorded with an idempotency key before they are sent, marked after. "
      "A send that may have reached the far side (no answer, a timeout, 5xx) stays in flight with exit 75; the next "
      "`socq handoff` (or --resume) sends it again with the same key: the same Message-ID for an e-mail, the same "
      "idempotency header for a webhook that names one. SMTP has no idempotency: a relay that took the mail but "
      "whose answer was lost gets it twice, with the same Message-ID so mail systems can fold it. A ticketing API "
      "without an idempotency header (Freshdesk, Jira) can make a second ticket in that case.\n\n" +
      std::string(handoff::kHandoffSyntax));
  return [&ctx, o] { return run_handoff(ctx, *o); };
}

}  // namespace socq
