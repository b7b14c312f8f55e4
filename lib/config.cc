#include "lib/config.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <toml++/toml.h>

namespace socq {
namespace {

// Every key socq reads, and the environment variable that overrides it.
struct KnownKey {
  const char* key;
  const char* env;
};
constexpr KnownKey kKnownKeys[] = {
    {"store", "SOCQ_STORE"},
    {"user", "SOCQ_USER"},
};

Status load_file(const std::string& path, MapConfig& cfg) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Error{Exit::config, path + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description())};
  }
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    const auto line = std::to_string(node.source().begin.line);
    bool known = false;
    for (const auto& kk : kKnownKeys) known |= k == kk.key;
    if (!known) return Error{Exit::config, path + ":" + line + ": unknown key \"" + k + "\""};
    const auto* s = node.as_string();
    if (!s) return Error{Exit::config, path + ":" + line + ": \"" + k + "\" must be a string"};
    cfg.set(k, Setting{s->get(), path + ":" + line});
  }
  return ok_status();
}

}  // namespace

std::optional<Setting> MapConfig::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> process_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

Result<MapConfig> load_config(const std::string& explicit_file, EnvFn env) {
  MapConfig cfg;
  std::vector<std::string> files{"/etc/socq/config.toml"};
  if (!explicit_file.empty()) {
    if (!std::filesystem::exists(explicit_file))
      return Error{Exit::config, explicit_file + ": no such config file"};
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

}  // namespace socq
