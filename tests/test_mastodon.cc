// The Mastodon channel and the fetch runner against the in-process Mastodon
// fake (tests/fakes): real HTTP over libcurl on 127.0.0.1.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "lib/channels/mastodon.h"
#include "lib/fetch.h"
#include "lib/handoff/handoff.h"
#include "lib/http_curl.h"
#include "lib/reply/reply.h"
#include "tests/fakes/mastodon.h"
#include "tests/test_util.h"

namespace socq {
namespace {

constexpr const char* kToken = "fake-token-northrail";

std::optional<std::string> test_env(const char* name) {
  if (std::string(name) == "NR_TOKEN") return std::string(kToken);
  return std::nullopt;
}

struct NoSleep final : Sleeper {
  void sleep_ms(int64_t ms) override { slept.push_back(ms); }
  std::vector<int64_t> slept;
};

struct Rig {
  fake::MastodonFake fake{{.fixtures = fake::default_mastodon_fixtures(), .tokens = {}, .rate_limit = 300}};
  std::unique_ptr<HttpClient> control = make_curl_client({});
  NoSleep sleeper;
  std::vector<std::string> log;
  Rig() {
    std::string err;
    REQUIRE_MESSAGE((fake.load(&err) && fake.start(0, &err)), err);
  }
  AccountConfig account() const {
    AccountConfig a;
    a.name = "northrail";
    a.channel = "mastodon";
    a.base_url = fake.base_url();
    a.token_env = "NR_TOKEN";
    a.source = "test";
    return a;
  }
  void post(const std::string& path, const std::string& body) {
    auto r = control->send(HttpRequest{"POST", fake.base_url() + path, {{"Content-Type", "application/json"}}, body, 5000});
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
  }
  nlohmann::json requests() {
    auto r = control->send(HttpRequest{"GET", fake.base_url() + "/__fake/requests", {}, "", 5000});
    REQUIRE(r.ok());
    return nlohmann::json::parse(r->body);
  }
  AccountResult run(Store& store, const std::string& since = "2026-11-01T00:00:00Z", int timeout_ms = 30000) {
    FetchSettings s;
    s.since_ms = parse_since(since, 0).value();
    s.now = "2026-11-23T09:00:00Z";
    s.timeout_ms = timeout_ms;
    s.policy.base_backoff_ms = 1;
    FetchHooks h;
    h.sleeper = &sleeper;
    h.log = [this](const std::string&, const std::string& line) { log.push_back(line); };
    auto results = fetch_accounts(&store, {account()}, s, h, test_env);
    REQUIRE(results.size() == 1);
    return results[0];
  }
};

// A mention by a customer the fixtures do not know, with the given visibility.
nlohmann::json mention(const std::string& id, const std::string& visibility) {
  const nlohmann::json account = {{"id", "209000000000000077"}, {"username", "pat"}, {"acct", "pat@example.org"},
                                  {"display_name", "Pat"}, {"followers_count", 40}, {"url", "https://example.org/@pat"}};
  const nlohmann::json st = {{"id", id}, {"created_at", "2026-11-23T08:40:00.000Z"}, {"in_reply_to_id", nullptr},
                             {"in_reply_to_account_id", nullptr}, {"visibility", visibility},
                             {"content", "<p>@northrail my pass was charged twice</p>"}, {"spoiler_text", ""},
                             {"mentions", nlohmann::json::array()}, {"url", nullptr}, {"account", account}};
  return {{"id", "8" + id.substr(id.size() - 8)}, {"type", "mention"}, {"created_at", "2026-11-23T08:40:00.000Z"},
          {"account", account}, {"status", st}};
}

std::vector<Case> all_cases(Store& store) {
  std::vector<Case> out;
  REQUIRE(store.list(CaseFilter{}, [&](Case&& c) {
    out.push_back(std::move(c));
    return ok_status();
  }).ok());
  return out;
}

}  // namespace

TEST_CASE("mastodon: Link header targets and query parameters") {
  const std::string link =
      "<https://m.example/api/v1/notifications?limit=80&max_id=7&types%5B%5D=mention>; rel=\"next\", "
      "<https://m.example/api/v1/notifications?limit=80&min_id=99&types%5B%5D=mention>; rel=\"prev\"";
  CHECK(link_target(link, "next") == "https://m.example/api/v1/notifications?limit=80&max_id=7&types%5B%5D=mention");
  CHECK(query_param(link_target(link, "prev"), "min_id") == "99");
  CHECK(link_target(link, "last").empty());
  CHECK(link_target("", "next").empty());
}

TEST_CASE("mastodon: whoami names our acct@domain; limits come from /api/v2/instance") {
  Rig rig;
  auto http = make_curl_client({});
  auto ch = make_mastodon_channel(*http, MastodonOptions{rig.fake.base_url(), kToken, "", 5000, {}});
  auto me = ch->whoami();
  REQUIRE_MESSAGE(me.ok(), me.error().message);
  CHECK(me->handle == "northrail@transit.social");
  auto l = ch->limits();
  REQUIRE(l.ok());
  CHECK(l->max_chars == 500);
  CHECK(l->chars_per_url == 23);
  auto bad = make_mastodon_channel(*http, MastodonOptions{rig.fake.base_url(), "wrong-token", "", 5000, {}});
  auto refused = bad->whoami();
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == Exit::no_perm);
  CHECK(refused.error().message.find("wrong-token") == std::string::npos);
}

