// The Bluesky channel and the fetch runner against the in-process Bluesky
// fake (tests/fakes/bluesky.h): real HTTP over libcurl on 127.0.0.1.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "lib/channels/bluesky.h"
#include "lib/channels/facets.h"
#include "lib/fetch.h"
#include "lib/handoff/handoff.h"
#include "lib/http_curl.h"
#include "lib/case_json.h"
#include "tests/fakes/bluesky.h"
#include "tests/test_util.h"

namespace socq {
namespace {

using json = nlohmann::json;
constexpr const char* kPassword = "app-pass-word-1234";
constexpr const char* kHandle = "northrail.bsky.social";
constexpr const char* kDid = "did:plc:northrailtransit2222222";

std::optional<std::string> test_env(const char* name) {
  if (std::string(name) == "NR_BSKY_PASSWORD") return std::string(kPassword);
  if (std::string(name) == "NR_BSKY_WRONG") return std::string("wrong-password-9876");
  return std::nullopt;
}

struct NoSleep final : Sleeper {
  void sleep_ms(int64_t ms) override { slept.push_back(ms); }
  std::vector<int64_t> slept;
};

struct Rig {
  fake::BlueskyFake fake{{.fixtures = fake::default_bluesky_fixtures()}};
  std::unique_ptr<HttpClient> control = make_curl_client({});
  test::TempDir dir;
  NoSleep sleeper;
  std::vector<std::string> log;
  std::string password_env = "NR_BSKY_PASSWORD";
  Rig() {
    std::string err;
    REQUIRE_MESSAGE((fake.load(&err) && fake.start(0, &err)), err);
  }
  std::string store_path() const { return dir.file("socq.db"); }
  std::string session_file() const { return bluesky_session_path(store_path(), "nr-bsky"); }
  AccountConfig account() const {
    AccountConfig a;
    a.name = "nr-bsky";
    a.channel = "bluesky";
    a.handle = kHandle;
    a.base_url = fake.base_url();
    a.password_env = password_env;
    a.source = "test";
    return a;
  }
  json control_json(const std::string& method, const std::string& path, const std::string& body = "") {
    auto r = control->send(HttpRequest{method, fake.base_url() + path, {{"Content-Type", "application/json"}}, body, 5000});
    REQUIRE(r.ok());
    REQUIRE_MESSAGE(r->status == 200, r->body);
    return json::parse(r->body);
  }
  void fault(const std::string& path, const std::string& kind, int times = 1, int reset_in_s = 2) {
    control_json("POST", "/__fake/faults", json{{"path", path}, {"kind", kind}, {"times", times}, {"reset_in_s", reset_in_s}}.dump());
  }
  int calls(const std::string& nsid) {
    auto j = control_json("GET", "/__fake/calls");
    return j.value(nsid, 0);
  }
  AccountResult run(Store& store, const std::string& since = "2026-11-01T00:00:00Z") {
    FetchSettings s;
    s.since_ms = parse_since(since, 0).value();
    s.now = "2026-11-24T09:00:00Z";
    s.timeout_ms = 5000;
    s.policy.base_backoff_ms = 1;
    s.store_path = store_path();
    FetchHooks h;
    h.sleeper = &sleeper;
    h.log = [this](const std::string&, const std::string& line) { log.push_back(line); };
    auto results = fetch_accounts(&store, {account()}, s, h, test_env);
    REQUIRE(results.size() == 1);
    return results[0];
  }
  // A channel of its own (like a new process), logging to `log`.
  std::unique_ptr<Channel> channel(HttpClient& http) {
    BlueskyOptions o;
    o.base_url = fake.base_url();
    o.identifier = kHandle;
    o.password = kPassword;
    o.handle = kHandle;
    o.session_file = session_file();
    o.timeout_ms = 5000;
    o.note = [this](const std::string& line) { log.push_back(line); };
    return make_bluesky_channel(http, std::move(o));
  }
};

std::vector<Case> all_cases(Store& store) {
  std::vector<Case> out;
  REQUIRE(store.list(CaseFilter{}, [&](Case&& c) {
    out.push_back(std::move(c));
    return ok_status();
  }).ok());
  return out;
}

json notification(const std::string& rkey, const std::string& at, const std::string& text, const json& reply = nullptr) {
  const json author = {{"did", "did:plc:newcustomer22222222222"}, {"handle", "newbie.bsky.social"}, {"displayName", "New Bie"}};
  const std::string uri = "at://did:plc:newcustomer22222222222/app.bsky.feed.post/" + rkey;
  json record = {{"$type", "app.bsky.feed.post"}, {"text", text}, {"createdAt", at}};
  if (!reply.is_null()) record["reply"] = reply;
  return {{"uri", uri}, {"cid", "bafyreinew" + rkey}, {"author", author}, {"reason", reply.is_null() ? "mention" : "reply"},
          {"record", record}, {"isRead", false}, {"indexedAt", at}};
}

}  // namespace

TEST_CASE("bluesky: TIDs, rkeys from idempotency keys, AT Protocol times") {
  const std::string t = make_tid(1700000000000000ULL, 5);
  CHECK(t.size() == 13);
  CHECK(is_tid(t));
  CHECK(make_tid(1700000000000001ULL, 5) > t);  // TIDs sort by time
  CHECK_FALSE(is_tid("3jzfcijpj2z2"));           // 12 chars
  CHECK_FALSE(is_tid("zzzzzzzzzzzzz"));          // top bit set
  CHECK(bluesky_rkey(t) == t);                   // a TID key is the rkey itself
  const std::string k = bluesky_rkey("outbox-key-42");
  CHECK(is_tid(k));
  CHECK(bluesky_rkey("outbox-key-42") == k);  // stable across retries
  CHECK(bluesky_rkey("outbox-key-43") != k);
  CHECK(atproto_time_ms("2026-11-20T08:00:00.000Z") == 1795161600000);
  CHECK(atproto_time_ms("2026-11-20T09:00:00.123456+01:00") == 1795161600123);
  CHECK(atproto_time_ms("2026-11-20T08:00:00") == std::nullopt);
  CHECK(atproto_time_ms("yesterday") == std::nullopt);
}

TEST_CASE("bluesky facets: byte offsets for mentions and links; graphemes") {
  const std::string text = "Grüße @ada0.bsky.social, see https://example.org/a?b=1. (@x) @no-dot";
  auto m = find_mentions(text);
  REQUIRE(m.size() == 1);
  CHECK(m[0].value == "ada0.bsky.social");
  CHECK(text.substr(m[0].begin, m[0].end - m[0].begin) == "@ada0.bsky.social");
  CHECK(m[0].begin == 8);  // "Grüße " is 8 bytes: ü and ß take two each
  auto l = find_links(text);
  REQUIRE(l.size() == 1);
  CHECK(l[0].value == "https://example.org/a?b=1");
  CHECK(text.substr(l[0].begin, l[0].end - l[0].begin) == l[0].value);
  CHECK(grapheme_count("👩‍👩‍👧 🇬🇧 e\xCC\x81") == 5);  // family, space, flag, space, e + combining accent
  CHECK(grapheme_count("") == 0);
}

TEST_CASE("bluesky: notification pages parse; bad shapes are data errors") {
  auto p = parse_bluesky_notifications(R"({"cursor":"2026-11-20T08:00:00.000Z","notifications":[
    {"uri":"at://did:plc:a/app.bsky.feed.post/3k","cid":"c","author":{"did":"did:plc:a","handle":"a.test"},"reason":"mention",
     "record":{"$type":"app.bsky.feed.post","text":"hi","createdAt":"2026-11-20T08:00:00Z"},"indexedAt":"2026-11-20T08:00:00.000Z"},
    {"uri":"at://did:plc:a/app.bsky.feed.like/3l","author":{"did":"did:plc:a"},"reason":"like","record":{"$type":"app.bsky.feed.like"},
     "indexedAt":"2026-11-20T08:00:00.000Z"}]})");
  REQUIRE(p.ok());
  CHECK(p->posts.size() == 1);
  CHECK(p->cursor == "2026-11-20T08:00:00.000Z");
  CHECK(parse_bluesky_notifications(R"({"notifications":{}})").error().code == Exit::data);
  CHECK(parse_bluesky_notifications("[").error().code == Exit::data);
  auto bad = parse_bluesky_notifications(R"({"notifications":[{"uri":"x","author":{"did":"d"},"record":{"$type":"app.bsky.feed.post"},"indexedAt":"now"}]})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("notification 0") != std::string::npos);
}

