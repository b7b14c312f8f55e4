// The fake-server harness and the Mastodon fake, in-process: what channel
// tests rely on (ordering of big ids, paging semantics, concurrency).
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "tests/fakes/mastodon.h"
#include "tests/fakes/mastodon_compose.h"

using namespace socq::fake;

TEST_CASE("fake: ids order as big integers, never as strings or int32") {
  CHECK(id_less("99999999", "100000000"));
  CHECK_FALSE(id_less("100000000", "99999999"));
  CHECK(id_less("117660098887681000", "117660098887681001"));
  CHECK_FALSE(id_less("5", "5"));
  CHECK(id_next("199") == "200");
  CHECK(id_next("999") == "1000");
  CHECK(id_next("117660098887681000") == "117660098887681001");
}

TEST_CASE("fake: select_page follows Mastodon's max_id, since_id and min_id") {
  std::vector<std::string> keys = {"10", "9", "8", "7", "6", "5", "4", "3", "2", "1"};  // newest first
  auto ids = [&](const PageQuery& q) {
    std::string out;
    for (size_t i : select_page(keys, q)) out += keys[i] + ",";
    return out;
  };
  CHECK(ids({.limit = 3}) == "10,9,8,");
  CHECK(ids({.max_id = "8", .limit = 3}) == "7,6,5,");
  CHECK(ids({.since_id = "3", .limit = 3}) == "10,9,8,");  // the newest above since_id
  CHECK(ids({.min_id = "3", .limit = 3}) == "6,5,4,");     // immediately newer than min_id
  CHECK(ids({.max_id = "9", .since_id = "6", .limit = 5}) == "8,7,");
  CHECK(ids({.min_id = "10", .limit = 3}).empty());
}

TEST_CASE("fake: link header and Rails-sorted page URLs") {
  CHECK(page_url("B/n", {"types%5B%5D=mention", "max_id=5", "limit=40"}) == "B/n?limit=40&max_id=5&types%5B%5D=mention");
  CHECK(link_header("N", "P") == "<N>; rel=\"next\", <P>; rel=\"prev\"");
  CHECK(url_encode("types[]") == "types%5B%5D");
  CHECK(url_decode("a%20b+c") == "a b c");
  auto form = parse_form("status=Hi%21+%26&visibility=direct");
  REQUIRE(form.size() == 2);
  CHECK(form[0].second == "Hi! &");
}

TEST_CASE("fake: posted text becomes Mastodon HTML and is measured in graphemes") {
  auto none = [](const std::string&) { return json(); };
  CHECK(compose_html("a & b\nc\n\nd", none).html == "<p>a &amp; b<br />c</p><p>d</p>");
  CHECK(mastodon_length("https://example.org/a/very/long/path/of/many/characters", 23) == 23);
  CHECK(mastodon_length("@bob@mastodon.example hi", 23) == 7);
  CHECK(mastodon_length("\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7", 23) == 1);  // one family emoji
}

TEST_CASE("fake: in-process Mastodon serves fixtures concurrently and stops") {
  MastodonFake fake({.fixtures = default_mastodon_fixtures(), .tokens = {"unit-token"}});
  std::string err;
  REQUIRE_MESSAGE(fake.load(&err), err);
  REQUIRE_MESSAGE(fake.start(0, &err), err);
  CHECK(fake.port() > 0);

  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&] {
      httplib::Client c("127.0.0.1", fake.port());
      c.set_default_headers({{"Authorization", "Bearer unit-token"}});
      for (int i = 0; i < 5; ++i) {
        auto r = c.Get("/api/v1/notifications?types[]=mention&limit=80");
        if (r && r->status == 200 && json::parse(r->body).size() == 80) ++ok;
      }
    });
  for (auto& t : clients) t.join();
  CHECK(ok == 20);

  httplib::Client c("127.0.0.1", fake.port());
  auto bad = c.Get("/api/v1/notifications", {{"Authorization", "Bearer nope"}});
  REQUIRE(bad);
  CHECK(bad->status == 401);
  auto requests = c.Get("/__fake/requests");
  REQUIRE(requests);
  CHECK(json::parse(requests->body).size() == 21);
  fake.stop();
  CHECK_FALSE(c.Get("/__fake/requests"));
}

TEST_CASE("fake: bad fixtures are refused with the file named") {
  MastodonFake fake({.fixtures = "/nonexistent-socq-fixtures"});
  std::string err;
  CHECK_FALSE(fake.load(&err));
  CHECK(err.find("/nonexistent-socq-fixtures/account.json") != std::string::npos);
}
