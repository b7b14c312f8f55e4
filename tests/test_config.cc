#include <doctest/doctest.h>

#include <sys/stat.h>

#include <map>

#include "lib/config.h"
#include "tests/test_util.h"

using namespace socq;
using namespace socq::test;

namespace {
std::map<std::string, std::string> g_env;
std::optional<std::string> fake_env(const char* name) {
  auto it = g_env.find(name);
  return it == g_env.end() ? std::nullopt : std::optional<std::string>(it->second);
}
}  // namespace

TEST_CASE("config file values, then environment, then flags win") {
  TempDir dir;
  const std::string f = dir.file("config.toml");
  write_file(f, "# socq\nstore = \"/srv/socq/team.db\"\nuser = \"sam\"\n");
  g_env = {{"HOME", dir.path.string()}};
  auto cfg = load_config(f, fake_env);
  REQUIRE(cfg.ok());
  CHECK(cfg->get("store")->value == "/srv/socq/team.db");
  CHECK(cfg->get("store")->source == f + ":2");
  CHECK(resolve_user(*cfg, fake_env) == "sam");
  g_env["SOCQ_STORE"] = "/tmp/env.db";
  cfg = load_config(f, fake_env);
  REQUIRE(cfg.ok());
  CHECK(resolve_store_path("", *cfg, fake_env) == "/tmp/env.db");
  CHECK(resolve_store_path("/tmp/flag.db", *cfg, fake_env) == "/tmp/flag.db");
}

TEST_CASE("the store defaults to XDG_DATA_HOME, then ~/.local/share") {
  MapConfig empty;
  g_env = {{"HOME", "/home/sam"}};
  CHECK(resolve_store_path("", empty, fake_env) == "/home/sam/.local/share/socq/socq.db");
  g_env["XDG_DATA_HOME"] = "/data";
  CHECK(resolve_store_path("", empty, fake_env) == "/data/socq/socq.db");
}

TEST_CASE("unknown keys, wrong types and bad TOML name file and line") {
  TempDir dir;
  const std::string f = dir.file("config.toml");
  g_env = {};
  write_file(f, "store = \"a\"\nstroe = \"b\"\n");
  auto r = load_config(f, fake_env);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Exit::config);
  // The list of known keys grows with each table a feature reads itself.
  CHECK(r.error().message.rfind(f + ":2: unknown key \"stroe\" (store, user, rules, max_wait, http_timeout, [accounts.NAME], [teams.NAME], [sla.PRIORITY], [[away]]", 0) == 0);
  CHECK(r.error().message.find("[reply]") != std::string::npos);
  write_file(f, "store = 3\n");
  r = load_config(f, fake_env);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == f + ":1: \"store\" must be a string");
  write_file(f, "store = \n");
  r = load_config(f, fake_env);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.rfind(f + ":1: ", 0) == 0);
}

TEST_CASE("the user config overrides the system config, key by key") {
  TempDir dir;
  const std::string system = dir.file("system.toml");
  write_file(system, "store = \"/var/lib/socq/team.db\"\nuser = \"ops\"\n");
  std::filesystem::create_directories(dir.path / "xdg/socq");
  write_file(dir.file("xdg/socq/config.toml"), "user = \"sam\"\n");
  g_env = {{"SOCQ_SYSTEM_CONFIG", system}, {"XDG_CONFIG_HOME", dir.file("xdg")}};
  auto cfg = load_config("", fake_env);
  REQUIRE(cfg.ok());
  CHECK(cfg->get("store")->value == "/var/lib/socq/team.db");
  CHECK(cfg->get("store")->source == system + ":1");
  CHECK(cfg->get("user")->value == "sam");
  CHECK(cfg->files.size() == 2);
  g_env["SOCQ_USER"] = "kim";
  cfg = load_config("", fake_env);
  REQUIRE(cfg.ok());
  CHECK(resolve_user(*cfg, fake_env) == "kim");
  CHECK(cfg->get("user")->source == "env SOCQ_USER");
}