TEST_CASE("bluesky: a link facet gives the whole URL the text shows cut; bad facet ranges are ignored") {
  // "é" is two bytes: byte offsets, not characters.
  auto p = parse_bluesky_notifications(R"({"notifications":[
    {"uri":"at://did:plc:a/app.bsky.feed.post/3k","cid":"c","author":{"did":"did:plc:a"},"reason":"mention",
     "record":{"$type":"app.bsky.feed.post","text":"é see example.org/a/ve... and x.io/b ok","createdAt":"2026-11-20T08:00:00Z",
       "facets":[{"index":{"byteStart":7,"byteEnd":26},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://example.org/a/very/long"}]},
                 {"index":{"byteStart":31,"byteEnd":37},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://x.io/b"}]},
                 {"index":{"byteStart":0,"byteEnd":2},"features":[{"$type":"app.bsky.richtext.facet#mention","did":"did:plc:b"}]},
                 {"index":{"byteStart":30,"byteEnd":900},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://bad"}]},
                 {"index":{"byteStart":1,"byteEnd":2},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://cut"}]}]},
     "indexedAt":"2026-11-20T08:00:00.000Z"}]})");
  REQUIRE(p.ok());
  REQUIRE(p->posts.size() == 1);
  CHECK(p->posts[0].text == "é see https://example.org/a/very/long and https://x.io/b ok");
}

TEST_CASE("bluesky session: one createSession, cached 0600 beside the store; a bad password is refused (77)") {
  Rig rig;
  auto http = make_curl_client({});
  {
    auto ch = rig.channel(*http);
    auto me = ch->whoami();
    REQUIRE_MESSAGE(me.ok(), me.error().message);
    CHECK(me->id == kDid);
    CHECK(me->handle == kHandle);
    auto l = ch->limits();
    REQUIRE(l.ok());
    CHECK(l->max_chars == 300);
    CHECK(l->max_bytes == 3000);
    CHECK(l->unit == "graphemes");
  }
  struct stat st{};
  REQUIRE(stat(rig.session_file().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(test::read_file(rig.session_file()).find(kPassword) == std::string::npos);
  {
    auto ch = rig.channel(*http);  // a new run: the cache serves
    REQUIRE(ch->whoami().ok());
  }
  CHECK(rig.calls("com.atproto.server.createSession") == 1);
  {
    // A cached session the PDS cannot verify (InvalidToken, not expired):
    // forgotten, one new login, and the call goes through.
    test::write_file(rig.session_file(), R"({"did":")" + std::string(kDid) +
                                             R"(","handle":"x","accessJwt":"not.a.jwt","refreshJwt":"nor.this.one"})" "\n");
    auto store = make_memory_store();
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(r.new_messages > 0);
    CHECK(rig.calls("com.atproto.server.createSession") == 2);
    CHECK(test::read_file(rig.session_file()).find("not.a.jwt") == std::string::npos);
  }

  BlueskyOptions o;
  o.base_url = rig.fake.base_url();
  o.identifier = kHandle;
  o.password = "wrong-password-9876";
  auto bad = make_bluesky_channel(*http, o)->whoami();
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == Exit::no_perm);
  CHECK(bad.error().message.find("wrong-password-9876") == std::string::npos);
  CHECK(bad.error().message.find("AuthenticationRequired") == std::string::npos);  // said in words
}

TEST_CASE("bluesky fetch: pages to the end, de-duplicated, threaded; a second run adds nothing") {
  Rig rig;
  auto store = make_memory_store();
  auto first = rig.run(*store);
  REQUIRE_MESSAGE(!first.error, first.error->message);
  CHECK(first.handle == kHandle);
  CHECK(first.pages >= 4);  // 121 notifications, 50 a page (likes filtered out), and the chat pages
  const auto cases = all_cases(*store);
  std::set<std::string> ids;
  size_t dms = 0, answered = 0;
  for (const auto& c : cases) {
    CHECK(c.id.rfind(std::string("bluesky:") + kHandle + ":", 0) == 0);
    for (const auto& m : c.messages) CHECK_MESSAGE(ids.insert(m.id).second, "message twice: " << m.id);
    const bool dm = c.id.find(":dm-") != std::string::npos;
    dms += dm;
    for (const auto& m : c.messages) {
      CHECK(m.is_public == !dm);
      if (m.dir == Dir::out) CHECK(m.author == std::string("@") + kHandle);
    }
    if (!dm) {
      const std::string root = c.id.substr(std::string("bluesky:").size() + std::string(kHandle).size() + 1);
      CHECK(root.rfind("at://", 0) == 0);
      answered += std::any_of(c.messages.begin(), c.messages.end(), [](const Message& m) { return m.dir == Dir::out; });
    }
    CHECK(c.customer.followers.has_value());
    CHECK(c.customer.id.rfind("did:plc:", 0) == 0);
  }
  CHECK(dms == 3);
  CHECK(answered >= 5);  // a customer's answer to our reply brings our reply (outbound) into the case
  // 99 posts (75 mentions, 24 replies) with one pair at the same instant, our answered replies, 12 DMs
  CHECK(ids.size() == first.new_messages);
  CHECK(ids.count("at://did:plc:custbcdefghijklmnopqrstu/app.bsky.feed.post/x") == 0);
  auto cursor = store->cursor("bluesky", std::string(kHandle) + "/notifications");
  REQUIRE(cursor.ok());
  REQUIRE(cursor->has_value());
  CHECK(atproto_time_ms(**cursor).has_value());
  CHECK(rig.calls("app.bsky.actor.getProfiles") >= 1);

  const int list_calls = rig.calls("app.bsky.notification.listNotifications");
  auto second = rig.run(*store);
  REQUIRE_MESSAGE(!second.error, second.error->message);
  CHECK(second.new_messages == 0);
  CHECK(second.updated_cases == 0);
  CHECK(rig.calls("app.bsky.notification.listNotifications") == list_calls + 1);  // stops at the cursor
  CHECK(rig.calls("com.atproto.server.createSession") == 1);                     // the cached session served

  // A new mention and a customer's answer to our earlier reply.
  const Case* ours = nullptr;
  const Message* our_reply = nullptr;
  for (const auto& c : cases)
    for (const auto& m : c.messages)
      if (c.id.find(":dm-") == std::string::npos && m.dir == Dir::out) ours = &c, our_reply = &m;
  REQUIRE(ours);
  const std::string root_uri = ours->messages.front().id;
  json reply = {{"root", {{"uri", root_uri}, {"cid", "x"}}}, {"parent", {{"uri", our_reply->id}, {"cid", "y"}}}};
  json answer = notification("3zzzzzzzzzzz2", "2026-11-24T08:00:00.000Z", "still broken", reply);
  answer["author"] = {{"did", ours->customer.id}, {"handle", ours->customer.handle->substr(1)}};
  answer["uri"] = "at://" + ours->customer.id + "/app.bsky.feed.post/3zzzzzzzzzzz2";
  rig.control_json("POST", "/__fake/notifications",
                   json::array({notification("3zzzzzzzzzzz3", "2026-11-24T08:01:00.000Z", "@northrail.bsky.social hello"), answer}).dump());
  auto third = rig.run(*store);
  REQUIRE_MESSAGE(!third.error, third.error->message);
  CHECK(third.new_messages == 2);
  CHECK(third.new_cases == 1);
  CHECK(third.updated_cases == 1);
  auto joined = store->get(ours->id);
  REQUIRE(joined.ok());
  REQUIRE(joined->has_value());
  CHECK((*joined)->messages.back().text == "still broken");
  CHECK((*joined)->messages.back().reply_to == our_reply->id);
}

TEST_CASE("bluesky fetch: faults") {
  Rig rig;
  auto store = make_memory_store();
  SUBCASE("ExpiredToken: refreshSession, then the request again") {
    rig.fault("/xrpc/app.bsky.notification.listNotifications", "expired_token");
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(rig.calls("com.atproto.server.refreshSession") == 1);
    CHECK(rig.calls("com.atproto.server.createSession") == 1);
  }
  SUBCASE("cached tokens expired: refresh; refresh token expired too: one createSession") {
    REQUIRE(!rig.run(*store).error);
    rig.control_json("POST", "/__fake/expire", R"({"kind":"access"})");
    REQUIRE(!rig.run(*store).error);
    CHECK(rig.calls("com.atproto.server.refreshSession") == 1);
    CHECK(rig.calls("com.atproto.server.createSession") == 1);
    rig.control_json("POST", "/__fake/expire", R"({"kind":"all"})");
    REQUIRE(!rig.run(*store).error);
    CHECK(rig.calls("com.atproto.server.createSession") == 2);
  }
  SUBCASE("429 with Retry-After and RateLimit-Reset: waited out") {
    rig.fault("/xrpc/app.bsky.notification.listNotifications", "429", 1, 7);
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    REQUIRE(rig.sleeper.slept.size() >= 1);
    CHECK(rig.sleeper.slept[0] >= 6000);
    CHECK(rig.sleeper.slept[0] <= 7000);
  }
  SUBCASE("createSession rate limit: a reset beyond --max-wait exits 75 naming the time") {
    rig.control_json("POST", "/__fake/session_window", R"({"used":30,"reset_in_s":900})");
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::temp_fail);
    CHECK(r.error->message.find("try again after") != std::string::npos);
    CHECK(rig.calls("com.atproto.server.createSession") == 1);
  }
  SUBCASE("500 twice: retried") {
    rig.fault("/xrpc/app.bsky.notification.listNotifications", "500", 2);
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(r.http.retries == 2);
  }
  SUBCASE("malformed JSON: 65, nothing stored") {
    rig.fault("/xrpc/app.bsky.notification.listNotifications", "malformed");
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::data);
    CHECK(all_cases(*store).empty());
  }
  SUBCASE("wrong shape: 65") {
    rig.fault("/xrpc/app.bsky.notification.listNotifications", "wrong_shape");
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::data);
  }
  SUBCASE("a revoked token: 77 after one new login") {
    rig.fault("/xrpc/app.bsky.notification.listNotifications", "invalid_token");
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::no_perm);
  }
  SUBCASE("wrong app password: 77, never printed") {
    rig.password_env = "NR_BSKY_WRONG";
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::no_perm);
    CHECK(r.error->message.find("wrong-password-9876") == std::string::npos);
  }
}

