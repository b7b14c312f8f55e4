// socq triage: rules, PII and SLA clocks over cases from files (a filter)
// or, in place, over the store's cases changed since they were last triaged.
#include <fmt/format.h>

#include <filesystem>

#include "cmd/commands.h"
#include "lib/jsonl.h"
#include "lib/triage/away_store.h"
#include "lib/triage/sla.h"
#include "lib/triage/teams.h"
#include "lib/triage/triage.h"
#include "lib/triage/triage_files.h"

namespace socq {
namespace {

struct TriageOptions {
  std::vector<std::string> files;
  std::string rules;
  std::string explain;
};

constexpr size_t kBatch = 500;  // cases a store transaction
constexpr int kRetries = 3;     // re-reads of a case changed while we triaged it

// --rules, else the config's `rules` (relative to the file that set it).
std::string rules_path(Context& ctx, const TriageOptions& o) {
  if (!o.rules.empty()) return o.rules;
  auto s = ctx.config().get("rules");
  if (!s || s->value.empty()) return "";
  std::filesystem::path p(s->value);
  const auto colon = s->source.rfind(':');
  if (p.is_relative() && colon != std::string::npos && s->source.rfind("env ", 0) != 0)
    p = std::filesystem::path(s->source.substr(0, colon)).parent_path() / p;
  return p.string();
}

int run_files(Context& ctx, const TriageOptions& o, const TriageSetup& setup) {
  TriageCount count;
  if (auto st = triage_files(setup, ctx.now(), o.files, ctx.out, count); !st) return ctx.fail(st.error());
  ctx.note(fmt::format("socq triage: {} cases, {} changed", count.read.cases, count.changed));
  return 0;
}

// One batch into the store; ids changed meanwhile come back for a retry.
Result<std::vector<std::string>> triage_batch(Store& store, Triager& triager, const std::vector<std::string>& ids,
                                              size_t& looked, size_t& changed) {
  std::vector<Case> batch;
  size_t batch_changed = 0;
  for (const auto& id : ids) {
    auto c = store.get(id);
    if (!c) return c.error();
    if (!c->has_value()) continue;
    batch_changed += triager.triage(**c);
    batch.push_back(std::move(**c));
  }
  auto conflicts = store.save_triaged(batch);
  if (!conflicts) return conflicts.error();
  looked += batch.size() - conflicts->size();
  changed += batch_changed;
  return conflicts;
}

int run_store(Context& ctx, Triager& triager) {
  auto store = ctx.open_store(false);
  if (!store) return ctx.fail(store.error());
  auto ids = (*store)->untriaged();
  if (!ids) return ctx.fail(ids.error());
  size_t looked = 0, changed = 0;
  std::vector<std::string> retry;
  for (size_t i = 0; i < ids->size(); i += kBatch) {
    const std::vector<std::string> part(ids->begin() + static_cast<long>(i),
                                        ids->begin() + static_cast<long>(std::min(ids->size(), i + kBatch)));
    auto conflicts = triage_batch(**store, triager, part, looked, changed);
    if (!conflicts) return ctx.fail(conflicts.error());
    retry.insert(retry.end(), conflicts->begin(), conflicts->end());
  }
  for (int round = 0; round < kRetries && !retry.empty(); ++round) {
    auto conflicts = triage_batch(**store, triager, retry, looked, changed);
    if (!conflicts) return ctx.fail(conflicts.error());
    retry = std::move(*conflicts);
  }
  ctx.note(fmt::format("socq triage: looked at {} changed cases, changed {}", looked, changed));
  if (!retry.empty())
    return ctx.fail(Error{Exit::conflict, fmt::format("{} case(s) kept changing while triaged (first: {}); run triage again",
                                                      retry.size(), printable(retry.front()))});
  return 0;
}

int run_explain(Context& ctx, const TriageOptions& o, Triager& triager) {
  std::optional<Case> found;
  if (!o.files.empty()) {
    ReadStats stats;
    for (const auto& f : o.files) {
      auto st = read_cases(f, {}, stats, [&](Case&& c) {
        if (c.id == o.explain) found = std::move(c);
        return ok_status();
      });
      if (!st) return ctx.fail(st.error());
    }
    if (!found) return ctx.fail(Error{Exit::data, "no case " + printable(o.explain) + " in the files given"});
  } else {
    auto store = ctx.open_store(true);
    if (!store) return ctx.fail(store.error());
    auto c = (*store)->get(o.explain);
    if (!c) return ctx.fail(c.error());
    if (!c->has_value()) return ctx.fail(Error{Exit::data, "no case " + printable(o.explain) + " in " + ctx.store_path()});
    found = std::move(**c);
  }
  fmt::print(ctx.out, "{}", triager.explain(*found));
  return 0;
}

int run_triage(Context& ctx, const TriageOptions& o) {
  if (auto st = ctx.load_config(); !st) return ctx.fail(st.error());
  if (!o.files.empty() && ctx.store_named() && o.explain.empty())
    return ctx.fail(Error{Exit::usage, "give files (a filter to stdout) or --store (in place), not both; "
                                       "to triage files into a store, socq fetch --from them first"});
  // The whole setup is checked before any case is read or touched.
  auto setup = load_triage_setup(ctx.config(), rules_path(ctx, o));
  if (!setup) return ctx.fail(setup.error());
  if (o.files.empty() && std::filesystem::exists(ctx.store_path())) {  // on the store: its away agents too
    auto store = ctx.open_store(true);
    if (!store) return ctx.fail(store.error());
    if (auto st = add_store_away(setup->env, **store); !st) return ctx.fail(st.error());
  }
  Triager triager(*setup, ctx.now());
  if (!o.explain.empty()) return run_explain(ctx, o, triager);
  if (!o.files.empty()) return run_files(ctx, o, *setup);
  return run_store(ctx, triager);
}

}  // namespace

Runner setup_triage(CLI::App* sub, Context& ctx) {
  auto o = std::make_shared<TriageOptions>();
  sub->add_option("files", o->files, "triage cases from these files ('-' for stdin) to stdout instead of the store")
      ->type_name("FILE");
  sub->add_option("--rules", o->rules, "the rules file (default: config key rules)")->type_name("FILE");
  sub->add_option("--explain", o->explain, "show every rule, whether it matched this case and why; change nothing")
      ->type_name("ID");
  sub->footer(std::string(kRulesSyntax) + "\n\n" + kTeamsSyntax + "\n\n" + kSlaDefinitions);
  return [&ctx, o] { return run_triage(ctx, *o); };
}

}  // namespace socq
