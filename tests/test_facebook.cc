// The Facebook Pages channel and the fetch runner against the in-process
// Graph API fake (tests/fakes/facebook.*): real HTTP over libcurl.
#include <doctest/doctest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "lib/case_json.h"
#include "lib/channels/facebook.h"
#include "lib/clock.h"
#include "lib/fetch.h"
#include "lib/http_curl.h"
#include "lib/http_policy.h"
#include "lib/timefmt.h"
#include "tests/fakes/facebook.h"
#include "tests/test_util.h"

namespace socq {
namespace {

constexpr const char* kPageToken = "fake-page-token-northrail";
constexpr const char* kPage = "104000000000001";

std::optional<std::string> fb_env(const char* name) {
  if (std::string(name) == "FB_TOKEN") return std::string(kPageToken);
  return std::nullopt;
}

struct RecordingSleeper final : Sleeper {
  void sleep_ms(int64_t ms) override { slept.push_back(ms); }
  std::vector<int64_t> slept;
};

struct FbRig {
  fake::FacebookFake fake{{.fixtures = fake::default_facebook_fixtures(), .tokens = {}, .rate_limit = 300}};
  std::unique_ptr<HttpClient> control = make_curl_client({});
  RecordingSleeper sleeper;
  std::vector<std::string> log;
  FbRig() {
    std::string err;
    REQUIRE_MESSAGE((fake.load(&err) && fake.start(0, &err)), err);
  }
  std::string base() const { return fake.base_url() + "/v19.0"; }
  AccountConfig account() const {
    AccountConfig a;
    a.name = "nrfb";
    a.channel = "facebook";
    a.base_url = base();
    a.page_id = kPage;
    a.token_env = "FB_TOKEN";
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
  size_t requests_to(const std::string& part) {
    size_t n = 0;
    for (const auto& r : get("/__fake/requests")) n += r["path"].get<std::string>().find(part) != std::string::npos;
    return n;
  }
  AccountResult run(Store& store, int64_t max_wait_ms = 30 * 60000) {
    FetchSettings s;
    s.since_ms = parse_since("2026-11-01", 0).value();
    s.now = "2026-11-23T09:00:00Z";
    s.policy.base_backoff_ms = 1;
    s.policy.max_wait_ms = max_wait_ms;
    FetchHooks h;
    h.sleeper = &sleeper;
    h.log = [this](const std::string&, const std::string& line) { log.push_back(line); };
    auto results = fetch_accounts(&store, {account()}, s, h, fb_env);
    REQUIRE(results.size() == 1);
    return results[0];
  }
};

std::vector<Case> cases_in(Store& store) {
  std::vector<Case> out;
  REQUIRE(store.list(CaseFilter{}, [&](Case&& c) {
    out.push_back(std::move(c));
    return ok_status();
  }).ok());
  return out;
}

std::string graph_now(int64_t offset_ms) {
  std::string t = format_rfc3339_utc((SystemClock().now_ms() + offset_ms) / 1000 * 1000);
  return t.substr(0, 19) + "+0000";
}

}  // namespace

TEST_CASE("facebook: Graph times, with +0000 offsets") {
  CHECK(parse_graph_time("2026-11-23T08:00:00+0000") == parse_rfc3339_utc("2026-11-23T08:00:00Z"));
  CHECK(parse_graph_time("2026-11-23T09:00:00+0100") == parse_rfc3339_utc("2026-11-23T08:00:00Z"));
  CHECK(parse_graph_time("2026-11-23T08:00:00Z") == parse_rfc3339_utc("2026-11-23T08:00:00Z"));
  CHECK(!parse_graph_time("2026-11-23T08:00:00+00x0"));
  CHECK(parse_graph_time("2026-11-23T03:00:00-05:00") == parse_rfc3339_utc("2026-11-23T08:00:00Z"));
  CHECK(!parse_graph_time("2026-11-23T08:00:00+9959"));  // no such offset
  CHECK(!parse_graph_time("9999-12-31T23:59:59-0100"));  // year 10000 in UTC: no case could hold it
  CHECK(!parse_graph_time("9999-12-31T23:59:59-01:00"));
  CHECK(!parse_graph_time(""));
}

TEST_CASE("facebook fetch: Messenger and comment threads into cases, paging.next, cursors; a second run adds nothing") {
  FbRig rig;
  auto store = make_memory_store();
  auto first = rig.run(*store);
  REQUIRE_MESSAGE(!first.error, first.error->message);
  CHECK(first.handle == "northrail");
  const auto cases = cases_in(*store);
  size_t dms = 0, threads = 0, ioi = 0, dm_messages = 0;
  std::set<std::string> ids;
  for (const auto& c : cases) {
    CHECK(c.id.rfind("facebook:northrail:", 0) == 0);
    CHECK(c.customer.id.find_first_not_of("0123456789") == std::string::npos);  // a PSID / user id
    const bool dm = c.id.find(":dm-t_") != std::string::npos;
    dms += dm;
    threads += !dm;
    std::string dirs;
    for (const auto& m : c.messages) {
      CHECK_MESSAGE(ids.insert(m.id).second, m.id);
      CHECK(m.is_public == !dm);
      if (m.dir == Dir::out) CHECK(m.author == "northrail");
      dirs += m.dir == Dir::in ? "i" : "o";
      dm_messages += dm;
    }
    ioi += dirs.find("ioi") != std::string::npos;
  }
  CHECK(dms == 6);
  CHECK(dm_messages == 1 + 8 + 15 + 22 + 29 + 6);  // the 29-message one through its messages paging.next
  CHECK(threads > 20);
  CHECK(ioi >= 1);
  CHECK(ids.size() == first.new_messages);
  CHECK(rig.requests_to("/messages") >= 1);
  CHECK(rig.requests_to("/feed") == 2);  // 30 posts, pages of 25
  for (const char* stream : {"conversations", "comments"}) {
    auto cursor = store->cursor("facebook", std::string("northrail/") + stream);
    REQUIRE(cursor.ok());
    REQUIRE_MESSAGE(cursor->has_value(), stream);
    CHECK(parse_rfc3339_utc(**cursor).has_value());
  }
  rig.post("/__fake/reset", "{}");
  auto second = rig.run(*store);
  REQUIRE_MESSAGE(!second.error, second.error->message);
  CHECK(second.new_messages == 0);
  CHECK(rig.requests_to("/comments") <= 1);  // only posts updated since the cursor
}

TEST_CASE("facebook fetch: an incremental run takes the new message and the new comment") {
  FbRig rig;
  auto store = make_memory_store();
  REQUIRE(!rig.run(*store).error);
  const std::string psid = "7100000000000000037";
  rig.post("/__fake/conversations",
           nlohmann::json::array({{{"id", "t_new1"},
                                   {"participants", {{"data", {{{"id", psid}, {"name", "Bob Smith"}}, {{"id", kPage}, {"name", "NorthRail"}}}}}},
                                   {"messages", {{{"id", "m_new1"}, {"message", "hello again"}, {"from", {{"id", psid}, {"name", "Bob Smith"}}},
                                                  {"created_time", "2026-11-23T08:30:00+0000"}}}}}})
               .dump());
  rig.post("/__fake/feed", nlohmann::json::array({{{"id", std::string(kPage) + "_880099999"}, {"message", "Strike update"},
                                                    {"created_time", "2026-11-23T06:00:00+0000"},
                                                    {"comments", {{{"id", "880099999_1"}, {"message", "what about Monday?"},
                                                                   {"from", {{"id", psid}, {"name", "Bob Smith"}}},
                                                                   {"created_time", "2026-11-23T08:31:00+0000"}}}}}})
                               .dump());
  auto r = rig.run(*store);
  REQUIRE_MESSAGE(!r.error, r.error->message);
  CHECK(r.new_messages == 2);
  CHECK(r.new_cases == 2);
  auto dm = store->get("facebook:northrail:dm-t_new1");
  REQUIRE(dm.ok());
  REQUIRE(dm->has_value());
  CHECK((*dm)->customer.id == psid);
  CHECK((*dm)->customer.name == "Bob Smith");
  auto comment = store->get("facebook:northrail:880099999_1");
  REQUIRE(comment.ok());
  CHECK(comment->has_value());
}

TEST_CASE("facebook fetch: throttling codes are waited out, high usage slows down, an expired token is 77") {
  FbRig rig;
  auto store = make_memory_store();
  const std::string conv = std::string("/v19.0/") + kPage + "/conversations";
  for (const char* kind : {"throttle_4", "throttle_17", "throttle_32", "throttle_613", "throttle_80001"}) {
    CAPTURE(kind);
    rig.post("/__fake/reset", "{}");
    rig.sleeper.slept.clear();
    rig.post("/__fake/faults", std::string(R"({"path":")") + conv + R"(","kind":")" + kind + R"(","reset_in_s":120})");
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    CHECK(r.http.waits >= 1);
    REQUIRE(!rig.sleeper.slept.empty());
    CHECK(rig.sleeper.slept[0] == 2 * 60000);  // estimated_time_to_regain_access: 2 minutes
  }
  SUBCASE("past --max-wait: exit 75") {
    rig.post("/__fake/faults", std::string(R"({"path":")") + conv + R"(","kind":"throttle_613","reset_in_s":3600})");
    auto r = rig.run(*store, 60000);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::temp_fail);
    CHECK(r.error->message.find("longer than --max-wait") != std::string::npos);
  }
  SUBCASE("usage above 90%: the next request waits") {
    rig.post("/__fake/reset", "{}");
    rig.sleeper.slept.clear();
    rig.post("/__fake/faults", std::string(R"({"path":")") + conv + R"(","kind":"usage_high","reset_in_s":60})");
    auto r = rig.run(*store);
    REQUIRE_MESSAGE(!r.error, r.error->message);
    REQUIRE(!rig.sleeper.slept.empty());
    CHECK(rig.sleeper.slept[0] > 58000);
    CHECK(rig.sleeper.slept[0] <= 60000);
  }
  SUBCASE("expired Page token (190): exit 77 saying so") {
    rig.post("/__fake/faults", std::string(R"({"path":")") + conv + R"(","kind":"190"})");
    auto r = rig.run(*store);
    REQUIRE(r.error);
    CHECK(r.error->code == Exit::no_perm);
    CHECK(r.error->message.find("expired") != std::string::npos);
    CHECK(r.error->message.find(kPageToken) == std::string::npos);
  }
  for (const auto& line : rig.log) CHECK(line.find(kPageToken) == std::string::npos);
}

TEST_CASE("facebook post: a comment reply; a Messenger reply inside the 24-hour window, refused before sending outside it") {
  FbRig rig;
  auto http = make_curl_client({});
  auto ch = make_facebook_channel(*http, FacebookOptions{rig.base(), kPageToken, "", "", 5000, {}, {}});
  auto me = ch->whoami();
  REQUIRE_MESSAGE(me.ok(), me.error().message);
  CHECK(me->id == kPage);
  const std::string psid = "7100000000000000000";
  rig.post("/__fake/conversations",
           nlohmann::json::array({{{"id", "t_recent"},
                                   {"participants", {{"data", {{{"id", psid}, {"name", "Ann Lee"}}, {{"id", kPage}, {"name", "NorthRail"}}}}}},
                                   {"messages", {{{"id", "m_recent"}, {"message", "are you there?"}, {"from", {{"id", psid}, {"name", "Ann Lee"}}},
                                                  {"created_time", graph_now(-3600 * 1000)}}}}}})
               .dump());
  SUBCASE("comment reply") {
    const auto feed = nlohmann::json::parse(rig.control->send(HttpRequest{"GET", rig.base() + "/" + kPage +
        "/feed?access_token=" + kPageToken, {}, "", 5000})->body);
    std::string comment;
    for (const auto& p : feed["data"]) {
      auto cs = nlohmann::json::parse(rig.control->send(HttpRequest{"GET", rig.base() + "/" + p["id"].get<std::string>() +
          "/comments?access_token=" + kPageToken, {}, "", 5000})->body);
      if (!cs["data"].empty()) comment = cs["data"][0]["id"];
      if (!comment.empty()) break;
    }
    REQUIRE(!comment.empty());
    PostRequest req;
    req.text = "Thanks & sorry — we are on it.";
    req.in_reply_to = comment;
    auto p = ch->post(req);
    REQUIRE_MESSAGE(p.ok(), p.error().message);
    const auto posts = rig.get("/__fake/posts");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["parent"] == comment);
    CHECK(posts[0]["message"] == req.text);
    CHECK(posts[0]["id"] == p->id);
    // The answer lost (the client gave up waiting): the retry finds our comment, no second one.
    auto impatient = make_facebook_channel(*http, FacebookOptions{rig.base(), kPageToken, kPage, "", 300, {}, {}});
    REQUIRE(impatient->whoami().ok());
    rig.post("/__fake/hold", R"({"path":"/v19.0/)" + comment + R"(/comments","skip":1})");  // the look-up passes, the post is held
    req.text = "One more thing: the 09:14 is back.";
    auto lost = impatient->post(req);
    CHECK(!lost.ok());
    rig.post("/__fake/release", "{}");
    REQUIRE(rig.get("/__fake/posts").size() == 2);  // it did go out
    auto again = ch->post(req);
    REQUIRE_MESSAGE(again.ok(), again.error().message);
    const auto after = rig.get("/__fake/posts");
    REQUIRE(after.size() == 2);
    CHECK(after[1]["id"] == again->id);
  }
  SUBCASE("Messenger reply within 24 hours") {
    PostRequest req;
    req.text = "Yes, how can we help?";
    req.is_public = false;
    req.recipient = psid;
    req.customer_last_at = format_rfc3339_utc(SystemClock().now_ms() - 3600 * 1000);
    auto p = ch->post(req);
    REQUIRE_MESSAGE(p.ok(), p.error().message);
    const auto posts = rig.get("/__fake/posts");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["recipient"] == psid);
    CHECK(posts[0]["messaging_type"] == "RESPONSE");
    CHECK(posts[0]["text"] == req.text);
    // The outbox's rerun after a lost answer: the conversation already has it.
    auto again = ch->post(req);
    REQUIRE_MESSAGE(again.ok(), again.error().message);
    CHECK(again->id == p->id);
    CHECK(rig.get("/__fake/posts").size() == 1);
  }
  SUBCASE("outside the window: exit 65, nothing sent") {
    PostRequest req;
    req.text = "Sorry for the late answer";
    req.is_public = false;
    req.recipient = psid;
    req.customer_last_at = "2026-11-20T08:00:00Z";
    auto p = ch->post(req);
    REQUIRE(!p.ok());
    CHECK(p.error().code == Exit::data);
    CHECK(p.error().message.find("24 hours") != std::string::npos);
    CHECK(rig.requests_to("/messages") == 0);
  }
  SUBCASE("a private reply to a comment: sent to the comment (Private Replies), once; refused after 7 days") {
    rig.post("/__fake/feed", nlohmann::json::array({{{"id", std::string(kPage) + "_880077777"}, {"message", "Timetable change"},
                                                      {"created_time", graph_now(-9 * 24 * 3600 * 1000LL)},
                                                      {"comments", {{{"id", "880077777_1"}, {"message", "my card number is ..."},
                                                                     {"from", {{"id", "5550001"}, {"name", "Cy Doe"}}},
                                                                     {"created_time", graph_now(-2 * 3600 * 1000LL)}},
                                                                    {{"id", "880077777_2"}, {"message", "old one"},
                                                                     {"from", {{"id", "5550002"}, {"name", "Di Roe"}}},
                                                                     {"created_time", graph_now(-8 * 24 * 3600 * 1000LL)}}}}}})
                                 .dump());
    PostRequest req;
    req.text = "Please don't post card numbers; we have written to you privately.";
    req.is_public = false;
    req.recipient = "5550001";  // the commenter's id: no PSID, never used as one
    req.private_reply_to = "880077777_1";
    req.customer_last_at = format_rfc3339_utc(SystemClock().now_ms() - 2 * 3600 * 1000);
    auto p = ch->post(req);
    REQUIRE_MESSAGE(p.ok(), p.error().message);
    const auto posts = rig.get("/__fake/posts");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["kind"] == "private_reply");
    CHECK(posts[0]["comment_id"] == "880077777_1");
    CHECK(posts[0]["id"] == p->id);
    // One private reply per comment: Facebook refuses a second (10900), so a
    // rerun after a lost answer takes the first as sent; nothing goes out twice.
    auto again = ch->post(req);
    REQUIRE_MESSAGE(again.ok(), again.error().message);
    CHECK(again->id == "private-reply:880077777_1");
    CHECK(rig.get("/__fake/posts").size() == 1);
    // Past 7 days: refused before sending.
    const size_t sent_before = rig.requests_to("/messages");
    req.private_reply_to = "880077777_2";
    req.customer_last_at = format_rfc3339_utc(SystemClock().now_ms() - 8 * 24 * 3600 * 1000LL);
    auto late = ch->post(req);
    REQUIRE(!late.ok());
    CHECK(late.error().code == Exit::data);
    CHECK(late.error().message.find("7 days") != std::string::npos);
    CHECK(late.error().message.find(kNothingSent) != std::string::npos);  // the outbox marks it failed, not pending
    CHECK(rig.requests_to("/messages") == sent_before);
  }
  SUBCASE("no recipient: usage error") {
    PostRequest req;
    req.text = "hi";
    req.is_public = false;
    CHECK(ch->post(req).error().code == Exit::usage);
  }
  for (const auto& r : rig.get("/__fake/requests"))
    if (r["method"] == "POST") CHECK(r["query"].get<std::string>().find(kPageToken) == std::string::npos);  // in the body, not the URL
}

// Graph nests replies one level: our reply to a customer's reply comment
// lands under the top-level comment, not under the one answered. A rerun
// after a lost answer (`socq reply --resume`) must find it there, or the
// customer gets the same reply twice; an earlier reply of ours with the same
// words to someone else in the thread must not count as this one.
TEST_CASE("facebook post: a reply to a reply comment whose answer was lost is found under the parent, not posted twice") {
  FbRig rig;
  auto http = make_curl_client({});
  auto ch = make_facebook_channel(*http, FacebookOptions{rig.base(), kPageToken, kPage, "", 5000, {}, {}});
  REQUIRE(ch->whoami().ok());
  const std::string same = "Thanks, we have passed this on.";
  const nlohmann::json page_from = {{"id", kPage}, {"name", "NorthRail"}};
  rig.post("/__fake/feed",
           nlohmann::json::array({{{"id", std::string(kPage) + "_880088888"}, {"message", "Works this weekend"},
                                   {"created_time", graph_now(-5 * 3600 * 1000LL)},
                                   {"comments", {{{"id", "880088888_1"}, {"message", "no buses at Leeds?"},
                                                  {"from", {{"id", "5550011"}, {"name", "Al Poe"}}}, {"created_time", graph_now(-4 * 3600 * 1000LL)}},
                                                 {{"id", "880088888_2"}, {"message", same}, {"from", page_from},
                                                  {"created_time", graph_now(-3 * 3600 * 1000LL)}, {"parent", {{"id", "880088888_1"}}}},
                                                 {{"id", "880088888_3"}, {"message", "same at York"},
                                                  {"from", {{"id", "5550012"}, {"name", "Bo Ray"}}}, {"created_time", graph_now(-2 * 3600 * 1000LL)},
                                                  {"parent", {{"id", "880088888_1"}}}}}}}})
               .dump());
  PostRequest req;
  req.text = same;
  req.in_reply_to = "880088888_3";  // Bo's reply comment
  // Our words to Al an hour before Bo wrote are no answer to Bo: posted.
  auto first = ch->post(req);
  REQUIRE_MESSAGE(first.ok(), first.error().message);
  CHECK(first->id != "880088888_2");
  auto posts = rig.get("/__fake/posts");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0]["parent"] == "880088888_3");
  // The next reply's answer is lost; the rerun finds it under the top-level comment.
  auto impatient = make_facebook_channel(*http, FacebookOptions{rig.base(), kPageToken, kPage, "", 300, {}, {}});
  REQUIRE(impatient->whoami().ok());
  rig.post("/__fake/hold", R"({"path":"/v19.0/880088888_3/comments","skip":1})");  // the look-up passes, the post is held
  req.text = "Update: replacement buses from 10:00.";
  auto lost = impatient->post(req);
  CHECK(!lost.ok());
  rig.post("/__fake/release", "{}");
  posts = rig.get("/__fake/posts");
  REQUIRE(posts.size() == 2);  // it did go out
  auto again = ch->post(req);
  REQUIRE_MESSAGE(again.ok(), again.error().message);
  CHECK(again->id == posts[1]["id"]);
  CHECK(rig.get("/__fake/posts").size() == 2);
}

