// socq fetch: import cases from files: JSON Lines of cases, the public data
// sets (twcs, ibm-cc) and CSV exports with a column mapping. Platform APIs
// come with their issues.
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "cmd/commands.h"
#include "lib/import.h"
#include "lib/input_file.h"
#include "lib/jsonl.h"
#include "lib/term.h"

namespace socq {
namespace {

struct FetchOptions {
  std::vector<std::string> from;
  std::string format = "auto";
  bool skip_bad = false;
  std::vector<std::string> map;  // KEY=VALUE
  std::string mapping_file;
};

std::string plural(size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

// Where cases go: the store (one transaction for all files) or stdout.
class Sink {
 public:
  Sink(Context& ctx, MergeBatch* batch) : batch_(batch), out_(ctx.out) {}
  Status put(Case&& c) {
    ++cases_;
    if (batch_) return batch_->add(std::move(c));
    out_.write(c);
    return ok_status();
  }
  Status flush() { return batch_ ? ok_status() : out_.flush(); }
  size_t cases() const { return cases_; }

 private:
  MergeBatch* batch_;
  JsonlWriter out_;
  size_t cases_ = 0;
};

// A progress line on a terminal, for files big enough to wait for.
std::function<void(size_t)> progress_for(Context& ctx, const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size < (8u << 20) || ctx.global.quiet || !is_tty(ctx.err)) return {};
  return [&ctx, path, size](size_t done) {
    fmt::print(ctx.err, "\r{}: {:3d}%", path, static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(size)));
    std::fflush(ctx.err);
  };
}

void end_progress(Context& ctx, const std::function<void(size_t)>& progress) {
  if (progress) fmt::print(ctx.err, "\r\033[K");
}

void summarize_skips(Context& ctx, const std::string& path, size_t skipped, const std::string& first,
                     const std::map<std::string, size_t>& reasons = {}) {
  if (!skipped) return;
  std::string why;
  for (const auto& [reason, n] : reasons) why += fmt::format("{}{} {}", why.empty() ? "" : ", ", n, reason);
  fmt::print(ctx.err, "socq: {}: skipped {} ({}first: {})\n", path, plural(skipped, "bad record"),
             why.empty() ? "" : why + "; ", first);
}

Status import_jsonl(Context& ctx, const std::string& path, const FetchOptions& o, Sink& sink) {
  const std::string name = input_name(path);
  ReadStats stats;
  auto st = read_cases(path, {o.skip_bad}, stats, [&](Case&& c) { return sink.put(std::move(c)); });
  if (!st) return st;
  summarize_skips(ctx, name, stats.skipped, stats.first_skip);
  ctx.note(fmt::format("{}: {} read", name, plural(stats.cases, "case")));
  return ok_status();
}

Status import_messages(Context& ctx, const std::string& path, ImportFormat format, const CsvMapping& mapping,
                       const FetchOptions& o, Sink& sink) {
  const std::string name = input_name(path);
  ImportStats stats;
  ImportOptions opts{o.skip_bad, progress_for(ctx, path)};
  std::map<std::string, std::vector<ImportMessage>> by_channel;
  Status st = ok_status();
  if (format == ImportFormat::twcs) st = read_twcs(path, opts, stats, by_channel["x"]);
  else if (format == ImportFormat::ibm_cc) st = read_ibm_cc(path, opts, stats, by_channel["x"]);
  else st = read_mapped_csv(path, mapping, opts, stats, by_channel);
  end_progress(ctx, opts.progress);
  if (!st) return st;
  ThreadStats threads;
  size_t cases = 0;
  for (auto& [channel, messages] : by_channel) {
    auto built = build_cases(std::move(messages), channel, threads, [&](Case&& c) {
      ++cases;
      return sink.put(std::move(c));
    });
    if (!built) return built;
  }
  summarize_skips(ctx, name, stats.skipped, stats.first_skip, stats.skip_reasons);
  std::string line = fmt::format("{}: {} read, {} in {}", name, plural(stats.rows, format == ImportFormat::ibm_cc ? "conversation" : "row"),
                                 plural(threads.messages, "message"), plural(cases, "case"));
  if (threads.duplicates) line += fmt::format(", {} repeated (kept once)", plural(threads.duplicates, "message"));
  if (threads.orphan_replies)
    line += fmt::format(", {} whose parent is not in the file", (threads.orphan_replies == 1 ? std::string("1 reply") : std::to_string(threads.orphan_replies) + " replies"));
  ctx.note(line);
  return ok_status();
}

Result<CsvMapping> mapping_of(const FetchOptions& o) {
  CsvMapping m;
  if (!o.mapping_file.empty())
    if (auto st = load_mapping(o.mapping_file, m); !st) return st.error();
  for (const auto& kv : o.map) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) return Error{Exit::usage, "--map wants KEY=VALUE, not \"" + kv + "\""};
    if (auto st = set_mapping(m, kv.substr(0, eq), kv.substr(eq + 1)); !st) return st.error();
  }
  return m;
}