TEST_CASE("bluesky fake: chat needs the atproto-proxy header (501 without)") {
  Rig rig;
  auto http = make_curl_client({});
  auto session = http->send(HttpRequest{"POST", rig.fake.base_url() + "/xrpc/com.atproto.server.createSession",
                                        {{"Content-Type", "application/json"}},
                                        json{{"identifier", kHandle}, {"password", kPassword}}.dump(), 5000});
  REQUIRE(session.ok());
  REQUIRE(session->status == 200);
  CHECK(session->header("ratelimit-policy") == "30;w=300");
  const std::string jwt = json::parse(session->body)["accessJwt"];
  auto r = http->send(HttpRequest{"GET", rig.fake.base_url() + "/xrpc/chat.bsky.convo.listConvos", {{"Authorization", "Bearer " + jwt}}, "", 5000});
  REQUIRE(r.ok());
  CHECK(r->status == 501);
  CHECK(json::parse(r->body)["error"] == "MethodNotImplemented");
}

TEST_CASE("bluesky post: a reply with strong refs, facets and our rkey; retries post once") {
  Rig rig;
  auto http = make_curl_client({});
  auto ch = rig.channel(*http);
  // A customer's reply to our reply: the root stays the thread's root.
  auto notifications = json::parse(test::read_file(fake::default_bluesky_fixtures() + "/notifications.json"));
  json target;
  for (const auto& n : notifications)
    if (n["reason"] == "reply") target = n;
  REQUIRE(!target.is_null());
  PostRequest req;
  req.text = "@ada0.bsky.social Grüße: see https://example.org/status for updates";
  req.in_reply_to = target["uri"].get<std::string>();
  req.idempotency_key = "outbox-7f3a";
  auto posted = ch->post(req);
  REQUIRE_MESSAGE(posted.ok(), posted.error().message);
  const std::string rkey = bluesky_rkey("outbox-7f3a");
  CHECK(posted->id == std::string("at://") + kDid + "/app.bsky.feed.post/" + rkey);
  CHECK(posted->url == "https://bsky.app/profile/" + std::string(kHandle) + "/post/" + rkey);
  auto posts = rig.control_json("GET", "/__fake/posts");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0]["reply"]["parent"]["uri"] == target["uri"]);
  CHECK(posts[0]["reply"]["parent"]["cid"] == target["cid"]);
  CHECK(posts[0]["reply"]["root"]["uri"] == target["record"]["reply"]["root"]["uri"]);
  const auto& facets = posts[0]["facets"];
  REQUIRE(facets.size() == 2);
  CHECK(facets[0]["index"]["byteStart"] == 0);
  CHECK(facets[0]["index"]["byteEnd"] == 17);
  CHECK(facets[0]["features"][0]["$type"] == "app.bsky.richtext.facet#mention");
  CHECK(facets[0]["features"][0]["did"].get<std::string>().rfind("did:plc:cust", 0) == 0);
  CHECK(facets[1]["features"][0]["uri"] == "https://example.org/status");
  CHECK(facets[1]["index"]["byteStart"] == req.text.find("https://"));

  SUBCASE("the same key again (a retry after a lost answer): found by getRecord, not posted again") {
    auto again = ch->post(req);
    REQUIRE(again.ok());
    CHECK(again->id == posted->id);
    CHECK(rig.control_json("GET", "/__fake/posts").size() == 1);
  }
  SUBCASE("the answer lost to a 500 after the post was made: still one post, reported as posted") {
    rig.fault("/xrpc/com.atproto.repo.createRecord", "processed_500");
    req.idempotency_key = "outbox-8b11";
    auto lost = ch->post(req);
    REQUIRE_MESSAGE(lost.ok(), lost.error().message);
    CHECK(lost->id.find(bluesky_rkey("outbox-8b11")) != std::string::npos);
    CHECK(rig.control_json("GET", "/__fake/posts").size() == 2);
  }
  SUBCASE("killed between send and mark: a new process with the same key posts nothing more") {
    auto http2 = make_curl_client({});
    auto rerun = rig.channel(*http2);
    auto again = rerun->post(req);
    REQUIRE(again.ok());
    CHECK(again->id == posted->id);
    CHECK(rig.control_json("GET", "/__fake/posts").size() == 1);
  }
  SUBCASE("a failure before sending is an error, nothing posted") {
    rig.fault("/xrpc/com.atproto.repo.createRecord", "500");
    req.idempotency_key = "outbox-9c22";
    auto failed = ch->post(req);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == Exit::unavailable);
    CHECK(rig.control_json("GET", "/__fake/posts").size() == 1);
  }
  SUBCASE("too long: refused before sending (graphemes, then bytes)") {
    req.text = std::string(301, 'a');
    CHECK(ch->post(req).error().code == Exit::data);
    std::string wide;
    for (int i = 0; i < 251; ++i) wide += "\xF0\x9F\x9A\x86";  // 251 trains: 1004 bytes, fine
    req.text = wide;
    req.idempotency_key = "outbox-wide";
    CHECK(ch->post(req).ok());
    CHECK(rig.control_json("GET", "/__fake/posts").size() == 2);
  }
}