TEST_CASE("facebook: answer bodies of the wrong shape are data errors, never crashes") {
  const Identity us{kPage, "northrail"};
  CHECK(!facebook_cases_from_body("[]", "conversations", us).ok());
  CHECK(!facebook_cases_from_body("{\"data\":{}}", "comments", us).ok());
  CHECK(!facebook_cases_from_body("{\"data\":[{\"id\":\"t_1\",\"messages\":{\"data\":[{\"id\":\"m\"}]}}]}", "conversations", us).ok());
  CHECK(!facebook_cases_from_body("{\"data\":[5]}", "comments", us).ok());
  auto ok = facebook_cases_from_body(
      R"({"data":[{"id":"1_2","message":"hi","from":{"id":"77","name":"Ann"},"created_time":"2026-11-20T10:00:00+0000"},
                  {"id":"1_3","message":"hello Ann","from":{"id":"104000000000001","name":"NorthRail"},"created_time":"2026-11-20T10:05:00+0000","parent":{"id":"1_2"}}]})",
      "comments", us);
  REQUIRE(ok.ok());
  REQUIRE(ok->size() == 1);
  CHECK((*ok)[0].id == "facebook:northrail:1_2");
  CHECK((*ok)[0].customer.id == "77");
  CHECK((*ok)[0].messages[1].dir == Dir::out);
  CHECK((*ok)[0].messages[0].author == "Ann");
}