TEST_CASE("mastodon fetch: first run, threads, DMs, cursors; a second run adds nothing") {
  Rig rig;
  auto store = make_memory_store();
  auto first = rig.run(*store);
  REQUIRE_MESSAGE(!first.error, first.error->message);
  CHECK(first.handle == "northrail@transit.social");
  CHECK(first.new_cases > 10);
  CHECK(first.pages >= 3);
  const auto cases = all_cases(*store);
  std::set<std::string> ids;
  size_t dms = 0, answered = 0, with_followers = 0;
  for (const auto& c : cases) {
    CHECK(c.id.rfind("mastodon:northrail@transit.social:", 0) == 0);
    for (const auto& m : c.messages) CHECK_MESSAGE(ids.insert(m.id).second, "message in two cases: " << m.id);
    const bool dm = c.id.find(":dm-") != std::string::npos;
    dms += dm;
    for (const auto& m : c.messages) {
      CHECK(m.is_public == !dm);
      CHECK(m.text.find("<p>") == std::string::npos);  // HTML gone
      CHECK(m.text.find("</span>") == std::string::npos);
      if (m.dir == Dir::out) CHECK(m.author == "@northrail@transit.social");
    }
    answered += std::any_of(c.messages.begin(), c.messages.end(), [](const Message& m) { return m.dir == Dir::out; });
    with_followers += c.customer.followers.has_value();
  }
  CHECK(dms >= 2);
  CHECK(answered >= 1);
  CHECK(with_followers == cases.size());
  CHECK(ids.size() == first.new_messages);
  auto cursor = store->cursor("mastodon", "northrail@transit.social/notifications");
  REQUIRE(cursor.ok());
  CHECK(cursor->has_value());
  auto limits = store->cursor("mastodon", "northrail@transit.social/limits");
  REQUIRE(limits.ok());
  REQUIRE(limits->has_value());
  CHECK(nlohmann::json::parse(**limits)["max_chars"] == 500);

  auto second = rig.run(*store);
  REQUIRE(!second.error);
  CHECK(second.new_messages == 0);
  CHECK(second.new_cases == 0);
  CHECK(second.updated_cases == 0);
}

