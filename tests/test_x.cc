// The X channel and the fetch runner against the in-process X fake
// (tests/fakes/x.*): real HTTP over libcurl on 127.0.0.1.
#include <doctest/doctest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "lib/channels/x.h"
#include "lib/fetch.h"
#include "lib/http_curl.h"
#include "lib/http_policy.h"
#include "tests/fakes/x.h"
#include "tests/test_util.h"

namespace socq {
namespace {

constexpr const char* kToken = "fake-token-x-northrail";

std::optional<std::string> x_env(const char* name) {
  if (std::string(name) == "X_TOKEN") return std::string(kToken);
  return std::nullopt;
}

struct CountingSleeper final : Sleeper {
  void sleep_ms(int64_t ms) override { slept.push_back(ms); }
  std::vector<int64_t> slept;
};

struct XRig {
  fake::XFake fake{{.fixtures = fake::default_x_fixtures(), .tokens = {}, .rate_limit = 300}};
  std::unique_ptr<HttpClient> control = make_curl_client({});
  CountingSleeper sleeper;
  std::vector<std::string> log;
  XRig() {
    std::string err;
    REQUIRE_MESSAGE((fake.load(&err) && fake.start(0, &err)), err);
  }
  AccountConfig account() const {
    AccountConfig a;
    a.name = "nrx";
    a.channel = "x";
    a.base_url = fake.base_url();
    a.token_env = "X_TOKEN";
    a.source = "test";
    return a;
  }
  void post(const std::string& path, const std::string& body) {
    auto r = control->send(HttpRequest{"POST", fake.base_url() + path, {{"Content-Type", "application/json"}}, body, 5000});
    REQUIRE(r.ok());
    REQUIRE_MESSAGE(r->status == 200, r->body);
  }
  nlohmann::json get(const std::string& path) {
    auto r = control->send(HttpRequest{"GET", fake.base_url() + path, {}, "", 5000});
    REQUIRE(r.ok());
    return nlohmann::json::parse(r->body);
  }
  size_t requests_to(const std::string& prefix, const std::string& query_part = "") {
    size_t n = 0;
    for (const auto& r : get("/__fake/requests"))
      if (r["path"].get<std::string>().rfind(prefix, 0) == 0 && r["query"].get<std::string>().find(query_part) != std::string::npos) ++n;
    return n;
  }
  AccountResult run(Store& store, const std::string& since = "2026-11-01T00:00:00Z", int64_t max_wait_ms = 300000) {
    FetchSettings s;
    s.since_ms = parse_since(since, 0).value();
    s.now = "2026-11-23T09:00:00Z";
    s.policy.base_backoff_ms = 1;
    s.policy.max_wait_ms = max_wait_ms;
    FetchHooks h;
    h.sleeper = &sleeper;
    h.log = [this](const std::string&, const std::string& line) { log.push_back(line); };
    auto results = fetch_accounts(&store, {account()}, s, h, x_env);
    REQUIRE(results.size() == 1);
    return results[0];
  }
};

std::vector<Case> every_case(Store& store) {
  std::vector<Case> out;
  REQUIRE(store.list(CaseFilter{}, [&](Case&& c) {
    out.push_back(std::move(c));
    return ok_status();
  }).ok());
  return out;
}

nlohmann::json mention(const std::string& id, const std::string& author, const std::string& text, const std::string& conv,
                       const std::string& reply_to = "") {
  nlohmann::json t = {{"id", id}, {"text", text}, {"author_id", author}, {"created_at", "2026-11-23T08:40:00.000Z"},
                      {"conversation_id", conv}};
  if (!reply_to.empty()) t["referenced_tweets"] = nlohmann::json::array({{{"type", "replied_to"}, {"id", reply_to}}});
  return t;
}

}  // namespace

TEST_CASE("x: whoami from /2/users/me; limits are 280 weighted with URLs as 23; a bad token is 77 and never said") {
  XRig rig;
  auto http = make_curl_client({});
  auto ch = make_x_channel(*http, XOptions{rig.fake.base_url(), kToken, "", 5000, {}});
  auto me = ch->whoami();
  REQUIRE_MESSAGE(me.ok(), me.error().message);
  CHECK(me->id == "1500000000000000001");
  CHECK(me->handle == "northrail");
  auto l = ch->limits();
  REQUIRE(l.ok());
  CHECK(l->max_chars == 280);
  CHECK(l->chars_per_url == 23);
  CHECK(l->unit == "weighted");
  auto bad = make_x_channel(*http, XOptions{rig.fake.base_url(), "wrong-x-token", "", 5000, {}});
  auto refused = bad->whoami();
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == Exit::no_perm);
  CHECK(refused.error().message.find("wrong-x-token") == std::string::npos);
}

