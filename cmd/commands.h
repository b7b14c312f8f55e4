// The subcommand table and what every subcommand shares.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/clock.h"
#include "lib/config.h"
#include "lib/result.h"
#include "lib/store.h"

namespace socq {

struct GlobalOptions {
  std::string store;   // --store FILE
  std::string config;  // --config FILE
  bool quiet = false;
  int verbose = 0;
};

// What a running command may use: streams, clock, config, the store.
struct Context {
  GlobalOptions global;
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  std::unique_ptr<Clock> clock;

  // Loads the config (once); a bad one is an error for every command.
  Status load_config();
  const MapConfig& config();
  std::string user();
  std::string store_path();
  bool store_named() const { return !global.store.empty(); }
  // Opens the store; with must_exist, a missing file is an error rather
  // than a new, empty store.
  Result<std::unique_ptr<Store>> open_store(bool must_exist);
  std::string now() const { return clock->now_rfc3339(); }

  // Prints "socq: <message>" to stderr and returns the exit code.
  int fail(const Error& e);
  // A status line on stderr, suppressed by -q.
  void note(const std::string& line);

 private:
  std::optional<MapConfig> config_;
};

using Runner = std::function<int()>;

struct CommandInfo {
  const char* name;
  const char* summary;
  const char* description;  // the man page's DESCRIPTION
  // Registers options on `sub` and returns what runs when it is chosen.
  Runner (*setup)(CLI::App* sub, Context& ctx);
};

// The table of subcommands, in the order `socq --help` lists them.
const std::vector<CommandInfo>& command_table();

// Runs socq with argv; returns the exit code.
int run_cli(int argc, char** argv);

// One setup function per subcommand file.
Runner setup_fetch(CLI::App* sub, Context& ctx);
Runner setup_triage(CLI::App* sub, Context& ctx);
Runner setup_reply(CLI::App* sub, Context& ctx);
Runner setup_handoff(CLI::App* sub, Context& ctx);
Runner setup_report(CLI::App* sub, Context& ctx);
Runner setup_case(CLI::App* sub, Context& ctx);
Runner setup_config(CLI::App* sub, Context& ctx);

// "not implemented yet: WHAT", exit 69: never pretend.
int not_implemented(Context& ctx, const std::string& what);

}  // namespace socq
