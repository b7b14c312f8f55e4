#include "lib/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "lib/toml_file.h"
#include "lib/triage/teams.h"
#include <fstream>

namespace socq {
namespace {

// Top-level keys, and the environment variable that overrides each.
struct KnownKey {
  const char* key;
  const char* env;
};
constexpr KnownKey kKnownKeys[] = {
    {"store", "SOCQ_STORE"},
    {"user", "SOCQ_USER"},
    {"rules", "SOCQ_RULES"},  // socq triage: the rules file
    {"max_wait", "SOCQ_MAX_WAIT"},          // socq fetch: longest rate-limit wait (90s, 5m)
    {"http_timeout", "SOCQ_HTTP_TIMEOUT"},  // socq fetch: per-request timeout (30s)
};
constexpr const char* kAccountKeys[] = {"channel",    "handle",       "base_url",     "token_env",
                                        "token_file", "identifier", "password_env", "password_file", "page_id"};
constexpr const char* kChannels[] = {"mastodon", "bluesky", "x", "facebook", "reddit"};


Status load_account(const std::string& path, const std::string& name, const toml::node& node, MapConfig& cfg) {
  const auto* table = node.as_table();
  if (!table) return Error{Exit::config, toml_where(path, node) + ": \"accounts." + name + "\" must be a table"};
  AccountConfig a;
  a.name = name;
  a.source = toml_where(path, node);
  for (const auto& [key, value] : *table) {
    const std::string k(key.str());
    const std::string where = toml_where(path, value) + ": accounts." + name + "." + k;
    if (k == "token" || k == "password" || k == "secret")
      return Error{Exit::config, where + ": secrets do not belong in the config; use token_env or token_file"};
    const bool known = std::any_of(std::begin(kAccountKeys), std::end(kAccountKeys), [&](const char* x) { return k == x; });
    if (!known) return Error{Exit::config, where + ": unknown key (channel, handle, base_url, token_env, token_file; bluesky: identifier, password_env, password_file; facebook: page_id)"};
    const auto* s = value.as_string();
    if (!s) return Error{Exit::config, where + ": must be a string"};
    std::string v = s->get();
    if (k == "channel") a.channel = v;
    else if (k == "handle") a.handle = v;
    else if (k == "base_url") a.base_url = v;
    else if (k == "token_env") a.token_env = v;
    else if (k == "identifier") a.identifier = v;
    else if (k == "page_id") a.page_id = v;
    else if (k == "password_env") a.password_env = v;
    else if (k == "password_file") a.password_file = v;
    else a.token_file = v;
  }
  cfg.set_account(std::move(a));
  return ok_status();
}

Status load_file(const std::string& path, MapConfig& cfg) {
  auto parsed = parse_toml_file(path);
  if (!parsed) return parsed.error();
  const toml::table& table = *parsed;
  cfg.files.push_back(path);
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    if (k == "accounts") {
      const auto* accounts = node.as_table();
      if (!accounts) return Error{Exit::config, toml_where(path, node) + ": \"accounts\" must be a table of [accounts.NAME]"};
      for (const auto& [name, account] : *accounts)
        if (auto st = load_account(path, std::string(name.str()), account, cfg); !st) return st;
      continue;
    }
    // Teams, SLA policies and away agents: read and checked by lib/triage/teams;
    // [reply]: by lib/reply/checks (and the reply command's templates/approval).
    if (k == "teams" || k == "sla" || k == "away" || k == "reply") continue;
    if (k == "handoff" || k == "smtp" || k == "webhooks") continue;  // read and checked by lib/handoff/config
    const bool known = std::any_of(std::begin(kKnownKeys), std::end(kKnownKeys), [&](const KnownKey& kk) { return k == kk.key; });
    if (!known) return Error{Exit::config, toml_where(path, node) + ": unknown key \"" + k + "\" (store, user, rules, max_wait, http_timeout, [accounts.NAME], [teams.NAME], [sla.PRIORITY], [[away]], [reply], [handoff], [smtp], [webhooks.NAME])"};
    const auto* s = node.as_string();
    if (!s) return Error{Exit::config, toml_where(path, node) + ": \"" + k + "\" must be a string"};
    cfg.set(k, Setting{s->get(), toml_where(path, node)});
  }
  return ok_status();
}

}  // namespace

