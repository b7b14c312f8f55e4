#include "cmd/commands.h"

#include <filesystem>

#include <fmt/format.h>

#include "cmd/docs.h"
#include "lib/exit_codes.h"
#include "lib/spelling.h"
#include "lib/sqlite_dl.h"
#include "lib/timefmt.h"

namespace socq {

const std::vector<CommandInfo>& command_table() {
  static const std::vector<CommandInfo> table{
      {"fetch", "pull messages from platform APIs or import exports; group them into cases",
       "Without --from, fetches mentions and private messages of the configured accounts (all, or those named) "
       "from their platforms into the store, concurrently, each page committed with its cursor so a stopped run "
       "resumes where it was and nothing is duplicated (Mastodon, Bluesky, X and Facebook Pages). "
       "Imports cases. With --from, reads files: JSON Lines of cases (passed through byte for byte when valid), "
       "the public data sets \"Customer Support on Twitter\" (twcs) and IBM customer care (ibm-cc), and any CSV "
       "export with a column mapping. Loose messages are rebuilt into threads from their reply links: one case per "
       "brand account, thread root and customer; a reply whose parent is not known starts its own case. Reading is "
       "strict: the first bad record stops the command with file:line and the field at fault (exit 65) before "
       "anything reaches the store; --skip-bad skips bad records and counts them. Into a store, all files merge in "
       "one transaction: messages united by id, so importing the same file again changes nothing.",
       setup_fetch},
      {"triage", "set category, priority, team and owner by rules; SLA clocks",
       "Applies a rules file (--rules, or the config key rules) to cases: named rules in order, each with conditions on "
       "the customer's text (keywords on Unicode word boundaries, RE2 regexes), channel, account, customer, followers, "
       "language, status, age, business hours, tags and fields, and actions that set category, priority, team, owner "
       "and tags; each change is an event naming the rule. Finds PII (e-mail, phone, card and account numbers) in "
       "public messages and records its kinds, never its values; then sets the SLA clocks. As a filter it reads the "
       "files named ('-' for stdin) and writes JSON Lines; without files it works in place on the store, looking only "
       "at cases changed since it last saw them. Triaging twice changes nothing the second time. A rules file with any "
       "error is refused whole (exit 78) before any case is touched. The rules syntax, the teams and SLA tables and "
       "the SLA clock definitions are in NOTES.",
       setup_triage},
      {"reply", "post a threaded reply after checks",
       "Replies to a case's customer on its channel: checked (length, style, PII, repetition), approved where the config says, posted exactly once through the store's outbox.",
       setup_reply},
      {"handoff", "move a case to a team, a private channel, e-mail or a ticketing system",
       "Hands a case on with an owner and a follow-up deadline: --to team:NAME or owner:NAME (in the store), dm "
       "(a private message to the customer on the case's platform, then a public pointer to it), email:ADDRESS "
       "(the case's transcript over SMTP with TLS) or webhook:NAME (a JSON template posted to a ticketing system). "
       "Posts go out exactly once through the store's outbox (--resume finishes a stopped run); a handoff past its "
       "follow-up with no reply to the customer is stalled (case list --stalled); --complete closes it.",
       setup_handoff},
      {"report", "response times, SLA attainment, coverage gaps, top issues",
       "Computes the metrics an ops lead and the business need in one streaming pass over cases: the files named "
       "('-' for stdin), else the store. Cases are read one at a time; memory grows only with the samples kept for "
       "exact quantiles (8 bytes per response time, resolution time or backlog age: tens of millions fit), the "
       "counts of categories, tags and terms, and one entry per group. Business time and duty hours come from the "
       "teams' calendars (the config's [teams] table or --teams FILE); without one the report says \"no calendar "
       "configured\". On a terminal the output is a table with sparklines and bars; otherwise JSON (\"version\": 1, "
       "documented in docs/report.md); --format csv gives one row per group and metric (group,metric,value; the "
       "metric is the JSON path) and --format md a digest to mail. Exit codes: 2 for a bad option, 65 for a bad "
       "case line, 66 for a missing file or store, 78 for a bad teams file. Each metric is defined once, under "
       "NOTES.",
       setup_report},
      {"case", "list, show, assign and resolve cases",
       "What a person needs between the automated steps. list and show read the store (or the files named); on a "
       "terminal they print a table, otherwise JSON Lines. assign and resolve edit one case in the store, checked "
       "against the rev it was read at: if someone else changed it meanwhile, the edit fails with exit 3 and says "
       "what changed. Every edit adds an event naming who and why.",
       setup_case},
      {"config", "show and check the configuration",
       "show prints the effective configuration and where each value came from (system file, user file, "
       "environment, flag); tokens are never printed, only where they come from. check validates the whole "
       "configuration, including each account's token source and its file permissions, without contacting any "
       "server: exit 0, 77 (a token missing or readable by others) or 78 (bad configuration).",
       setup_config},
  };
  return table;
}

Status Context::load_config() {
  if (config_) return ok_status();
  auto loaded = socq::load_config(global.config);
  if (!loaded) return loaded.error();
  config_ = std::move(loaded).value();
  return ok_status();
}

const MapConfig& Context::config() {
  if (!config_) config_ = MapConfig{};  // only before load_config(): tests
  return *config_;
}

std::string Context::user() { return resolve_user(config()); }
std::string Context::store_path() { return resolve_store_path(global.store, config()); }

Result<std::unique_ptr<Store>> Context::open_store(bool must_exist) {
  const std::string path = store_path();
  if (must_exist && !std::filesystem::exists(path))
    return Error{Exit::no_input, path + ": no store here yet; import cases first (socq fetch --from FILE --store " +
                                     path + ")"};
  int busy_ms = 5000;
  if (auto v = process_env("SOCQ_BUSY_TIMEOUT_MS")) busy_ms = std::atoi(v->c_str());
  if (auto st = load_libsqlite(); !st) return st.error();  // loaded here, not at start (lib/sqlite_dl.h)
  return open_sqlite_store(path, busy_ms);
}

int Context::fail(const Error& e) {
  fmt::print(err, "socq: {}\n", e.message);
  return as_int(e.code);
}

void Context::note(const std::string& line) {
  if (!global.quiet) fmt::print(err, "{}\n", line);
}

int not_implemented(Context& ctx, const std::string& what) {
  return ctx.fail(Error{Exit::unavailable, "not implemented yet: " + what});
}

namespace {

// The known commands `word` may be a typo or an abbreviation of.
std::vector<std::string> close_commands(const std::string& word) {
  std::vector<std::string> prefixed, near;
  size_t best = 3;  // edits
  for (const auto& c : command_table()) {
    const std::string name = c.name;
    if (name.rfind(word, 0) == 0) prefixed.push_back(name);
    const size_t d = edit_distance(word, name);
    if (d < best) best = d, near.clear();
    if (d == best) near.push_back(name);
  }
  return prefixed.empty() ? near : prefixed;
}

std::string suggestion(const std::string& word) {
  const auto close = close_commands(word);
  if (close.empty()) return "";
  std::string s = ". Did you mean '" + close[0] + "'";
  for (size_t i = 1; i < close.size(); ++i) s += (i + 1 == close.size() ? " or '" : ", '") + close[i] + "'";
  return s + "?";
}

// For a mistyped option: "unknown option '--frm' for 'socq fetch'. Did you
// mean '--from'?", from the options of the command named on the line and
// the global ones. Empty when there is no unknown option to name.
std::string unknown_option_hint(const CLI::App& app, int argc, char** argv) {
  std::vector<const CLI::App*> chain{&app};
  std::string path = "socq";
  for (int i = 1; i < argc; ++i) {
    const std::string w = argv[i];
    if (w.rfind("-", 0) != 0) {
      for (const CLI::App* sub : chain.back()->get_subcommands([](const CLI::App*) { return true; }))
        if (sub->get_name() == w) {
          chain.push_back(sub);
          path += " " + w;
          break;
        }
      continue;
    }
    const std::string name = w.substr(0, w.find('='));
    std::vector<std::string> known;
    bool found = false;
    for (const CLI::App* a : chain)
      for (const CLI::Option* o : a->get_options()) {
        found |= o->check_name(name);
        for (const auto& l : o->get_lnames()) known.push_back("--" + l);
      }
    if (found) continue;
    std::string best;
    size_t best_d = 3;
    for (const auto& k : known)
      if (const size_t d = edit_distance(name, k); d < best_d || (k.rfind(name, 0) == 0 && name.size() > 2)) {
        best = k;
        best_d = k.rfind(name, 0) == 0 ? 0 : d;
      }
    return fmt::format("unknown option '{}' for '{}'{}", name, path, best.empty() ? "" : ". Did you mean '" + best + "'?");
  }
  return "";
}

bool is_command(const std::string& word) {
  if (word == "help") return true;
  for (const auto& c : command_table())
    if (word == c.name) return true;
  return false;
}

std::string exit_codes_text() {
  std::string out = "Exit codes:\n";
  for (const auto& e : exit_code_table())
    out += fmt::format("  {:>3}  {:<14} {}\n", as_int(e.code), e.name, e.meaning);
  return out;
}

// socq help [COMMAND | exit-codes]
int show_help(const CLI::App& app, const std::string& topic) {
  if (topic.empty()) {
    fmt::print("{}", app.help());
  } else if (topic == "exit-codes") {
    fmt::print("{}", exit_codes_text());
  } else if (is_command(topic) && topic != "help") {
    fmt::print("{}", app.get_subcommand(topic)->help());
  } else {
    fmt::print(stderr, "socq: no help topic '{}'{}\n", topic, suggestion(topic));
    return as_int(Exit::usage);
  }
  return 0;
}

// Runs the chosen command once the config is known to be good.
int run_command(Context& ctx, const Runner& run) {
  // Set but empty would silently mean the default store: say so instead.
  if (const char* env_store = std::getenv("SOCQ_STORE"); env_store && !*env_store)
    return ctx.fail(Error{Exit::usage, "SOCQ_STORE is set but empty: name a store file, or unset it for the default"});
  if (auto st = ctx.load_config(); !st) return ctx.fail(st.error());
  if (ctx.global.verbose && !ctx.global.quiet) {
    const auto& files = ctx.config().files;
    fmt::print(ctx.err, "socq: config {}; store {}; user {}\n",
               files.empty() ? "none" : fmt::format("{}", fmt::join(files, ", ")), ctx.store_path(), ctx.user());
  }
  try {
    return run();
  } catch (const std::exception& e) {
    // Errors are values; an exception reaching here is a bug.
    return ctx.fail(Error{Exit::internal, std::string("internal error (please report): ") + e.what()});
  }
}

std::unique_ptr<Clock> make_clock() {
  // SOCQ_NOW pins the time (RFC 3339) so tests and demos are reproducible.
  if (auto now = process_env("SOCQ_NOW"))
    if (auto ms = parse_rfc3339_utc(*now)) return std::make_unique<FixedClock>(*ms);
  return std::make_unique<SystemClock>();
}

}  // namespace

int run_cli(int argc, char** argv) {
  Context ctx;
  ctx.clock = make_clock();
  CLI::App app{"socq: social customer service operations from the command line"};
  app.name("socq");
  app.set_version_flag("--version", std::string("socq ") + SOCQ_VERSION);
  app.add_option("--store", ctx.global.store, "the case store (SQLite file); default $SOCQ_STORE, "
                                              "config `store`, $XDG_DATA_HOME/socq/socq.db")
      ->type_name("FILE")
      ->check(CLI::Validator([](std::string& s) { return s.empty() ? std::string("must name a file, not be empty") : std::string(); },
                             "", "non-empty"));
  app.add_option("--config", ctx.global.config, "read this config file instead of the user config")
      ->type_name("FILE");
  app.add_flag("-q,--quiet", ctx.global.quiet, "print nothing but data and errors");
  app.add_flag("-v,--verbose", ctx.global.verbose, "say more on stderr");
  app.require_subcommand(0, 1);
  app.fallthrough();  // global options may follow the subcommand
  app.footer("Run 'socq help COMMAND' for a command's options, 'socq help exit-codes' for exit codes.");

  std::vector<std::pair<CLI::App*, Runner>> runners;
  for (const auto& c : command_table()) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    runners.emplace_back(sub, c.setup(sub, ctx));
  }
  std::string help_topic;
  CLI::App* help = app.add_subcommand("help", "show help for a command, or 'exit-codes'");
  help->add_option("topic", help_topic, "a command name or exit-codes");