TEST_CASE("x fetch: pages back to --since, conversations as cases, DMs private, cursors; a second run adds nothing") {
  XRig rig;
  auto store = make_memory_store();
  auto first = rig.run(*store);
  REQUIRE_MESSAGE(!first.error, first.error->message);
  CHECK(first.handle == "northrail");
  CHECK(rig.requests_to("/2/users/1500000000000000001/mentions", "pagination_token=") >= 1);  // 132 mentions, pages of 100
  CHECK(rig.requests_to("/2/users/1500000000000000001/mentions", "start_time=2026-11-01T00:00:00Z") == 2);
  const auto cases = every_case(*store);
  std::set<std::string> ids;
  size_t dms = 0, in_out_in = 0, outbound = 0;
  for (const auto& c : cases) {
    CHECK(c.id.rfind("x:northrail:", 0) == 0);
    CHECK(c.customer.followers.has_value());
    CHECK(c.customer.handle->rfind("@", 0) == 0);
    const bool dm = c.id.find(":dm-") != std::string::npos;
    dms += dm;
    std::string dirs;
    for (const auto& m : c.messages) {
      CHECK_MESSAGE(ids.insert(m.id).second, "message in two cases: " << m.id);
      CHECK(m.is_public == !dm);
      CHECK(m.text.find("&amp;") == std::string::npos);
      if (m.dir == Dir::out) {
        CHECK(m.author == "@northrail");
        ++outbound;
      }
      dirs += m.dir == Dir::in ? "i" : "o";
    }
    in_out_in += dirs.find("ioi") != std::string::npos;
  }
  CHECK(dms == 4);
  CHECK(in_out_in >= 1);  // a customer's answer to our reply, in the conversation's case
  CHECK(outbound >= 8);
  CHECK(ids.size() == first.new_messages);
  CHECK(first.new_messages >= 132 + 8 + 6);
  for (const char* stream : {"mentions", "tweets", "dm_events"}) {
    auto cursor = store->cursor("x", std::string("northrail/") + stream);
    REQUIRE(cursor.ok());
    CHECK_MESSAGE(cursor->has_value(), stream);
  }
  auto limits = store->cursor("x", "northrail/limits");
  REQUIRE(limits.ok());
  REQUIRE(limits->has_value());
  CHECK(nlohmann::json::parse(**limits)["unit"] == "weighted");

  rig.post("/__fake/reset", "{}");
  auto second = rig.run(*store);
  REQUIRE_MESSAGE(!second.error, second.error->message);
  CHECK(second.new_messages == 0);
  CHECK(second.updated_cases == 0);
  CHECK(rig.requests_to("/2/users/1500000000000000001/mentions", "since_id=") == 1);
  CHECK(rig.requests_to("/2/users/1500000000000000001/mentions", "start_time=") == 0);
}