TEST_CASE("mastodon fetch: a customer's reply to our reply joins the case; an unknown parent starts one") {
  Rig rig;
  auto store = make_memory_store();
  REQUIRE(!rig.run(*store).error);
  const auto before = all_cases(*store);
  // Find a case we answered, then let its customer answer our reply.
  const Case* answered = nullptr;
  const Message* ours = nullptr;
  for (const auto& c : before)
    for (const auto& m : c.messages)
      if (c.id.find(":dm-") == std::string::npos && m.dir == Dir::out) answered = &c, ours = &m;
  REQUIRE(answered);
  const std::string acct = answered->customer.handle->substr(1);
  const auto notification = [&](const std::string& id, const std::string& reply_to) {
    nlohmann::json st = {{"id", id}, {"created_at", "2026-11-23T08:30:00.000Z"}, {"in_reply_to_id", reply_to},
                         {"in_reply_to_account_id", nullptr}, {"visibility", "public"}, {"content", "<p>@northrail thanks &amp; bye</p>"},
                         {"spoiler_text", ""}, {"mentions", nlohmann::json::array()}, {"url", nullptr},
                         {"account", {{"id", answered->customer.id}, {"username", acct.substr(0, acct.find('@'))}, {"acct", acct},
                                      {"display_name", "X"}, {"followers_count", 3}, {"url", "https://x.example/@x"}}}};
    return nlohmann::json{{"id", "9" + id.substr(id.size() - 8)}, {"type", "mention"}, {"created_at", "2026-11-23T08:30:00.000Z"},
                          {"account", st["account"]}, {"status", st}};
  };
  rig.post("/__fake/notifications", nlohmann::json::array({notification("999999999999999991", ours->id),
                                                             notification("999999999999999992", "123")}).dump());
  auto r = rig.run(*store);
  REQUIRE_MESSAGE(!r.error, r.error->message);
  CHECK(r.new_messages == 2);
  CHECK(r.new_cases == 1);
  CHECK(r.updated_cases == 1);
  auto joined = store->get(answered->id);
  REQUIRE(joined.ok());
  REQUIRE(joined->has_value());
  CHECK((*joined)->messages.back().id == "999999999999999991");
  CHECK((*joined)->messages.back().text == "@northrail thanks & bye");
  auto orphan = store->get("mastodon:northrail@transit.social:999999999999999992");
  REQUIRE(orphan.ok());
  CHECK(orphan->has_value());
}

// A followers-only ("private") post answered in public would show the
// customer's words to everyone: the reply keeps the post's audience, and the
// message stays in the thread's case (not a dm- case: grouping splits by
// is_public, and a followers-only post is no direct message).
TEST_CASE("mastodon: a followers-only or unlisted mention stays in its thread's case and is answered no wider") {
  Rig rig;
  auto store = make_memory_store();
  REQUIRE(!rig.run(*store).error);
  const std::vector<std::pair<std::string, std::string>> posts = {
      {"999999999999999981", "private"}, {"999999999999999982", "unlisted"}, {"999999999999999983", "public"}};
  auto items = nlohmann::json::array();
  for (const auto& [id, vis] : posts) items.push_back(mention(id, vis));
  rig.post("/__fake/notifications", items.dump());
  auto r = rig.run(*store);
  REQUIRE_MESSAGE(!r.error, r.error->message);
  CHECK(r.new_cases == 3);
  auto http = make_curl_client({});
  auto ch = make_mastodon_channel(*http, MastodonOptions{rig.fake.base_url(), kToken, "", 5000, {}});
  for (const auto& [id, vis] : posts) {
    CAPTURE(vis);
    auto got = store->get("mastodon:northrail@transit.social:" + id);
    REQUIRE(got.ok());
    REQUIRE(got->has_value());
    const Message& m = (*got)->messages.back();
    CHECK(m.is_public);
    CHECK(m.visibility == (vis == "public" ? OptString{} : OptString{vis}));
    auto req = reply::plan_post(**got, "Sorry, refund on its way", false);
    REQUIRE(req.ok());
    auto posted = ch->post(*req);
    REQUIRE_MESSAGE(posted.ok(), posted.error().message);
  }
  auto sent = rig.control->send(HttpRequest{"GET", rig.fake.base_url() + "/__fake/posts", {}, "", 5000});
  REQUIRE(sent.ok());
  std::map<std::string, std::string> visibility_of;
  for (const auto& p : nlohmann::json::parse(sent->body)) visibility_of[p["in_reply_to_id"]] = p["visibility"];
  CHECK(visibility_of["999999999999999981"] == "private");
  CHECK(visibility_of["999999999999999982"] == "unlisted");
  CHECK(visibility_of["999999999999999983"] == "public");
}