TEST_CASE("accounts name where their tokens are; secrets in the config are refused") {
  TempDir dir;
  const std::string f = dir.file("config.toml");
  const std::string token = dir.file("mastodon.token");
  write_file(token, "s3cr3t-token\n");
  chmod(token.c_str(), 0600);
  write_file(f, "[accounts.transit]\nchannel = \"mastodon\"\nhandle = \"transit@example.social\"\n"
                "base_url = \"https://example.social\"\ntoken_file = \"" + token + "\"\n"
                "[accounts.rail-x]\nchannel = \"x\"\nhandle = \"NorthRailHelp\"\ntoken_env = \"SOCQ_X_TOKEN\"\n");
  g_env = {};
  auto cfg = load_config(f, fake_env);
  REQUIRE(cfg.ok());
  REQUIRE(cfg->accounts().size() == 2);
  // In name order, whatever the file's order.
  CHECK(cfg->accounts()[0].name == "rail-x");
  CHECK(cfg->accounts()[1].name == "transit");
  CHECK(cfg->accounts()[1].source == f + ":1");
  auto missing_env = check_accounts(*cfg, fake_env);
  REQUIRE_FALSE(missing_env.ok());
  CHECK(missing_env.error().code == Exit::no_perm);
  CHECK(missing_env.error().message.find("SOCQ_X_TOKEN is not set") != std::string::npos);
  g_env["SOCQ_X_TOKEN"] = "x-token";
  CHECK(check_accounts(*cfg, fake_env).ok());
  CHECK(read_token(cfg->accounts()[1], fake_env).value() == "s3cr3t-token");
  CHECK(read_token(cfg->accounts()[0], fake_env).value() == "x-token");

  chmod(token.c_str(), 0644);
  auto open_file = check_accounts(*cfg, fake_env);
  REQUIRE_FALSE(open_file.ok());
  CHECK(open_file.error().code == Exit::no_perm);
  CHECK(open_file.error().message.find("readable by others (mode 0644); run: chmod 600 " + token) != std::string::npos);
  CHECK(open_file.error().message.find("s3cr3t") == std::string::npos);
  CHECK_FALSE(read_token(cfg->accounts()[1], fake_env).ok());

  write_file(f, "[accounts.transit]\nchannel = \"mastodon\"\ntoken = \"s3cr3t\"\n");
  auto secret = load_config(f, fake_env);
  REQUIRE_FALSE(secret.ok());
  CHECK(secret.error().code == Exit::config);
  CHECK(secret.error().message == f + ":3: accounts.transit.token: secrets do not belong in the config; use token_env or token_file");
  CHECK(secret.error().message.find("s3cr3t\"") == std::string::npos);

  write_file(f, "[accounts.transit]\nchannel = \"myspace\"\nhandle = \"a\"\ntoken_env = \"T\"\n");
  auto bad_channel = load_config(f, fake_env);
  REQUIRE(bad_channel.ok());
  auto checked = check_accounts(*bad_channel, fake_env);
  REQUIRE_FALSE(checked.ok());
  CHECK(checked.error().code == Exit::config);

  // base_url: a bad one is caught by `config check`, not at the first connect.
  const auto url_error = [&](const std::string& url) {
    write_file(f, "[accounts.transit]\nchannel = \"mastodon\"\nhandle = \"a\"\ntoken_env = \"SOCQ_X_TOKEN\"\nbase_url = \"" + url + "\"\n");
    auto cfg = load_config(f, fake_env);
    REQUIRE(cfg.ok());
    auto st = check_accounts(*cfg, fake_env);
    return st.ok() ? std::string() : st.error().message;
  };
  for (const char* good : {"https://example.social", "https://example.social/", "https://example.social:8443/api",
                           "http://127.0.0.1:9", "http://localhost:3000", "https://[2001:db8::1]",
                           "https://[2001:db8::1]:8443/x", "http://[::1]:3000", "http://127.0.0.1"})
    CHECK_MESSAGE(url_error(good).empty(), good);
  // Each bad URL and what its error says. Plain http only to this machine,
  // whatever the name starts with.
  const std::pair<const char*, const char*> bad[] = {
      {"http://example.social", "must be https://"},
      {"http://localhost.attacker.example", "must be https://"},
      {"http://127.0.0.1.nip.io:80", "must be https://"},
      {"https://[2001:db8::1", "unclosed ["},
      {"https://[2001:db8::1]x:80", "between its host and port"},
      {"https://example.social:", "a port that is not 1-65535"},
      {"https://example.social:0", "a port that is not 1-65535"},
      {"https://example.social:70000", "a port that is not 1-65535"},
      {"https://example.social:x1", "a port that is not 1-65535"},
      {"https://", "has no host"},
      {"https://:443", "has no host"},
      {"https://example.social/a b", "must not hold spaces"},
      {"https://example.social/?x=1", "a query"},
  };
  for (const auto& [url, why] : bad) CHECK_MESSAGE(url_error(url).find(why) != std::string::npos, url);
  // A query may hold a token: it is refused and not echoed.
  const std::string query = url_error("https://example.social/?access_token=SECRET");
  CHECK(query.find("a query") != std::string::npos);
  CHECK(query.find("SECRET") == std::string::npos);
  const std::string creds = url_error("https://bob:hunter2@example.social");
  CHECK(creds.find("must not hold a user or password") != std::string::npos);
  CHECK(creds.find("hunter2") == std::string::npos);
}
