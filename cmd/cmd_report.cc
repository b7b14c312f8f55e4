// socq report: metrics over cases in one streaming pass (lib/report/).
#include <fmt/format.h>

#include "cmd/commands.h"
#include "lib/case_blocks.h"
#include "lib/jsonl.h"
#include "lib/report/definitions.h"
#include "lib/report/period.h"
#include "lib/report/render.h"
#include "lib/report/report_files.h"
#include "lib/report/team_duty.h"
#include "lib/store_scan.h"
#include "lib/toml_file.h"
#include "lib/term.h"

namespace socq {
namespace {

struct ReportOptions {
  std::vector<std::string> files;
  std::string by, since, until, tz, explain, teams;
  std::vector<std::string> where;
  std::string format = "auto";
  size_t top = 10;
};

Result<report::ReportConfig> make_config(const ReportOptions& o, int64_t now_ms, const report::LocalTime& tz) {
  report::ReportConfig cfg;
  cfg.now_ms = now_ms;
  if (!o.by.empty()) cfg.by = *report::parse_group_by(o.by);
  for (const auto& w : o.where) {
    auto parsed = report::parse_where(w);
    if (!parsed) return parsed.error();
    cfg.where.push_back(*parsed);
  }
  for (auto [flag, arg, into] : {std::tuple{"--since", &o.since, &cfg.since_ms}, std::tuple{"--until", &o.until, &cfg.until_ms}}) {
    if (arg->empty()) continue;
    auto ms = report::parse_time_bound(flag, *arg, now_ms, tz);
    if (!ms) return ms.error();
    *into = *ms;
  }
  if (cfg.since_ms && cfg.until_ms && *cfg.since_ms >= *cfg.until_ms)
    return Error{Exit::usage, "--since must come before --until"};
  // Rising terms: [since, until) or the 7 days before until (or now).
  cfg.terms_to_ms = cfg.until_ms.value_or(now_ms);
  cfg.terms_from_ms = cfg.since_ms.value_or(cfg.terms_to_ms - 7 * 86400000LL);
  if (!o.explain.empty()) cfg.explain_top = o.top;
  return cfg;
}

// Cases from the named files, or from the store when none is named.
Status each_case(Context& ctx, const std::vector<std::string>& files, const std::function<Status(Case&&)>& on_case) {
  if (files.empty()) {
    // Open (and check) the store as every command does, then read it in
    // storage order: a report needs no queue order.
    auto store = ctx.open_store(true);
    if (!store) return store.error();
    return scan_sqlite_store(ctx.store_path(), on_case);
  }
  ReadStats stats;
  for (const auto& f : files)
    if (auto st = read_cases(f, {}, stats, on_case); !st) return st;
  return ok_status();
}

// The store's cases on two threads (each callback on its own).
Status each_case_two(Context& ctx, const std::function<Status(Case&&)>& first,
                     const std::function<Status(Case&&)>& second) {
  auto store = ctx.open_store(true);
  if (!store) return store.error();
  return scan_sqlite_store_two(ctx.store_path(), first, second);
}

// Teams, calendars and SLA policies: the config's, then --teams FILE's.
Result<TriageEnv> load_teams(Context& ctx, const std::string& teams_file) {
  auto env = load_triage_env_from_config(ctx.config());
  if (!env || teams_file.empty()) return env;
  auto root = parse_toml_file(teams_file);
  if (!root) return root.error();
  if (auto st = load_triage_env(*env, *root, teams_file); !st) return st.error();
  return env;
}

int run_report(Context& ctx, const ReportOptions& o) {
  if (!o.explain.empty() && !report::find_metric(o.explain)) {
    std::string names;
    for (const auto& d : report::metric_definitions()) names += (names.empty() ? "" : ", ") + std::string(d.name);
    return ctx.fail(Error{Exit::usage, "--explain: no metric \"" + o.explain + "\" (metrics: " + names + ")"});
  }
  auto env = load_teams(ctx, o.teams);
  if (!env) return ctx.fail(env.error());
  const TriageEnv env_copy = *env;  // for a second thread's report
  auto duty = std::make_unique<report::TeamDuty>(std::move(*env));
  // The zone: --tz, else the only team calendar's zone, else UTC.
  const std::string zone = !o.tz.empty() ? o.tz : !duty->single_zone().empty() ? duty->single_zone() : "UTC";
  auto tz = report::LocalTime::in_zone(zone);
  if (!tz) return ctx.fail(tz.error());
  auto cfg = make_config(o, ctx.clock->now_ms(), *tz);
  if (!cfg) return ctx.fail(cfg.error());
  report::Report rep(*cfg, *tz, std::move(duty));
  int64_t counted = 0;
  Status st = ok_status();
  if (o.explain.empty() && two_threads()) {  // two threads (--explain's ties want one order)
    report::Report spare(*cfg, *tz, std::make_unique<report::TeamDuty>(env_copy));
    if (!o.files.empty()) {
      st = report::add_files(rep, &spare, o.files, counted);
    } else {
      int64_t spare_counted = 0;
      st = each_case_two(ctx, [&](Case&& c) { return counted += rep.add(c), ok_status(); },
                         [&](Case&& c) { return spare_counted += spare.add(c), ok_status(); });
      rep.merge(spare);
      counted += spare_counted;
    }
  } else {
    st = each_case(ctx, o.files, [&](Case&& c) {
      counted += rep.add(c);
      return ok_status();
    });
  }
  if (!st) return ctx.fail(st.error());
  ctx.note(fmt::format("{} cases read, {} counted", rep.cases_seen(), counted));
  if (!o.explain.empty()) {
    fmt::print(ctx.out, "{}", report::render_explain(rep, o.explain));
    return 0;
  }
  const auto doc = report::report_json(rep, {ctx.now(), o.where});
  const bool table = o.format == "table" || (o.format == "auto" && is_tty(ctx.out));
  if (table) fmt::print(ctx.out, "{}", report::render_table(doc, use_colour(ctx.out)));
  else if (o.format == "csv") fmt::print(ctx.out, "{}", report::render_csv(doc));
  else if (o.format == "md") fmt::print(ctx.out, "{}", report::render_markdown(doc));
  else if (o.format == "html") fmt::print(ctx.out, "{}", report::render_html(doc));
  else fmt::print(ctx.out, "{}", report::render_json(doc));
  return std::fflush(ctx.out) == 0 ? 0 : ctx.fail(Error{Exit::io, "cannot write the report to stdout"});
}

}  // namespace

Runner setup_report(CLI::App* sub, Context& ctx) {
  auto o = std::make_shared<ReportOptions>();
  sub->add_option("files", o->files, "read cases from these files ('-' for stdin) instead of the store");
  sub->add_option("--by", o->by, "group by channel, account, team, owner, category, day or week (day and week in --tz)")
      ->check(CLI::IsMember({"channel", "account", "team", "owner", "category", "day", "week"}))
      ->type_name("FIELD");
  sub->add_option("--since", o->since,
                  "only cases whose first inbound message is at or after this: a date (midnight in --tz), an RFC "
                  "3339 UTC time, or a duration back from now (7d)")
      ->type_name("WHEN");
  sub->add_option("--until", o->until, "only cases whose first inbound message is before this (as --since)")
      ->type_name("WHEN");
  sub->add_option("--where", o->where,
                  "only cases with FIELD=VALUE (channel, account, team, owner, category, priority, status, tag; "
                  "VALUE - for none); repeatable: one field's values are alternatives, different fields all apply")
      ->type_name("FIELD=VALUE");
  sub->add_option("--tz", o->tz, "time zone for weekdays, hours, days and weeks (an IANA name); default: the zone of the only team "
                  "with a calendar, else UTC")
      ->type_name("ZONE");
  sub->add_option("--teams", o->teams,
                  "read teams (business-hours calendars) and SLA policies from this TOML file too (the [teams] "
                  "and [sla] tables, as in the config)")
      ->type_name("FILE");
  sub->add_option("--format", o->format, "auto (a table on a terminal, else json), table, json, csv, md or html (one self-contained page)")
      ->check(CLI::IsMember({"auto", "table", "json", "csv", "md", "html"}))
      ->type_name("FORMAT");
  sub->add_option("--explain", o->explain, "print METRIC's definition and the cases that weigh most on it")
      ->type_name("METRIC");
  sub->add_option("--top", o->top, "how many cases --explain lists (default 10)")->type_name("N");
  sub->footer(report::definitions_text());
  return [o, &ctx] { return run_report(ctx, *o); };
}

}  // namespace socq