TEST_CASE("x fetch: an incremental run adds new mentions to their conversation and new DMs to theirs") {
  XRig rig;
  auto store = make_memory_store();
  REQUIRE(!rig.run(*store).error);
  auto before = every_case(*store);
  const Case* dm_case = nullptr;
  const Case* answered = nullptr;
  for (const auto& c : before) {
    if (c.id.find(":dm-") != std::string::npos) dm_case = &c;
    else if (c.messages.back().dir == Dir::out) answered = &c;
  }
  REQUIRE(dm_case);
  REQUIRE(answered);
  const std::string conv = answered->id.substr(std::string("x:northrail:").size());
  rig.post("/__fake/tweets", nlohmann::json::array({mention("2200000000000000001", answered->customer.id,
                                                            "@northrail still nothing &amp; no refund", conv,
                                                            answered->messages.back().id),
                                                    mention("2200000000000000002", "1600000000000000018", "@northrail new problem",
                                                            "2200000000000000002")})
                                 .dump());
  rig.post("/__fake/dm_events", nlohmann::json::array({{{"id", "2200000000000000003"}, {"event_type", "MessageCreate"},
                                                         {"text", "any update?"}, {"sender_id", dm_case->customer.id},
                                                         {"created_at", "2026-11-23T08:41:00.000Z"},
                                                         {"dm_conversation_id", dm_case->id.substr(dm_case->id.find("dm-") + 3)}}})
                                     .dump());
  auto r = rig.run(*store);
  REQUIRE_MESSAGE(!r.error, r.error->message);
  CHECK(r.new_messages == 3);
  CHECK(r.new_cases == 1);
  CHECK(r.updated_cases == 2);
  auto joined = store->get(answered->id);
  REQUIRE(joined.ok());
  REQUIRE(joined->has_value());
  CHECK((*joined)->messages.back().text == "@northrail still nothing & no refund");
  CHECK((*joined)->messages.back().reply_to == answered->messages.back().id);
  auto dm = store->get(dm_case->id);
  REQUIRE(dm.ok());
  CHECK((*dm)->messages.back().text == "any update?");
  CHECK(!(*dm)->messages.back().is_public);
}

// The mentions timeline holds retweets of posts that mention us (only a
// user's own timeline can exclude them); a retweet is not its author
// speaking to us, so it makes no case and joins none. A quote tweet does.
TEST_CASE("x fetch: a retweet in the mentions timeline is no message; a quote tweet is") {
  XRig rig;
  auto store = make_memory_store();
  REQUIRE(!rig.run(*store).error);
  const auto with_ref = [](nlohmann::json t, const std::string& type, const std::string& id) {
    t["referenced_tweets"] = nlohmann::json::array({{{"type", type}, {"id", id}}});
    return t;
  };
  rig.post("/__fake/tweets",
           nlohmann::json::array({mention("2200000000000000011", "1600000000000000018", "@northrail the 8:10 is late again",
                                          "2200000000000000011"),
                                  with_ref(mention("2200000000000000012", "1600000000000000029",
                                                   "RT @someone: @northrail the 8:10 is late again", "2200000000000000012"),
                                           "retweeted", "2200000000000000011"),
                                  with_ref(mention("2200000000000000013", "1600000000000000007", "@northrail same here, 20 min",
                                                   "2200000000000000013"),
                                           "quoted", "2200000000000000011")})
               .dump());
  auto r = rig.run(*store);
  REQUIRE_MESSAGE(!r.error, r.error->message);
  CHECK(r.new_messages == 2);
  CHECK(r.new_cases == 2);
  CHECK(r.updated_cases == 0);
  for (const auto& c : every_case(*store))
    for (const auto& m : c.messages) CHECK_MESSAGE(m.id != "2200000000000000012", "the retweet is in " << c.id);
  auto quote = store->get("x:northrail:2200000000000000013");
  REQUIRE(quote.ok());
  REQUIRE(quote->has_value());
  CHECK((*quote)->messages.front().text == "@northrail same here, 20 min");
  CHECK((*quote)->customer.id == "1600000000000000007");
  // The cursor still moves past the retweet: the next run does not read it again.
  auto again = rig.run(*store);
  REQUIRE(!again.error);
  CHECK(again.new_messages == 0);
}