// The handoff's public pointer answers the customer's post too: no wider
// than it. The DM itself is direct and, on Mastodon, must mention them.
TEST_CASE("mastodon handoff: the DM mentions the customer; the pointer to a followers-only post is followers-only") {
  Rig rig;
  auto store = make_memory_store();
  REQUIRE(!rig.run(*store).error);
  rig.post("/__fake/notifications", nlohmann::json::array({mention("999999999999999984", "private")}).dump());
  REQUIRE(!rig.run(*store).error);
  handoff::HandoffConfig hc;
  TriageEnv teams;
  handoff::Deps d{*store, hc, teams,
                  [&](const Case&) -> Result<handoff::ChannelHandle> {
                    handoff::ChannelHandle h;
                    h.http = make_curl_client({});
                    h.channel = make_mastodon_channel(*h.http, MastodonOptions{rig.fake.base_url(), kToken, "", 5000, {}});
                    return h;
                  },
                  [] { return make_curl_client({}); }, test_env, {}};
  handoff::Request r{"mastodon:northrail@transit.social:999999999999999984", handoff::parse_target("dm").value(), "refund", "kim",
                     "2026-11-23T09:00:00Z", "Could you send us your booking reference?", std::nullopt};
  auto out = handoff::hand_off(d, r);
  REQUIRE_MESSAGE(out.ok(), out.error().message);
  auto sent = rig.control->send(HttpRequest{"GET", rig.fake.base_url() + "/__fake/posts", {}, "", 5000});
  REQUIRE(sent.ok());
  const auto posts = nlohmann::json::parse(sent->body);
  REQUIRE(posts.size() == 2);
  CHECK(posts[0]["visibility"] == "direct");
  CHECK(posts[0]["status"] == "@pat@example.org Could you send us your booking reference?");
  CHECK(posts[1]["visibility"] == "private");
  CHECK(posts[1]["in_reply_to_id"] == "999999999999999984");
  const Message& pointer = out->c.messages.back();
  CHECK(pointer.posted_id == posts[1]["id"].get<std::string>());
  CHECK(pointer.visibility == OptString{"private"});
}

TEST_CASE("mastodon fetch: faults give the documented errors and retries") {
  Rig rig;
  auto store = make_memory_store();
  SUBCASE("500 then success: retried") {
    rig.post("/__fake/faults", R"({"path":"/api/v1/notifications","kind":"500","times":2})");
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(r.http.retries == 2);
  }
  SUBCASE("wrong shape: exit 65 naming the URL") {
    rig.post("/__fake/faults", R"({"path":"/api/v1/notifications","kind":"wrong_shape"})");
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::data);
    CHECK(r.error->message.find("/api/v1/notifications") != std::string::npos);
    CHECK(all_cases(*store).empty());
  }
  SUBCASE("malformed JSON: exit 65") {
    rig.post("/__fake/faults", R"({"path":"/api/v1/notifications","kind":"malformed"})");
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::data);
    CHECK(r.error->message.find("not valid JSON") != std::string::npos);
  }
  SUBCASE("401: exit 77") {
    rig.post("/__fake/faults", R"({"path":"/api/v1/notifications","kind":"401"})");
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::no_perm);
  }
  SUBCASE("slow past the timeout: retried") {
    rig.post("/__fake/faults", R"({"path":"/api/v1/notifications","kind":"slow","delay_ms":1500})");
    auto r = rig.run(*store, "2026-11-01T00:00:00Z", 400);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(r.http.retries == 1);
  }
  SUBCASE("dropped mid-body: retried") {
    rig.post("/__fake/faults", R"({"path":"/api/v1/notifications","kind":"drop"})");
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(r.http.retries == 1);
  }
  SUBCASE("429 within max-wait: waits, then goes on") {
    rig.post("/__fake/faults", R"({"path":"/api/v1/notifications","kind":"429","reset_in_s":2})");
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(r.http.waits == 1);
    REQUIRE(!rig.sleeper.slept.empty());
    CHECK(rig.sleeper.slept[0] <= 4000);
  }
  for (const auto& line : rig.log) CHECK(line.find(kToken) == std::string::npos);
}

}  // namespace socq

