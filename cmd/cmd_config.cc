// socq config: the effective configuration and where each value came from;
// a check of every account's base_url and token source that contacts no server.
#include <fmt/format.h>

#include "cmd/commands.h"
#include "lib/term.h"
#include "lib/triage/teams.h"

namespace socq {
namespace {

// A TOML basic string; control characters and bytes that are not UTF-8
// come out escaped (terminal_safe), never raw.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return terminal_safe_line(out + "\"");
}

void print_setting(std::FILE* out, const std::string& key, const std::string& value, const std::string& source) {
  fmt::print(out, "{:<40} # {}\n", key + " = " + quoted(value), terminal_safe_line(source));
}

// Teams, SLA policies and away agents, one comment line each (the files
// hold the details).
void print_triage_env(std::FILE* out, const MapConfig& cfg) {
  auto env = load_triage_env_from_config(cfg);
  if (!env) return;  // load_config has refused such a config already
  for (const auto& [name, team] : env->teams) {
    const std::string hours = !team.calendar ? "no hours (calendar time)"
                              : team.calendar->always_open() ? "24/7, " + team.calendar->zone()
                                                             : "business hours, " + team.calendar->zone();
    fmt::print(out, "# team {}: {} ({})\n", terminal_safe_line(name), terminal_safe_line(hours), terminal_safe_line(team.source));
  }
  for (const auto& [priority, t] : env->sla.by_priority) {
    auto d = [](const std::optional<Seconds>& s) { return s ? format_duration(*s) : std::string("-"); };
    fmt::print(out, "# sla {}: first_response {}, next_response {}, resolution {}{} ({})\n", terminal_safe_line(priority),
               d(t.first_response), d(t.next_response), d(t.resolution),
               t.business_hours.value_or(false) ? ", business hours" : "", terminal_safe_line(t.source));
  }
  for (const auto& a : env->away)
    fmt::print(out, "# away {}: {} .. {} ({})\n", terminal_safe_line(a.name), terminal_safe_line(a.from),
               terminal_safe_line(a.until), terminal_safe_line(a.source));
}

int run_show(Context& ctx) {
  const MapConfig& cfg = ctx.config();
  fmt::print(ctx.out, "# files read: {}\n", cfg.files.empty() ? "none" : terminal_safe_line(fmt::format("{}", fmt::join(cfg.files, ", "))));
  const std::string store = ctx.store_path();
  std::string store_source = "default ($XDG_DATA_HOME/socq/socq.db)";
  if (ctx.store_named()) store_source = "flag --store";
  else if (auto s = cfg.get("store")) store_source = s->source;
  print_setting(ctx.out, "store", store, store_source);
  const auto user = cfg.get("user");
  print_setting(ctx.out, "user", ctx.user(), user ? user->source : "default (login name)");
  if (auto rules = cfg.get("rules")) print_setting(ctx.out, "rules", rules->value, rules->source);
  print_triage_env(ctx.out, cfg);
  for (const auto& a : cfg.accounts()) {
    fmt::print(ctx.out, "\n[accounts.{}]{:<{}} # {}\n", terminal_safe_line(a.name), "", std::max<int>(0, 26 - static_cast<int>(a.name.size())), terminal_safe_line(a.source));
    fmt::print(ctx.out, "channel = {}\nhandle = {}\n", quoted(a.channel), quoted(a.handle));
    if (!a.base_url.empty()) fmt::print(ctx.out, "base_url = {}\n", quoted(a.base_url));
    // Where the token is, never the token.
    const Status token = check_token_source(a);
    const std::string state = token ? "token: ********" : "token: " + token.error().message.substr(token.error().message.find("): ") + 3);
    if (!a.token_env.empty()) print_setting(ctx.out, "token_env", a.token_env, state);
    if (!a.token_file.empty()) print_setting(ctx.out, "token_file", a.token_file, state);
  }
  return 0;
}

int run_check(Context& ctx) {
  const MapConfig& cfg = ctx.config();
  if (auto st = check_accounts(cfg); !st) return ctx.fail(st.error());
  ctx.note(fmt::format("config ok: {}, {} (no server contacted)",
                       cfg.files.empty() ? "no config file" : fmt::format("{}", fmt::join(cfg.files, ", ")),
                       cfg.accounts().size() == 1 ? std::string("1 account") : fmt::format("{} accounts", cfg.accounts().size())));
  return 0;
}

}  // namespace

Runner setup_config(CLI::App* sub, Context& ctx) {
  sub->require_subcommand(1);
  CLI::App* show = sub->add_subcommand("show", "print the effective config and where each value came from (secrets masked)");
  CLI::App* check = sub->add_subcommand("check", "validate the config, every account's base_url and token source, offline");
  return [&ctx, show, check] {
    if (show->parsed()) return run_show(ctx);
    if (check->parsed()) return run_check(ctx);
    return as_int(Exit::usage);
  };
}

}  // namespace socq
