#include <doctest/doctest.h>

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
  CHECK(r.error().message == f + ":2: unknown key \"stroe\"");
  write_file(f, "store = 3\n");
  r = load_config(f, fake_env);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == f + ":1: \"store\" must be a string");
  write_file(f, "store = \n");
  r = load_config(f, fake_env);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.rfind(f + ":1: ", 0) == 0);
}