  // Hidden helpers for completion scripts and the man pages.
  if (argc > 1 && std::string(argv[1]) == "__complete") {
    for (const auto& c : complete(app, std::vector<std::string>(argv + 2, argv + argc))) fmt::print("{}\n", c);
    return 0;
  }
  if (argc > 1 && std::string(argv[1]) == "__man") {
    if (argc > 2 && !is_command(argv[2])) {
      fmt::print(stderr, "socq __man: no command '{}'\n", argv[2]);
      return as_int(Exit::usage);
    }
    fmt::print("{}", man_page(app, argc > 2 ? argv[2] : ""));
    return 0;
  }

  // An unknown command gets a suggestion rather than CLI11's generic error.
  if (argc > 1 && argv[1][0] != '-' && !is_command(argv[1])) {
    fmt::print(stderr, "socq: unknown command '{}'{}\nRun 'socq --help' for the list of commands.\n", argv[1],
               suggestion(argv[1]));
    return as_int(Exit::usage);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (dynamic_cast<const CLI::ExtrasError*>(&e))
      if (auto hint = unknown_option_hint(app, argc, argv); !hint.empty()) {
        fmt::print(stderr, "socq: {}\nRun 'socq help COMMAND' for its options.\n", hint);
        return as_int(Exit::usage);
      }
    // CLI11 uses 100-114 for parse errors; socq documents 2 for all of them.
    const int rc = app.exit(e);
    return rc == 0 ? 0 : as_int(Exit::usage);
  }

  if (help->parsed()) return show_help(app, help_topic);
  for (auto& [sub, run] : runners)
    if (sub->parsed()) return run_command(ctx, run);
  fmt::print("{}", app.help());
  return 0;
}

}  // namespace socq