TEST_CASE("x fetch: faults give the documented errors, waits and retries") {
  XRig rig;
  auto store = make_memory_store();
  const std::string path = "/2/users/1500000000000000001/mentions";
  SUBCASE("429, problem-details form: waits until x-rate-limit-reset, then goes on") {
    rig.post("/__fake/faults", R"({"path":")" + path + R"(","kind":"429","reset_in_s":3})");
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(r.http.waits == 1);
    REQUIRE(!rig.sleeper.slept.empty());
    CHECK(rig.sleeper.slept[0] <= 5000);
    CHECK(rig.sleeper.slept[0] >= 1000);
  }
  SUBCASE("429, errors[] form (code 88): the same") {
    rig.post("/__fake/faults", R"({"path":")" + path + R"(","kind":"429_v1","reset_in_s":3})");
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(r.http.waits == 1);
  }
  SUBCASE("429 past --max-wait: exit 75 saying when to try again; nothing half-written") {
    rig.post("/__fake/faults", R"({"path":")" + path + R"(","kind":"429_v1","reset_in_s":900})");
    auto r = rig.run(*store, "2026-11-01T00:00:00Z", 60000);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::temp_fail);
    CHECK(r.error->message.find("try again after") != std::string::npos);
    CHECK(every_case(*store).empty());
  }
  SUBCASE("401: exit 77") {
    rig.post("/__fake/faults", R"({"path":")" + path + R"(","kind":"401"})");
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::no_perm);
  }
  SUBCASE("500 twice: retried") {
    rig.post("/__fake/faults", R"({"path":")" + path + R"(","kind":"500","times":2})");
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(r.http.retries == 2);
  }
  SUBCASE("wrong shape: exit 65 naming the URL") {
    rig.post("/__fake/faults", R"({"path":")" + path + R"(","kind":"wrong_shape"})");
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::data);
    CHECK(r.error->message.find("/mentions") != std::string::npos);
  }
  for (const auto& line : rig.log) CHECK(line.find(kToken) == std::string::npos);
}

TEST_CASE("x post: a reply in the thread; a lost answer is sent again and the duplicate refusal finds our tweet") {
  XRig rig;
  auto http = make_curl_client({});
  std::vector<std::string> notes;
  auto ch = make_x_channel(*http, XOptions{rig.fake.base_url(), kToken, "", 3000, [&](const std::string& n) { notes.push_back(n); }});
  REQUIRE(ch->whoami().ok());
  auto mentions = nlohmann::json::parse(rig.control->send(HttpRequest{"GET", rig.fake.base_url() +
      "/2/users/1500000000000000001/mentions?max_results=5", {{"Authorization", std::string("Bearer ") + kToken}}, "", 5000})->body);
  const std::string to = mentions["data"][0]["id"];

  PostRequest req;
  req.text = "@ann_lee We are on it & will update you.";
  req.in_reply_to = to;
  SUBCASE("no retries needed") {
    auto p = ch->post(req);
    REQUIRE_MESSAGE(p.ok(), p.error().message);
    const auto posts = rig.get("/__fake/posts");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["id"] == p->id);
    CHECK(posts[0]["in_reply_to_tweet_id"] == to);
    CHECK(posts[0]["text"] == req.text);
  }
  SUBCASE("the answer is lost after the tweet was made: one tweet, its id") {
    rig.post("/__fake/faults", R"({"path":"/2/tweets","kind":"lost"})");
    auto p = ch->post(req);
    REQUIRE_MESSAGE(p.ok(), p.error().message);
    const auto posts = rig.get("/__fake/posts");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["id"] == p->id);
    CHECK(rig.requests_to("/2/tweets") == 2);
    CHECK(rig.requests_to("/2/users/1500000000000000001/tweets") == 1);
  }
  SUBCASE("a later call with the same text (the outbox's retry) gets the same id") {
    auto p1 = ch->post(req);
    REQUIRE(p1.ok());
    auto p2 = ch->post(req);
    REQUIRE_MESSAGE(p2.ok(), p2.error().message);
    CHECK(p2->id == p1->id);
    CHECK(rig.get("/__fake/posts").size() == 1);
  }
  SUBCASE("a duplicate we did not post in this thread is an error") {
    auto p1 = ch->post(req);
    REQUIRE(p1.ok());
    req.in_reply_to = std::string(mentions["data"][1]["id"]);
    auto p2 = ch->post(req);
    REQUIRE(!p2.ok());
    CHECK(p2.error().code == Exit::data);
    CHECK(p2.error().message.find("duplicate content") != std::string::npos);
  }
  SUBCASE("a DM to the customer; a lost answer is not sent twice") {
    PostRequest dm;
    dm.text = "Please send your booking reference.";
    dm.is_public = false;
    dm.recipient = "1600000000000000007";
    rig.post("/__fake/faults", R"({"path":"/2/dm_conversations/","kind":"lost"})");
    auto p = ch->post(dm);
    REQUIRE_MESSAGE(p.ok(), p.error().message);
    const auto posts = rig.get("/__fake/posts");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["kind"] == "dm");
    CHECK(posts[0]["participant_id"] == "1600000000000000007");
    CHECK(posts[0]["id"] == p->id);
    dm.recipient.reset();
    CHECK(ch->post(dm).error().code == Exit::usage);
  }
  for (const auto& r : rig.get("/__fake/requests")) CHECK(r["headers"]["Authorization"] == std::string("Bearer ") + kToken);
  for (const auto& n : notes) CHECK(n.find(kToken) == std::string::npos);
}

