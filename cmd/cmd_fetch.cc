// socq fetch: import cases from files (JSON Lines today); platform APIs and
// other export formats come with their issues.
#include <fmt/format.h>

#include "cmd/commands.h"
#include "lib/jsonl.h"
#include "lib/term.h"

namespace socq {
namespace {

struct FetchOptions {
  std::vector<std::string> from;
  std::string format = "auto";
  bool skip_bad = false;
};

std::string plural(size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

void report_skips(Context& ctx, const ReadStats& stats) {
  if (stats.skipped == 0) return;
  fmt::print(ctx.err, "socq: skipped {} (first: {})\n", plural(stats.skipped, "bad line"), stats.first_skip);
}

Status check_format(const FetchOptions& o) {
  if (o.format == "auto" || o.format == "jsonl") {
    for (const auto& f : o.from) {
      const bool jsonl = f == "-" || f.ends_with(".jsonl") || f.ends_with(".ndjson") || f.ends_with(".json");
      if (o.format == "auto" && !jsonl)
        return Error{Exit::unavailable, "not implemented yet: importing " + f +
                                            " (only JSON Lines of cases so far; name it with --format jsonl)"};
    }
    return ok_status();
  }
  return Error{Exit::unavailable, "not implemented yet: --format " + o.format + " (only jsonl so far)"};
}

int import_to_store(Context& ctx, const FetchOptions& o) {
  auto store = ctx.open_store(false);
  if (!store) return ctx.fail(store.error());
  auto batch = (*store)->begin_merge(ctx.now(), ctx.user());
  if (!batch) return ctx.fail(batch.error());
  ReadStats stats;
  for (const auto& f : o.from) {
    auto st = read_cases(f, {o.skip_bad}, stats, [&](Case&& c) { return (*batch)->add(std::move(c)); });
    if (!st) return ctx.fail(st.error());  // the batch rolls back: nothing reaches the store
  }
  auto merged = (*batch)->commit();
  if (!merged) return ctx.fail(merged.error());
  report_skips(ctx, stats);
  if (ctx.global.verbose || is_tty(ctx.err))
    ctx.note(fmt::format("fetch: read {}: {} created, {} updated, {} unchanged in {}", plural(stats.cases, "case"),
                         merged->created, merged->updated, merged->unchanged, ctx.store_path()));
  return 0;
}

int import_to_stdout(Context& ctx, const FetchOptions& o) {
  JsonlWriter out(ctx.out);
  ReadStats stats;
  for (const auto& f : o.from) {
    auto st = read_cases(f, {o.skip_bad}, stats, [&](Case&& c) {
      out.write(c);
      return ok_status();
    });
    if (!st) {
      (void)out.flush();
      return ctx.fail(st.error());
    }
  }
  if (auto st = out.flush(); !st) return ctx.fail(st.error());
  report_skips(ctx, stats);
  if (ctx.global.verbose) ctx.note(fmt::format("fetch: read {}", plural(stats.cases, "case")));
  return 0;
}

}  // namespace

Runner setup_fetch(CLI::App* sub, Context& ctx) {
  auto o = std::make_shared<FetchOptions>();
  sub->add_option("--from", o->from, "import from FILE ('-' for stdin); repeatable")->type_name("FILE");
  sub->add_option("--format", o->format, "input format: auto or jsonl")->type_name("FORMAT");
  sub->add_flag("--skip-bad", o->skip_bad, "skip bad lines (counted on stderr) instead of stopping");
  sub->footer(
      "With --store (or when writing to the store), cases are merged into it in one transaction;\n"
      "otherwise they go to stdout as JSON Lines. Stdin is read only when named as '-'.");
  return [o, &ctx] {
    if (o->from.empty()) return not_implemented(ctx, "fetching from platform APIs (import files with --from FILE)");
    if (auto st = check_format(*o); !st) return ctx.fail(st.error());
    return ctx.store_named() ? import_to_store(ctx, *o) : import_to_stdout(ctx, *o);
  };
}

}  // namespace socq