std::optional<Setting> MapConfig::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

void MapConfig::set_account(AccountConfig a) {
  // A later file's account of the same name replaces the earlier one whole.
  for (auto& existing : accounts_)
    if (existing.name == a.name) {
      existing = std::move(a);
      return;
    }
  accounts_.push_back(std::move(a));
}

std::optional<std::string> process_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

Result<MapConfig> load_config(const std::string& explicit_file, EnvFn env) {
  MapConfig cfg;
  std::vector<std::string> files{env("SOCQ_SYSTEM_CONFIG").value_or("/etc/socq/config.toml")};
  if (!explicit_file.empty()) {
    if (!std::filesystem::exists(explicit_file)) return Error{Exit::config, explicit_file + ": no such config file"};
    files.push_back(explicit_file);
  } else if (auto xdg = env("XDG_CONFIG_HOME")) {
    files.push_back(*xdg + "/socq/config.toml");
  } else if (auto home = env("HOME")) {
    files.push_back(*home + "/.config/socq/config.toml");
  }
  for (const auto& f : files) {
    std::error_code ec;
    if (f != explicit_file && !std::filesystem::exists(f, ec)) continue;
    if (auto st = load_file(f, cfg); !st) return st.error();
  }
  for (const auto& kk : kKnownKeys)
    if (auto v = env(kk.env)) cfg.set(kk.key, Setting{*v, std::string("env ") + kk.env});
  // Teams, SLA and away across all files at once: a file may name another's team.
  if (auto triage = load_triage_env_from_config(cfg); !triage) return triage.error();
  return cfg;
}

std::string resolve_store_path(const std::string& flag, const Config& cfg, EnvFn env) {
  if (!flag.empty()) return flag;
  if (auto s = cfg.get("store")) return s->value;
  if (auto v = env("SOCQ_STORE")) return *v;
  if (auto xdg = env("XDG_DATA_HOME")) return *xdg + "/socq/socq.db";
  if (auto home = env("HOME")) return *home + "/.local/share/socq/socq.db";
  return "socq.db";
}

std::string resolve_user(const Config& cfg, EnvFn env) {
  if (auto s = cfg.get("user")) return s->value;
  if (auto v = env("SOCQ_USER")) return *v;
  if (auto v = env("USER")) return *v;
  if (const char* login = getlogin()) return login;
  return "unknown";
}

// Bluesky logs in with an app password (password_env/password_file); the
// others hold a token (token_env/token_file). Both are "the token" below.
static bool uses_password(const AccountConfig& a) { return a.channel == "bluesky"; }
static const std::string& secret_env(const AccountConfig& a) { return uses_password(a) ? a.password_env : a.token_env; }
static const std::string& secret_file(const AccountConfig& a) { return uses_password(a) ? a.password_file : a.token_file; }

Status check_token_source(const AccountConfig& a, EnvFn env) {
  const std::string who = "account " + a.name + " (" + a.source + ")";
  const std::string& token_env = secret_env(a);
  const std::string& token_file = secret_file(a);
  if (token_env.empty() == token_file.empty())
    return Error{Exit::config, who + (uses_password(a) ? ": name exactly one of password_env or password_file (an app password)"
                                                       : ": name exactly one of token_env or token_file")};
  if (!token_env.empty()) {
    if (!env(token_env.c_str()))
      return Error{Exit::no_perm, who + ": environment variable " + token_env + " is not set"};
    return ok_status();
  }
  struct stat st{};
  if (stat(token_file.c_str(), &st) != 0)
    return Error{Exit::no_perm, who + ": token file " + token_file + ": " + std::strerror(errno)};
  if (!S_ISREG(st.st_mode)) return Error{Exit::no_perm, who + ": token file " + token_file + " is not a regular file"};
  if (st.st_mode & 077) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return Error{Exit::no_perm, who + ": token file " + token_file + " is readable by others (mode " + mode +
                                    "); run: chmod 600 " + token_file};
  }
  if (access(token_file.c_str(), R_OK) != 0)
    return Error{Exit::no_perm, who + ": token file " + token_file + ": " + std::strerror(errno)};
  if (st.st_size == 0) return Error{Exit::no_perm, who + ": token file " + token_file + " is empty"};
  return ok_status();
}