TEST_CASE("x: answer bodies of the wrong shape are data errors, never crashes") {
  const Identity us{"1", "northrail"};
  CHECK(!x_cases_from_body("[]", "mentions", us).ok());
  CHECK(!x_cases_from_body("{\"data\":{}}", "mentions", us).ok());
  CHECK(!x_cases_from_body("{\"data\":[{\"id\":\"5\"}]}", "mentions", us).ok());  // no author, no time
  CHECK(x_cases_from_body("{\"data\":[5]}", "dm_events", us).error().code == Exit::data);
  auto none = x_cases_from_body("{\"meta\":{\"result_count\":0}}", "mentions", us);
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto one = x_cases_from_body(
      R"({"data":[{"id":"7","text":"@northrail a &lt;b&gt; &amp; c","author_id":"9","created_at":"2026-11-20T10:00:00.000Z","conversation_id":"7"}],
          "includes":{"users":[{"id":"9","username":"ann","name":"Ann","public_metrics":{"followers_count":12}}]}})",
      "mentions", us);
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK((*one)[0].id == "x:northrail:7");
  CHECK((*one)[0].customer.id == "9");
  CHECK((*one)[0].customer.handle == "@ann");
  CHECK((*one)[0].customer.followers == 12);
  CHECK((*one)[0].messages[0].text == "@northrail a <b> & c");
  CHECK(x_unescape("&amp;lt;") == "&lt;");
}

TEST_CASE("x: t.co links become the URLs written; a long post comes whole from note_tweet") {
  const Identity us{"1", "northrail"};
  auto cases = x_cases_from_body(
      R"({"data":[{"id":"7","text":"@northrail fares? See https://t.co/abc and https://t.co/zz","author_id":"9",
                   "created_at":"2026-11-20T10:00:00.000Z","conversation_id":"7",
                   "entities":{"urls":[{"start":22,"end":45,"url":"https://t.co/abc","expanded_url":"https://northrail.example/fares?x=1"},
                                       {"url":"https://t.co/zz"}]}},
                  {"id":"8","text":"@northrail a long story… https://t.co/n","author_id":"9","created_at":"2026-11-20T11:00:00.000Z",
                   "conversation_id":"8","note_tweet":{"text":"@northrail a long story, all of it: https://t.co/q",
                   "entities":{"urls":[{"url":"https://t.co/q","expanded_url":"https://example.org/story"}]}}}],
          "includes":{"users":[{"id":"9","username":"ann","name":"Ann"}]}})",
      "mentions", us);
  REQUIRE_MESSAGE(cases.ok(), cases.error().message);
  REQUIRE(cases->size() == 2);
  CHECK((*cases)[0].messages[0].text == "@northrail fares? See https://northrail.example/fares?x=1 and https://t.co/zz");
  CHECK((*cases)[1].messages[0].text == "@northrail a long story, all of it: https://example.org/story");
}

}  // namespace socq