TEST_CASE("facebook: a Messenger message repeated across pages is kept once (found by fuzz_facebook)") {
  const Identity us{kPage, "northrail"};
  const std::string msg = R"({"id":"m_1","message":"hi","from":{"id":"77","name":"Ann"},"created_time":"2026-11-20T10:00:00+0000"})";
  auto cases = facebook_cases_from_body(
      R"({"data":[{"id":"t_1","participants":{"data":[{"id":"77","name":"Ann"}]},"messages":{"data":[)" + msg + "," + msg +
          R"(,{"id":"m_2","message":"hello","from":{"id":"77","name":"Ann"},"created_time":"2026-11-20T10:01:00+0000"}]}}]})",
      "conversations", us);
  REQUIRE(cases.ok());
  REQUIRE(cases->size() == 1);
  REQUIRE((*cases)[0].messages.size() == 2);
  CHECK((*cases)[0].messages[0].id == "m_1");
  CHECK((*cases)[0].messages[1].id == "m_2");
  CaseParser parser;
  CHECK(parser.parse(case_to_json((*cases)[0])).ok());
}

TEST_CASE("facebook fetch: a photo, a file or a sticker with no words is its attachment's text, asked for by field") {
  FbRig rig;
  auto store = make_memory_store();
  REQUIRE(!rig.run(*store).error);
  const std::string psid = "7100000000000000041";
  const nlohmann::json from = {{"id", psid}, {"name", "Mo Khan"}};
  rig.post("/__fake/conversations",
           nlohmann::json::array(
               {{{"id", "t_photo1"},
                 {"participants", {{"data", {{{"id", psid}, {"name", "Mo Khan"}}, {{"id", kPage}, {"name", "NorthRail"}}}}}},
                 {"messages",
                  {{{"id", "m_ph1"}, {"from", from}, {"created_time", "2026-11-23T08:30:00+0000"},
                    {"attachments", {{"data", {{{"id", "1234"}, {"mime_type", "image/jpeg"}, {"name", "meter.jpg"},
                                                {"image_data", {{"url", "https://cdn.example/meter.jpg"}}}}}}}}},
                   {{"id", "m_ph2"}, {"from", from}, {"created_time", "2026-11-23T08:31:00+0000"},
                    {"message", "see above"}, {"sticker", "https://cdn.example/thumbs.png"}}}}}})
               .dump());
  rig.post("/__fake/feed", nlohmann::json::array({{{"id", std::string(kPage) + "_880088888"}, {"message", "Timetable"},
                                                    {"created_time", "2026-11-23T06:00:00+0000"},
                                                    {"comments", {{{"id", "880088888_1"}, {"from", from},
                                                                   {"created_time", "2026-11-23T08:32:00+0000"},
                                                                   {"attachment", {{"type", "photo"},
                                                                                   {"media", {{"image", {{"src", "https://cdn.example/sign.jpg"}}}}}}}}}}}})
                               .dump());
  auto r = rig.run(*store);
  REQUIRE_MESSAGE(!r.error, r.error->message);
  auto dm = store->get("facebook:northrail:dm-t_photo1");
  REQUIRE(dm.ok());
  REQUIRE(dm->has_value());
  REQUIRE((*dm)->messages.size() == 2);
  CHECK((*dm)->messages[0].text == "[image/jpeg: meter.jpg https://cdn.example/meter.jpg]");
  CHECK((*dm)->messages[1].text == "see above\n[sticker https://cdn.example/thumbs.png]");
  auto comment = store->get("facebook:northrail:880088888_1");
  REQUIRE(comment.ok());
  REQUIRE(comment->has_value());
  CHECK((*comment)->messages.front().text == "[photo https://cdn.example/sign.jpg]");
  // Graph sends only the fields asked for: the requests name them.
  bool conv_fields = false, comment_fields = false;
  for (const auto& q : rig.get("/__fake/requests")) {
    const std::string query = q["query"].dump();
    conv_fields |= query.find("attachments,sticker") != std::string::npos;
    comment_fields |= query.find("parent,attachment") != std::string::npos;
  }
  CHECK(conv_fields);
  CHECK(comment_fields);
}

