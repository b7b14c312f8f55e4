// socq fetch: from the platform APIs of the configured accounts (into the
// store), or from files: JSON Lines of cases, the public data sets (twcs,
// ibm-cc) and CSV exports with a column mapping.
#include <filesystem>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "cmd/commands.h"
#include "lib/fetch.h"
#include "lib/import.h"
#include "lib/input_file.h"
#include "lib/jsonl.h"
#include "lib/term.h"

namespace socq {
namespace {

struct FetchOptions {
  std::vector<std::string> accounts;  // names; none: every configured account
  bool check = false;
  std::string since = "7d";
  std::string max_wait, timeout;      // durations; empty: config, else the defaults
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
  Sink(Context& ctx, MergeBatch* batch) : batch_(batch), out_(ctx.out), file_(ctx.out) {}
  Status put(Case&& c) {
    ++cases_;
    if (batch_) return batch_->add(std::move(c));
    out_.write(c);
    return ok_status();
  }
  Status flush() { return batch_ ? ok_status() : out_.flush(); }
  size_t cases() const { return cases_; }
  // Without a store, JSON Lines cases go out as they are (copy_cases): the
  // output stream, flushed, or null.
  std::FILE* pass_through() {
    if (batch_) return nullptr;
    (void)out_.flush();
    return file_;
  }
  void count(size_t n) { cases_ += n; }