Result<std::string> read_token(const AccountConfig& a, EnvFn env) {
  if (auto st = check_token_source(a, env); !st) return st.error();
  if (!secret_env(a).empty()) return *env(secret_env(a).c_str());
  std::ifstream in(secret_file(a), std::ios::binary);
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

namespace {

// Why a base_url cannot be used, or "": scheme://host[:port][/path], https
// (plain http only to this machine: localhost, 127.x.x.x or [::1]), a
// host, a port of 1-65535 if there is a colon after the host, no spaces, no
// query, fragment or user:password. Caught here, by `config check` and
// before any request, rather than at the first connect.
std::string base_url_problem(std::string_view url) {
  const bool https = url.rfind("https://", 0) == 0;
  if (!https && url.rfind("http://", 0) != 0) return "must be https:// (plain http only to localhost)";
  const std::string_view rest = url.substr(https ? 8 : 7);
  if (rest.find_first_of(" \t\r\n?#") != std::string_view::npos) return "must not hold spaces, a query or a fragment";
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos) return "must not hold a user or password (use token_env or token_file)";
  // An IPv6 literal is bracketed: its port, if any, follows the ']'.
  const size_t host_end = authority.starts_with('[') ? authority.find(']') : std::string_view::npos;
  if (authority.starts_with('[') && host_end == std::string_view::npos) return "has an unclosed [ in its host";
  const size_t colon = authority.find(':', host_end == std::string_view::npos ? 0 : host_end + 1);
  const std::string_view host = authority.substr(0, colon);
  if (host.empty()) return "has no host";
  if (host_end != std::string_view::npos && colon != std::string_view::npos && colon != host_end + 1)
    return "has text between its host and port";
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    const bool digits = !port.empty() && port.size() <= 5 &&
                        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535)
      return "has a port that is not 1-65535 (\"" + std::string(port) + "\")";
  }
  const bool this_machine = host == "localhost" || host == "[::1]" ||
                            (host.starts_with("127.") && host.find_first_not_of("0123456789.") == std::string_view::npos);
  if (!https && !this_machine) return "must be https:// (plain http only to localhost)";
  return "";
}

// The URL as an error may show it: without any query or fragment, and not
// at all when it holds a user or password.
std::string shown_url(const std::string& url) {
  if (url.find('@') != std::string::npos) return "";
  return ": " + url.substr(0, url.find_first_of("?#"));
}

}  // namespace

Status check_base_url(const AccountConfig& a) {
  if (a.base_url.empty()) return ok_status();
  const std::string why = base_url_problem(a.base_url);
  if (why.empty()) return ok_status();
  return Error{Exit::config, "account " + a.name + " (" + a.source + "): base_url " + why + shown_url(a.base_url)};
}

Status check_accounts(const Config& cfg, EnvFn env) {
  for (const auto& a : cfg.accounts()) {
    const std::string who = "account " + a.name + " (" + a.source + ")";
    const bool channel_ok = std::any_of(std::begin(kChannels), std::end(kChannels), [&](const char* c) { return a.channel == c; });
    if (!channel_ok)
      return Error{Exit::config, who + ": channel must be mastodon, bluesky, x, facebook or reddit, not \"" + a.channel + "\""};
    if (auto st = check_base_url(a); !st) return st;
    if (auto st = check_token_source(a, env); !st) return st;
  }
  return ok_status();
}

}  // namespace socq