TEST_CASE("facebook fetch: a customer's own post on the Page is its case's first message, and comments under it answer it") {
  FbRig rig;
  auto store = make_memory_store();
  REQUIRE(!rig.run(*store).error);
  const std::string psid = "7100000000000000052";
  const nlohmann::json from = {{"id", psid}, {"name", "Ann Lee"}};
  const nlohmann::json page = {{"id", kPage}, {"name", "NorthRail"}};
  const std::string post = std::string(kPage) + "_770011111";
  rig.post("/__fake/feed", nlohmann::json::array({{{"id", post}, {"message", "Still no refund for my cancelled 7:32"},
                                                    {"from", from}, {"created_time", "2026-11-23T07:00:00+0000"},
                                                    {"comments", {{{"id", "770011111_1"}, {"message", "Sorry Ann, checking now"},
                                                                   {"from", page}, {"created_time", "2026-11-23T07:10:00+0000"}},
                                                                  {{"id", "770011111_2"}, {"message", "thanks"}, {"from", from},
                                                                   {"created_time", "2026-11-23T07:20:00+0000"}}}}}})
                               .dump());
  auto r = rig.run(*store);
  REQUIRE_MESSAGE(!r.error, r.error->message);
  CHECK(r.new_messages == 3);
  CHECK(r.new_cases == 1);
  Case found;
  for (auto& c : cases_in(*store))
    if (!c.messages.empty() && c.messages.front().id == post) found = c;
  REQUIRE(found.messages.size() == 3);
  CHECK(found.messages[0].text == "Still no refund for my cancelled 7:32");
  CHECK(found.messages[0].dir == Dir::in);
  CHECK(found.messages[1].dir == Dir::out);
  CHECK(found.messages[2].text == "thanks");
  CHECK(found.customer.id == psid);
  auto again = rig.run(*store);
  REQUIRE(!again.error);
  CHECK(again.new_messages == 0);
}

}  // namespace socq