 private:
  MergeBatch* batch_;
  JsonlWriter out_;
  std::FILE* file_;
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
  std::FILE* direct = sink.pass_through();
  auto st = direct ? copy_cases(path, {o.skip_bad}, stats, direct)
                   : read_cases(path, {o.skip_bad}, stats, [&](Case&& c) { return sink.put(std::move(c)); });
  if (direct) sink.count(stats.cases);
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
  ThreadStats threads;
  size_t cases = 0;
  const auto put = [&](Case&& c) {
    ++cases;
    return sink.put(std::move(c));
  };
  Status st = ok_status();
  if (format == ImportFormat::twcs) st = import_twcs(path, opts, stats, threads, put);  // streamed, thread by thread
  else if (format == ImportFormat::ibm_cc) st = read_ibm_cc(path, opts, stats, by_channel["x"]);
  else st = read_mapped_csv(path, mapping, opts, stats, by_channel);
  end_progress(ctx, opts.progress);
  if (!st) return st;
  for (auto& [channel, messages] : by_channel)
    if (auto built = build_cases(std::move(messages), channel, threads, put); !built) return built;
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

// A duration from the flag, else the config key, else the default.
Result<int64_t> duration_setting(Context& ctx, const std::string& flag, const char* flag_name, const char* key,
                                 int64_t fallback_ms) {
  std::string text = flag, where = flag_name;
  if (text.empty())
    if (auto s = ctx.config().get(key)) text = s->value, where = s->source + ": " + key;
  if (text.empty()) return fallback_ms;
  auto ms = parse_duration_ms(text);
  if (!ms || *ms <= 0)
    return Error{flag.empty() ? Exit::config : Exit::usage,
                 where + ": \"" + text + "\" is not a duration (like 90s, 5m, 1h)"};
  return *ms;
}

Result<FetchSettings> settings_of(Context& ctx, const FetchOptions& o) {
  FetchSettings s;
  auto since = parse_since(o.since, ctx.clock->now_ms());
  if (!since) return since.error();
  s.since_ms = *since;
  auto wait = duration_setting(ctx, o.max_wait, "--max-wait", "max_wait", s.policy.max_wait_ms);
  if (!wait) return wait.error();
  s.policy.max_wait_ms = *wait;
  auto timeout = duration_setting(ctx, o.timeout, "--timeout", "http_timeout", s.timeout_ms);
  if (!timeout) return timeout.error();
  s.timeout_ms = static_cast<int>(std::min<int64_t>(*timeout, 3'600'000));
  s.connect_timeout_ms = std::min(s.connect_timeout_ms, s.timeout_ms);
  s.check_only = o.check;
  s.now = ctx.now();
  return s;
}

std::string summary_of(const AccountResult& r) {
  return fmt::format("{} ({} {}): {}, {}, {}, {}, {}", r.name, r.channel, r.handle.empty() ? "?" : r.handle,
                     plural(r.new_messages, "new message"), plural(r.new_cases, "new case"),
                     plural(r.updated_cases, "updated case"), plural(r.pages, "page"), plural(r.http.waits, "wait"));
}

FetchHooks hooks_for(Context& ctx, std::mutex& say) {
  FetchHooks h;
  const bool quiet = ctx.global.quiet;
  if (ctx.global.verbose && !quiet)
    h.log = [&ctx, &say](const std::string& account, const std::string& line) {
      std::lock_guard lock(say);
      fmt::print(ctx.err, "socq: {}: {}\n", account, line);
    };
  if (!quiet && is_tty(ctx.err))
    h.progress = [&ctx, &say](const AccountResult& r) {
      std::lock_guard lock(say);
      fmt::print(ctx.err, "\r\033[K{}: {} read, {} so far", r.name, plural(r.items, "item"), plural(r.pages, "page"));
      std::fflush(ctx.err);
    };
  return h;
}

int run_api_fetch(Context& ctx, const FetchOptions& o) {
  auto accounts = select_accounts(ctx.config().accounts(), o.accounts);
  if (!accounts) return ctx.fail(accounts.error());
  auto settings = settings_of(ctx, o);
  if (!settings) return ctx.fail(settings.error());
  std::unique_ptr<Store> store;
  if (!o.check) {  // cursors live in the store: an API fetch always has one
    auto opened = ctx.open_store(false);
    if (!opened) return ctx.fail(opened.error());
    store = std::move(opened).value();
  }
  std::mutex say;
  const FetchHooks hooks = hooks_for(ctx, say);
  if (store) settings->store_path = ctx.store_path();
  const auto results = fetch_accounts(store.get(), *accounts, *settings, hooks);
  if (hooks.progress) fmt::print(ctx.err, "\r\033[K");
  int code = 0;
  for (const auto& r : results) {
    if (r.error) {
      const int c = ctx.fail(Error{r.error->code, r.name + ": " + r.error->message});
      if (!code) code = c;
    } else if (o.check) {
      ctx.note(fmt::format("{} ({} {}): credentials accepted", r.name, r.channel, r.handle));
    }
    if (!o.check && (!r.error || r.pages)) ctx.note(summary_of(r));
  }
  return code;
}

}  // namespace

Runner setup_fetch(CLI::App* sub, Context& ctx) {
  auto o = std::make_shared<FetchOptions>();
  sub->add_option("accounts", o->accounts, "the configured accounts to fetch (default: all of them)")->type_name("NAME");
  sub->add_flag("--check", o->check, "verify each account's credentials with its platform; fetch nothing (exit 77 if refused)");
  sub->add_option("--since", o->since,
                  "how far back a first run of an account goes: a date, an RFC 3339 time or a duration (default 7d)")
      ->type_name("WHEN");
  sub->add_option("--max-wait", o->max_wait,
                  "the longest wait for a rate limit (default: config max_wait, else 5m); a longer one exits 75")
      ->type_name("DURATION");
  sub->add_option("--timeout", o->timeout, "per-request timeout (default: config http_timeout, else 30s)")
      ->type_name("DURATION");
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
      "Without --from, socq fetches mentions and private messages of the configured accounts\n"
      "([accounts.NAME] in the config) from their platforms into the store (--store, else the\n"
      "default store), one thread per account. A first run goes back --since (default: the last\n"
      "7 days); later runs fetch what is new since the cursor stored for each account and stream.\n"
      "Every page is committed with its cursor in one transaction: a run stopped half-way resumes\n"
      "there, and messages are merged by id, so nothing is ever duplicated. Two runs at once on\n"
      "one store take turns: each transaction waits for the other (busy timeout 5 s); past that\n"
      "the run exits 75 (store is locked).\n"
      "Retries: 5xx answers, timeouts and dropped connections are retried 4 times with exponential\n"
      "backoff and jitter; a 429 is waited out until the reset time the platform names, up to\n"
      "--max-wait, else exit 75 naming the UTC time to try again. When the remaining request\n"
      "budget runs low, requests are spaced out up to the reset.\n"
      "Exit codes: 69 the platform is unreachable or failed after the retries; 65 its answer is\n"
      "not valid JSON or not of the documented shape (the message names the URL); 77 the token\n"
      "was refused; 75 rate limited beyond --max-wait, or the store is locked; 78 bad config.\n"
      "-v logs each request (method, URL with secrets masked, status, time); tokens never appear.\n"
      "A progress line per account shows on a terminal; -q prints nothing but errors. At the end\n"
      "one line per account: new messages, new cases, updated cases, pages, waits.\n"
      "Mastodon: mentions from /api/v1/notifications, direct messages from /api/v1/conversations;\n"
      "cases are mastodon:<acct@domain>:<root status id>, private ones mastodon:<acct@domain>:dm-<root id>.\n"
      "\n"
      "With --from and --store, cases are merged into the store in one transaction; otherwise they\n"
      "go to stdout as JSON Lines. Stdin is read only when named as '-'.\n"
      "Formats: jsonl (cases), twcs (Customer Support on Twitter CSV), ibm-cc (IBM customer care\n"
      "conversations, JSON), csv (any CSV export with --map or --mapping).");
  return [o, &ctx] {
    if (o->from.empty()) return run_api_fetch(ctx, *o);
    if (!o->accounts.empty() || o->check)
      return ctx.fail(Error{Exit::usage, "--from imports files; account names and --check are for fetching from the platforms"});
    return run_fetch(ctx, *o);
  };
}

}  // namespace socq
