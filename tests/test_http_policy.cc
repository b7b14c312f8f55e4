// The HTTP policy: retries with backoff, 429 waits within --max-wait,
// pacing before a 429, and what a log line may show. No real sleeping: the
// sleeper moves a fixed clock.
#include <doctest/doctest.h>

#include <deque>

#include "lib/http_log.h"
#include "lib/http_policy.h"
#include "lib/timefmt.h"

namespace socq {
namespace {

constexpr int64_t kNow = 1'795'000'000'000;  // 2026-11-18T...Z

struct ClockSleeper final : Sleeper {
  explicit ClockSleeper(FixedClock& c) : clock(c) {}
  void sleep_ms(int64_t ms) override {
    slept.push_back(ms);
    clock.set(clock.now_ms() + ms);
  }
  FixedClock& clock;
  std::vector<int64_t> slept;
};

// Answers from a script, one entry per request.
struct ScriptedClient final : HttpClient {
  Result<HttpResponse> send(const HttpRequest& req) override {
    sent.push_back(req);
    REQUIRE(!script.empty());
    auto r = script.front();
    script.pop_front();
    return r;
  }
  std::deque<Result<HttpResponse>> script;
  std::vector<HttpRequest> sent;
};

HttpResponse resp(int status, Headers h = {}, std::string body = "{}") { return HttpResponse{status, std::move(h), std::move(body)}; }
Error reset_error() { return Error{Exit::unavailable, "GET http://x/: Connection reset by peer"}; }

struct Rig {
  FixedClock clock{kNow};
  ClockSleeper sleeper{clock};
  ScriptedClient inner;
  RetryPolicy policy;
  std::vector<std::string> log;
  Result<HttpResponse> send(HttpRequest req = HttpRequest{"GET", "http://127.0.0.1:1/api/v1/notifications", {}, "", 1000}) {
    PolicyClient c(inner, clock, sleeper, policy, [this](const std::string& l) { log.push_back(l); }, 42);
    auto r = c.send(req);
    stats = c.stats();
    return r;
  }
  HttpStats stats;
};

}  // namespace

TEST_CASE("http policy: 5xx and resets are retried with growing, jittered backoff") {
  Rig rig;
  rig.inner.script = {resp(500), reset_error(), resp(502, {}, "<html>Bad Gateway</html>"), resp(200)};
  auto r = rig.send();
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(rig.inner.sent.size() == 4);
  CHECK(rig.stats.retries == 3);
  REQUIRE(rig.sleeper.slept.size() == 3);
  CHECK(rig.sleeper.slept[0] >= 250);
  CHECK(rig.sleeper.slept[0] <= 500);
  CHECK(rig.sleeper.slept[1] >= 500);
  CHECK(rig.sleeper.slept[1] <= 1000);
  CHECK(rig.sleeper.slept[2] >= 1000);
  CHECK(rig.sleeper.slept[2] <= 2000);
}

TEST_CASE("http policy: retries are bounded and the error says so") {
  Rig rig;
  for (int i = 0; i < 5; ++i) rig.inner.script.push_back(resp(503, {}, "down"));
  auto r = rig.send();
  REQUIRE(!r.ok());
  CHECK(r.error().code == Exit::unavailable);
  CHECK(r.error().message.find("HTTP 503") != std::string::npos);
  CHECK(r.error().message.find("gave up after 5 attempts") != std::string::npos);
  CHECK(rig.inner.sent.size() == 5);
}

TEST_CASE("http policy: a POST without an idempotency key is never repeated") {
  Rig rig;
  rig.inner.script = {resp(500)};
  auto r = rig.send(HttpRequest{"POST", "http://127.0.0.1:1/api/v1/statuses", {}, "status=hi", 1000});
  REQUIRE(r.ok());
  CHECK(r->status == 500);
  CHECK(rig.inner.sent.size() == 1);
  Rig keyed;
  keyed.inner.script = {resp(500), resp(200)};
  auto k = keyed.send(HttpRequest{"POST", "http://127.0.0.1:1/api/v1/statuses", {{"Idempotency-Key", "k1"}}, "status=hi", 1000});
  REQUIRE(k.ok());
  CHECK(k->status == 200);
  CHECK(keyed.inner.sent.size() == 2);
}

TEST_CASE("http policy: other 4xx and transport errors of a bad URL are not retried") {
  Rig rig;
  rig.inner.script = {resp(404)};
  CHECK(rig.send()->status == 404);
  CHECK(rig.inner.sent.size() == 1);
  Rig bad;
  bad.inner.script = {Result<HttpResponse>(Error{Exit::config, "bad URL"})};
  CHECK(bad.send().error().code == Exit::config);
  CHECK(bad.inner.sent.size() == 1);
}

TEST_CASE("http policy: a Mastodon 429 waits until the ISO 8601 reset, then succeeds") {
  Rig rig;
  const std::string reset = format_rfc3339_utc(kNow + 30'000);  // ...Z
  rig.inner.script = {resp(429, {{"x-ratelimit-limit", "300"}, {"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "2026-11-18T08:27:10.000Z"}}),
                      resp(200)};
  // The reset above is absolute; pick the clock 30 s before it.
  rig.clock.set(*parse_rfc3339_utc("2026-11-18T08:26:40Z"));
  auto r = rig.send();
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  REQUIRE(rig.sleeper.slept.size() == 1);
  CHECK(rig.sleeper.slept[0] == 30'000);
  CHECK(rig.stats.waits == 1);
  CHECK(rig.stats.retries == 0);
  CHECK(!reset.empty());
}

TEST_CASE("http policy: a 429 past --max-wait stops with exit 75 and the time to try again") {
  Rig rig;
  rig.policy.max_wait_ms = 5 * 60'000;
  rig.clock.set(*parse_rfc3339_utc("2026-11-18T08:00:00Z"));
  rig.inner.script = {resp(429, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "2026-11-18T08:15:00.000Z"}})};
  auto r = rig.send();
  REQUIRE(!r.ok());
  CHECK(r.error().code == Exit::temp_fail);
  CHECK(r.error().message.find("try again after 2026-11-18T08:15:00Z") != std::string::npos);
  CHECK(r.error().message.find("--max-wait 5m") != std::string::npos);
  CHECK(rig.sleeper.slept.empty());
}

TEST_CASE("http policy: Retry-After seconds and epoch reset headers of other platforms") {
  Rig rig;
  rig.inner.script = {resp(429, {{"retry-after", "7"}}), resp(200)};
  REQUIRE(rig.send().ok());
  CHECK(rig.sleeper.slept == std::vector<int64_t>{7000});

  const int64_t now = kNow;
  CHECK(rate_limit_reset_ms(resp(429, {{"x-rate-limit-reset", std::to_string(now / 1000 + 60)}}), now) == now / 1000 * 1000 + 60'000);
  CHECK(rate_limit_reset_ms(resp(429, {{"ratelimit-reset", std::to_string(now / 1000 + 5)}}), now) == now / 1000 * 1000 + 5000);
  CHECK(rate_limit_reset_ms(resp(429, {{"x-ratelimit-reset", "30"}}), now) == now + 30'000);  // Reddit: seconds to go
  CHECK(rate_limit_reset_ms(resp(429, {{"x-ratelimit-reset", "2026-11-18T09:00:00+01:00"}}), now) ==
        *parse_rfc3339_utc("2026-11-18T08:00:00Z"));
  CHECK(rate_limit_reset_ms(resp(429, {{"retry-after", "Wed, 18 Nov 2026 08:00:00 GMT"}}), now) ==
        *parse_rfc3339_utc("2026-11-18T08:00:00Z"));
  CHECK(!rate_limit_reset_ms(resp(429), now));
}

TEST_CASE("http policy: a 429 with no reset waits the default, and repeated 429s are bounded") {
  Rig rig;
  rig.policy.max_wait_ms = 120'000;
  rig.policy.max_rate_limit_waits = 2;
  rig.inner.script = {resp(429), resp(429), resp(429)};
  auto r = rig.send();
  REQUIRE(!r.ok());
  CHECK(r.error().code == Exit::temp_fail);
  CHECK(r.error().message.find("still rate limited after 2 waits") != std::string::npos);
  CHECK(rig.sleeper.slept == std::vector<int64_t>{60'000, 60'000});
}

TEST_CASE("http policy: slows down when the remaining budget runs low") {
  const Headers low = {{"x-ratelimit-limit", "300"}, {"x-ratelimit-remaining", "2"}, {"x-ratelimit-reset", "2026-11-18T08:00:30.000Z"}};
  const int64_t now = *parse_rfc3339_utc("2026-11-18T08:00:00Z");
  CHECK(pacing_delay_ms(resp(200, low), now) == 10'000);  // 30 s over 3 requests
  CHECK(pacing_delay_ms(resp(200, {{"x-ratelimit-limit", "300"}, {"x-ratelimit-remaining", "200"}, {"x-ratelimit-reset", "2026-11-18T08:00:30.000Z"}}), now) == 0);
  CHECK(pacing_delay_ms(resp(200), now) == 0);

  FixedClock clock(now);
  ClockSleeper sleeper(clock);
  ScriptedClient inner;
  inner.script = {resp(200, low), resp(200)};
  PolicyClient c(inner, clock, sleeper, RetryPolicy{});
  REQUIRE(c.send(HttpRequest{}).ok());
  CHECK(sleeper.slept.empty());
  REQUIRE(c.send(HttpRequest{}).ok());
  CHECK(sleeper.slept == std::vector<int64_t>{10'000});
  CHECK(c.stats().waits == 1);
}

TEST_CASE("http policy: backoff doubles up to the cap, jitter within half") {
  RetryPolicy p;
  p.base_backoff_ms = 1000;
  p.max_backoff_ms = 4000;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 50; ++i) {
    const int64_t b = backoff_ms(5, p, rng);
    CHECK(b >= 2000);
    CHECK(b <= 4000);
  }
}

TEST_CASE("durations: parse and print") {
  CHECK(parse_duration_ms("90s") == 90'000);
  CHECK(parse_duration_ms("5m") == 300'000);
  CHECK(parse_duration_ms("2h") == 7'200'000);
  CHECK(parse_duration_ms("7d") == 604'800'000);
  CHECK(parse_duration_ms("1500ms") == 1500);
  CHECK(parse_duration_ms("30") == 30'000);
  CHECK(!parse_duration_ms("5 m"));
  CHECK(!parse_duration_ms("m"));
  CHECK(!parse_duration_ms("-3s"));
  CHECK(format_duration(90'000) == "1m30s");
  CHECK(format_duration(300'000) == "5m");
  CHECK(format_duration(400) == "400ms");
}

TEST_CASE("redaction: secret query values, user info and known secrets are masked") {
  CHECK(redact_url("https://h.example/api/v1/x?access_token=abc123&limit=80") == "https://h.example/api/v1/x?access_token=***&limit=80");
  CHECK(redact_url("https://h.example/x?limit=1&api_key=zz&sig=1#frag") == "https://h.example/x?limit=1&api_key=***&sig=***#frag");
  CHECK(redact_url("https://bob:pw@h.example/x") == "https://***@h.example/x");
  CHECK(redact_url("https://h.example/api/v1/notifications?types%5B%5D=mention&min_id=5") ==
        "https://h.example/api/v1/notifications?types%5B%5D=mention&min_id=5");
  CHECK(mask_secrets("Bearer s3cr3t and s3cr3t again", {"s3cr3t"}) == "Bearer *** and *** again");
  CHECK(mask_secrets("nothing", {""}) == "nothing");
}

TEST_CASE("http policy: log lines name retries and waits, never the token") {
  Rig rig;
  rig.inner.script = {resp(500), resp(200)};
  REQUIRE(rig.send(HttpRequest{"GET", "http://127.0.0.1:1/x?access_token=tok-123", {{"Authorization", "Bearer tok-123"}}, "", 1000}).ok());
  REQUIRE(rig.log.size() == 1);
  CHECK(rig.log[0].find("retry 1 of 4") != std::string::npos);
  CHECK(rig.log[0].find("tok-123") == std::string::npos);
}

}  // namespace socq

namespace socq {
TEST_CASE("http policy: Facebook's throttling codes; an error with no code or odd shapes is not throttling") {
  auto resp = [](int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  };
  CHECK(facebook_throttled(resp(400, R"({"error":{"code":4,"message":"Application request limit reached"}})")));
  CHECK(facebook_throttled(resp(403, R"({"error":{"code":613}})")));
  CHECK_FALSE(facebook_throttled(resp(400, R"({"error":{"code":100}})")));
  CHECK_FALSE(facebook_throttled(resp(200, R"({"error":{"code":4}})")));
  // Missing members were read through nlohmann's const operator[] (reads freed memory).
  CHECK_FALSE(facebook_throttled(resp(400, R"({"error":{"message":"no code"}})")));
  CHECK_FALSE(facebook_throttled(resp(400, R"({"error":"text"})")));
  CHECK_FALSE(facebook_throttled(resp(400, R"([1,2])")));
  CHECK_FALSE(facebook_throttled(resp(400, "not json")));
}
}  // namespace socq