int run_fetch(Context& ctx, const FetchOptions& o) {
  auto mapping = mapping_of(o);
  if (!mapping) return ctx.fail(mapping.error());
  std::vector<ImportFormat> formats;
  for (const auto& f : o.from) {
    auto format = o.format == "auto" ? detect_format(f) : parse_format(o.format);
    if (!format) return ctx.fail(format.error());
    formats.push_back(*format);
  }
  std::unique_ptr<Store> store;
  std::unique_ptr<MergeBatch> batch;
  if (ctx.store_named()) {
    auto opened = ctx.open_store(false);
    if (!opened) return ctx.fail(opened.error());
    store = std::move(opened).value();
    auto begun = store->begin_merge(ctx.now(), ctx.user());
    if (!begun) return ctx.fail(begun.error());
    batch = std::move(begun).value();
  }
  Sink sink(ctx, batch.get());
  for (size_t i = 0; i < o.from.size(); ++i) {
    auto st = formats[i] == ImportFormat::jsonl ? import_jsonl(ctx, o.from[i], o, sink)
                                                : import_messages(ctx, o.from[i], formats[i], *mapping, o, sink);
    if (!st) {
      (void)sink.flush();
      return ctx.fail(st.error());  // a store batch rolls back: nothing reaches the store
    }
  }
  if (auto st = sink.flush(); !st) return ctx.fail(st.error());
  if (batch) {
    auto merged = batch->commit();
    if (!merged) return ctx.fail(merged.error());
    ctx.note(fmt::format("fetch: {}: {} created, {} updated, {} unchanged in {}", plural(sink.cases(), "case"),
                         merged->created, merged->updated, merged->unchanged, ctx.store_path()));
  }
  return 0;
}

}  // namespace

Runner setup_fetch(CLI::App* sub, Context& ctx) {
  auto o = std::make_shared<FetchOptions>();
  sub->add_option("--from", o->from, "import from FILE ('-' for stdin); repeatable")->type_name("FILE");
  sub->add_option("--format", o->format, "auto, jsonl, twcs, ibm-cc or csv (auto looks at the name and content)")
      ->check(CLI::IsMember({"auto", "jsonl", "twcs", "ibm-cc", "csv"}))
      ->type_name("FORMAT");
  sub->add_flag("--skip-bad", o->skip_bad, "skip bad records (counted on stderr) instead of stopping");
  sub->add_option("--map", o->map,
                  "CSV column mapping KEY=VALUE: id, author, at, text, inbound, parent, channel, account, name "
                  "(columns); channel_name, account_name, time_format, inbound_values (values)")
      ->type_name("KEY=VALUE");
  sub->add_option("--mapping", o->mapping_file, "CSV column mapping from a TOML file with the --map keys")
      ->type_name("FILE");
  sub->footer(
      "With --store, cases are merged into the store in one transaction; otherwise they go to\n"
      "stdout as JSON Lines. Stdin is read only when named as '-'.\n"
      "Formats: jsonl (cases), twcs (Customer Support on Twitter CSV), ibm-cc (IBM customer care\n"
      "conversations, JSON), csv (any CSV export with --map or --mapping).");
  return [o, &ctx] {
    if (o->from.empty()) return not_implemented(ctx, "fetching from platform APIs (import files with --from FILE)");
    return run_fetch(ctx, *o);
  };
}

}  // namespace socq
