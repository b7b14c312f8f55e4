// Settings from layered TOML files and the environment. Precedence:
// flags > environment (SOCQ_*) > --config FILE or user config
// ($XDG_CONFIG_HOME/socq/config.toml) > system config (/etc/socq/config.toml).
#pragma once
#include <map>
#include <optional>
#include <string>

#include "lib/result.h"

namespace socq {

struct Setting {
  std::string value;
  std::string source;  // "flag", "env SOCQ_STORE", "/etc/socq/config.toml:3"
};

class Config {
 public:
  virtual ~Config() = default;
  virtual std::optional<Setting> get(const std::string& key) const = 0;
};

// Config held in memory: the test double, and the result of loading.
class MapConfig final : public Config {
 public:
  std::optional<Setting> get(const std::string& key) const override;
  void set(const std::string& key, Setting s) { values_[key] = std::move(s); }
  const std::map<std::string, Setting>& all() const { return values_; }

 private:
  std::map<std::string, Setting> values_;
};

// Environment lookup, replaceable in tests.
using EnvFn = std::optional<std::string> (*)(const char*);
std::optional<std::string> process_env(const char* name);

// Loads system, user (or `explicit_file`) config and the environment.
// Unknown keys and wrong types fail with file:line (exit 78).
Result<MapConfig> load_config(const std::string& explicit_file, EnvFn env = process_env);

// The store path: --store flag, else SOCQ_STORE / config `store`, else
// $XDG_DATA_HOME/socq/socq.db (~/.local/share/socq/socq.db).
std::string resolve_store_path(const std::string& flag, const Config& cfg, EnvFn env = process_env);
// Who is acting: config `user` / SOCQ_USER, else the login name.
std::string resolve_user(const Config& cfg, EnvFn env = process_env);

}  // namespace socq