namespace socq {

TEST_CASE("fetch runner: accounts run concurrently, each with its own cursors; unknown names are usage errors") {
  Rig rig;
  auto store = make_memory_store();
  AccountConfig a = rig.account(), b = rig.account();
  b.name = "mirror";
  b.handle = "@mirror@transit.social";  // configured: used as given, without the '@'
  FetchSettings s;
  s.since_ms = parse_since("2026-11-01", 0).value();
  s.now = "2026-11-23T09:00:00Z";
  FetchHooks h;
  h.sleeper = &rig.sleeper;
  const auto results = fetch_accounts(store.get(), {a, b}, s, h, test_env);
  REQUIRE(results.size() == 2);
  for (const auto& r : results) REQUIRE_MESSAGE(!r.error, r.error->message);
  CHECK(results[0].handle == "northrail@transit.social");
  CHECK(results[1].handle == "mirror@transit.social");
  CHECK(results[0].new_cases > 10);
  CHECK(results[1].new_cases > 10);
  for (const char* key : {"northrail@transit.social/notifications", "mirror@transit.social/notifications"}) {
    auto c = store->cursor("mastodon", key);
    REQUIRE(c.ok());
    CHECK(c->has_value());
  }

  auto picked = select_accounts({a, b}, {"mirror"});
  REQUIRE(picked.ok());
  REQUIRE(picked->size() == 1);
  CHECK(picked->front().name == "mirror");
  auto unknown = select_accounts({a, b}, {"miror"});
  REQUIRE(!unknown.ok());
  CHECK(unknown.error().code == Exit::usage);
  CHECK(unknown.error().message.find("did you mean \"mirror\"?") != std::string::npos);
  CHECK(select_accounts({}, {}).error().code == Exit::config);
}

TEST_CASE("fetch: --since takes dates, times and durations") {
  const int64_t now = parse_since("2026-11-23T09:00:00Z", 0).value();
  CHECK(parse_since("7d", now).value() == now - 7 * 86'400'000LL);
  CHECK(parse_since("36h", now).value() == now - 36 * 3'600'000LL);
  CHECK(parse_since("2026-11-20", now).value() == parse_since("2026-11-20T00:00:00Z", 0).value());
  CHECK(parse_since("yesterday", now).error().code == Exit::usage);
}

// Any answer to /api/v2/instance gives limits or a clear error. A missing
// max_characters was read through nlohmann's const operator[], which reads
// freed memory (fuzz_mastodon found it; ASan sees it here).
TEST_CASE("mastodon limits: an Instance without configuration.statuses.max_characters is an error, not a crash") {
  struct OneBody final : HttpClient {
    std::string body;
    Result<HttpResponse> send(const HttpRequest&) override {
      HttpResponse r;
      r.status = 200;
      r.body = body;
      return r;
    }
  } http;
  auto ch = make_mastodon_channel(http, MastodonOptions{"http://127.0.0.1:9", kToken, "brand@example.social", 5000, {}});
  for (const char* body : {R"({"configuration":{"statuses":{"characters_reserved_per_url":23}}})",
                           R"({"configuration":{"statuses":{}}})", R"({"configuration":{"statuses":[1]}})",
                           R"({"configuration":{}})", R"({"configuration":"x"})", R"({})", R"([])",
                           R"({"configuration":{"statuses":{"max_characters":"500"}}})"}) {
    CAPTURE(body);
    http.body = body;
    auto l = ch->limits();
    REQUIRE_FALSE(l.ok());
    CHECK(l.error().code == Exit::data);
    CHECK(l.error().message.find("configuration.statuses.max_characters") != std::string::npos);
  }
  http.body = R"({"configuration":{"statuses":{"max_characters":5000}}})";
  auto l = ch->limits();
  REQUIRE(l.ok());
  CHECK(l->max_chars == 5000);
  CHECK(l->chars_per_url == 23);  // Mastodon's own default when the server does not say
}

}  // namespace socq
