// Settings from layered TOML files and the environment. Precedence:
// flags > environment (SOCQ_*) > --config FILE or the user config
// ($XDG_CONFIG_HOME/socq/config.toml) > the system config
// (/etc/socq/config.toml; $SOCQ_SYSTEM_CONFIG names another, for packaging
// and tests). Secrets never live here: an account names the environment
// variable or the 0600 file that holds its token.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/result.h"

namespace socq {

struct Setting {
  std::string value;
  std::string source;  // "flag", "env SOCQ_STORE", "/etc/socq/config.toml:3"
};

// One brand account on one platform: [accounts.NAME] in the config.
struct AccountConfig {
  std::string name;
  std::string channel;   // mastodon, bluesky, x, facebook
  std::string handle;    // our handle there: the case's account
  std::string base_url;  // the platform's API base
  std::string token_env;   // the variable holding the token, or
  std::string token_file;  // a file holding it (mode 0600)
  // Bluesky: who logs in (handle or DID; default handle) and the app
  // password's source instead of token_env/token_file.
  std::string identifier;
  std::string password_env, password_file;
  std::string page_id;  // Facebook: the Page's id (default: GET /me with the Page token)
  std::string source;      // file:line of the table
};

class Config {
 public:
  virtual ~Config() = default;
  virtual std::optional<Setting> get(const std::string& key) const = 0;
  virtual const std::vector<AccountConfig>& accounts() const = 0;
};

// Config held in memory: the test double, and the result of loading.
class MapConfig final : public Config {
 public:
  std::optional<Setting> get(const std::string& key) const override;
  const std::vector<AccountConfig>& accounts() const override { return accounts_; }
  void set(const std::string& key, Setting s) { values_[key] = std::move(s); }
  void set_account(AccountConfig a);
  const std::map<std::string, Setting>& all() const { return values_; }
  std::vector<std::string> files;  // the files read, in order

 private:
  std::map<std::string, Setting> values_;
  std::vector<AccountConfig> accounts_;
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
// Who is acting: SOCQ_USER / config `user`, else the login name.
std::string resolve_user(const Config& cfg, EnvFn env = process_env);

// Checks an account's token source without reading the token into any
// output: the variable is set, or the file exists, is not empty and is
// readable by its owner only (else Exit::no_perm, saying how to fix it).
Status check_token_source(const AccountConfig& a, EnvFn env = process_env);
// The token itself, for the HTTP layer only.
Result<std::string> read_token(const AccountConfig& a, EnvFn env = process_env);
// Whole-config validation for `socq config check`.
Status check_accounts(const Config& cfg, EnvFn env = process_env);
// The account's base_url, checked as check_accounts does (exit 78 naming
// the account): before any request goes out.
Status check_base_url(const AccountConfig& a);

}  // namespace socq