TEST_CASE("bluesky DMs: fetched as private cases; a private reply is sent once") {
  Rig rig;
  auto store = make_memory_store();
  REQUIRE(!rig.run(*store).error);
  auto dm = store->get(std::string("bluesky:") + kHandle + ":dm-convo1");
  REQUIRE(dm.ok());
  REQUIRE(dm->has_value());
  CHECK((*dm)->messages.size() == 4);
  CHECK_FALSE((*dm)->messages[0].is_public);
  auto http = make_curl_client({});
  auto ch = rig.channel(*http);
  PostRequest req;
  req.text = "We have refunded your ticket.";
  req.is_public = false;
  req.in_reply_to = (*dm)->messages.front().id;
  req.idempotency_key = "outbox-dm-1";
  auto sent = ch->post(req);
  REQUIRE_MESSAGE(sent.ok(), sent.error().message);
  CHECK(sent->id.rfind("chat:convo1:", 0) == 0);
  auto again = ch->post(req);  // a retry finds it among the latest messages
  REQUIRE(again.ok());
  CHECK(again->id == sent->id);
  CHECK(rig.control_json("GET", "/__fake/posts").size() == 1);
  // A private reply to a public post opens the customer's conversation.
  PostRequest to_post = req;
  to_post.in_reply_to = "at://did:plc:custvwxyz234567abcdefghi/app.bsky.feed.post/3kabc";
  to_post.text = "Following up in private.";
  auto opened = ch->post(to_post);
  REQUIRE_MESSAGE(opened.ok(), opened.error().message);
  CHECK(rig.control_json("GET", "/__fake/posts").size() == 2);
  // The chat cursor moves and the next run adds nothing new but our message.
  auto next = rig.run(*store);
  REQUIRE(!next.error);
  CHECK(next.new_messages == 2);  // our two DMs: convo1's, and the new conversation's (a case of its own)
  CHECK(next.new_cases == 1);
}

// A chat message goes to the recipient's DID: opening it with "@handle"
// (even "@handle.invalid") addresses the customer as a public reply would.
// Only Mastodon needs the mention in a DM; the public pointer keeps it.
TEST_CASE("bluesky handoff: the DM does not start with the customer's @mention; the public pointer does") {
  Rig rig;
  auto store = make_memory_store();
  REQUIRE(!rig.run(*store).error);
  std::string id, handle;
  for (const auto& c : all_cases(*store))
    if (id.empty() && c.id.find(":dm-") == std::string::npos && c.customer.handle &&
        std::any_of(c.messages.begin(), c.messages.end(), [](const Message& m) { return m.dir == Dir::in && m.is_public; }))
      id = c.id, handle = *c.customer.handle;
  REQUIRE(!id.empty());
  handoff::HandoffConfig hc;
  TriageEnv teams;
  handoff::Deps d{*store, hc, teams,
                  [&](const Case&) -> Result<handoff::ChannelHandle> {
                    handoff::ChannelHandle h;
                    h.http = make_curl_client({});
                    h.channel = rig.channel(*h.http);
                    return h;
                  },
                  [] { return make_curl_client({}); }, test_env, {}};
  const std::string text = "Could you send us your booking reference?";
  handoff::Request r{id, handoff::parse_target("dm").value(), "booking", "kim", "2026-11-24T09:00:00Z", text, std::nullopt};
  auto out = handoff::hand_off(d, r);
  REQUIRE_MESSAGE(out.ok(), out.error().message);
  const json posts = rig.control_json("GET", "/__fake/posts");
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].contains("convoId"));  // the DM first
  CHECK(posts[0]["text"] == text);
  CHECK_FALSE(posts[1].contains("convoId"));  // then the public pointer, which mentions
  CHECK(posts[1]["text"].get<std::string>().rfind((handle[0] == '@' ? "" : "@") + handle + " ", 0) == 0);
}

TEST_CASE("bluesky: no password or JWT in output, logs, errors, the store or case files") {
  Rig rig;
  auto store = make_memory_store();
  rig.fault("/xrpc/app.bsky.notification.listNotifications", "expired_token");
  rig.fault("/xrpc/app.bsky.notification.listNotifications", "500");
  REQUIRE(!rig.run(*store).error);
  const auto session = load_bluesky_session(rig.session_file());
  REQUIRE_FALSE(session.empty());
  std::string everything;
  for (const auto& l : rig.log) everything += l + "\n";
  for (const auto& c : all_cases(*store)) everything += case_to_json(c) + "\n";
  auto r = rig.control_json("GET", "/__fake/requests");
  CHECK(everything.find(kPassword) == std::string::npos);
  CHECK(everything.find(session.access_jwt) == std::string::npos);
  CHECK(everything.find(session.refresh_jwt) == std::string::npos);
  CHECK(everything.find("eyJ") == std::string::npos);  // no JWT at all
  // The password went only in createSession's body.
  for (const auto& req : r)
    if (req["path"] != "/xrpc/com.atproto.server.createSession") CHECK(req.dump().find(kPassword) == std::string::npos);
}

}  // namespace socq
